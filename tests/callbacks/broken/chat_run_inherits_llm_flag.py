"""Breaks CB-IGN-3: chat-model runs obey ignore_llm, not ignore_chat_model.

The chat-model run managers do not override the LLM run managers' ``run_flag``, so
every event of a chat-model run (start included) is filtered by ``ignore_llm``.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-IGN-3"
ALSO: dict[str, str] = {
    "CB-IGN-7": "ignore_llm now also silences the chat-model family",
}

ref = private_reference(__name__.rpartition(".")[2])
rm = ref.run_managers
del rm.CallbackManagerForChatModelRun.run_flag  # BROKEN: inherits "ignore_llm"
del rm.AsyncCallbackManagerForChatModelRun.run_flag  # BROKEN: inherits "ignore_llm"
runcert_adapter = adapter(ref, "chat_run_inherits_llm_flag", __doc__.splitlines()[0])

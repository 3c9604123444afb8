"""Breaks CB-IGN-2: LLM runs are dispatched with no ignore flag.

The LLM run managers' ``run_flag`` is ``None`` (the chat-model ones keep
``ignore_chat_model``), so ``ignore_llm`` silences no LLM start, token, end or error.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-IGN-2"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
rm = ref.run_managers
rm.CallbackManagerForLLMRun.run_flag = None  # BROKEN: "ignore_llm"
rm.AsyncCallbackManagerForLLMRun.run_flag = None  # BROKEN: "ignore_llm"
runcert_adapter = adapter(ref, "llm_run_without_flag", __doc__.splitlines()[0])

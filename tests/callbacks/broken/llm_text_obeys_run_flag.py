"""Breaks CB-IGN-7: on_text of an LLM or chat-model run obeys the run's ignore flag.

The LLM run managers apply their one flag (``ignore_llm`` / ``ignore_chat_model``) to
``on_text`` too, so a handler that ignores LLM runs also misses their text, which has no
flag and must reach every handler.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-IGN-7"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
rm = ref.run_managers


def on_text(self, text, **kwargs):
    self._emit("on_text", self.run_flag, (text,), kwargs)  # BROKEN: on_text has no flag


async def aon_text(self, text, **kwargs):
    await self._emit("on_text", self.run_flag, (text,), kwargs)  # BROKEN: no flag


rm.CallbackManagerForLLMRun.on_text = on_text
rm.AsyncCallbackManagerForLLMRun.on_text = aon_text
runcert_adapter = adapter(ref, "llm_text_obeys_run_flag", __doc__.splitlines()[0])

"""Breaks CB-EV-8: on_llm_error forwards only the keywords it knows.

The LLM (and chat-model) run managers' ``on_llm_error`` keeps just ``response`` (a
partial result) from the caller's keywords, so any other keyword given with the error
never reaches the handlers.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-EV-8"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
rm = ref.run_managers
KNOWN = ("response",)


def _known(kwargs):
    return {key: kwargs[key] for key in KNOWN if key in kwargs}  # BROKEN: forward them all


def on_llm_error(self, error, **kwargs):
    self._emit("on_llm_error", self.run_flag, (error,), _known(kwargs))


async def aon_llm_error(self, error, **kwargs):
    await self._emit_final("on_llm_error", self.run_flag, (error,), _known(kwargs))


rm.CallbackManagerForLLMRun.on_llm_error = on_llm_error
rm.AsyncCallbackManagerForLLMRun.on_llm_error = aon_llm_error
runcert_adapter = adapter(ref, "llm_error_drops_kwargs", __doc__.splitlines()[0])

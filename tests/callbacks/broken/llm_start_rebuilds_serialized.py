"""Breaks CB-EV-4: on_llm_start sends a rebuilt ``serialized`` dict, not the caller's.

The managers' ``on_llm_start`` fills in a default name, ``{"name": "llm", **serialized}``,
so every LLM run's start event carries a new dict instead of the object given.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-EV-4"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
m = ref.managers
_sync, _async = m.CallbackManager.on_llm_start, m.AsyncCallbackManager.on_llm_start


def on_llm_start(self, serialized, prompts, run_id=None, **kwargs):
    return _sync(self, {"name": "llm", **(serialized or {})}, prompts, run_id, **kwargs)  # BROKEN


async def aon_llm_start(self, serialized, prompts, run_id=None, **kwargs):
    return await _async(self, {"name": "llm", **(serialized or {})}, prompts, run_id,  # BROKEN
                        **kwargs)


m.CallbackManager.on_llm_start = on_llm_start
m.AsyncCallbackManager.on_llm_start = aon_llm_start
runcert_adapter = adapter(ref, "llm_start_rebuilds_serialized", __doc__.splitlines()[0])

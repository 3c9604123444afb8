"""Breaks CB-DISP-2: async on_llm_start reaches only inline handlers when there are any.

LangChain's ``AsyncCallbackManager.on_llm_start`` builds a task for the inline handlers
if any exist, else for the others, so the non-inline handlers never get the start of
an LLM run whenever an inline handler is present.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-DISP-2"
ALSO: dict[str, str] = {
    "CB-PAIR-2": (
        "the non-inline handlers get the token/end events of LLM runs whose start never "
        "reached them"
    ),
    "CB-PARITY-2": (
        "a non-inline handler's events differ between the async and the sync manager "
        "(exactly-once parity)"
    ),
}

ref = private_reference(__name__.rpartition(".")[2])
m = ref.managers


async def on_llm_start(self, serialized, prompts, run_id=None, **kwargs):
    runs = []
    for index, prompt in enumerate(prompts):
        run = self._begin(ref.run_managers.AsyncCallbackManagerForLLMRun,
                          run_id if index == 0 else None)
        inline = [h for h in run.handlers if h.run_inline]
        audience = inline or run.handlers  # BROKEN: every handler must get the start
        await ref.dispatch.ahandle_event(audience, "on_llm_start", run.run_flag,
                                         (serialized, [prompt]), m._start_kwargs(run, dict(kwargs)))
        runs.append(run)
    return runs


m.AsyncCallbackManager.on_llm_start = on_llm_start
runcert_adapter = adapter(ref, "async_llm_start_inline_only", __doc__.splitlines()[0])

"""Breaks CB-ID-3: an explicit run_id is given to every run of an LLM or chat-model batch.

The reference uses the explicit ``run_id`` for the first prompt's run only; this variant
passes it to every prompt's run, so a batch of n prompts is n runs sharing one id.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-ID-3"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])


def _sync(method):
    def start(self, serialized, inputs, run_id=None, **kwargs):
        runs = []
        for item in inputs:  # BROKEN: run_id is not limited to the first run
            runs.extend(method(self, serialized, [item], run_id=run_id, **kwargs))
        return runs
    return start


def _async(method):
    async def start(self, serialized, inputs, run_id=None, **kwargs):
        runs = []
        for item in inputs:  # BROKEN: run_id is not limited to the first run
            runs.extend(await method(self, serialized, [item], run_id=run_id, **kwargs))
        return runs
    return start


for name in ("on_llm_start", "on_chat_model_start"):
    setattr(ref.CallbackManager, name, _sync(getattr(ref.CallbackManager, name)))
    setattr(ref.AsyncCallbackManager, name, _async(getattr(ref.AsyncCallbackManager, name)))
runcert_adapter = adapter(ref, "batch_reuses_run_id", __doc__.splitlines()[0])

"""Breaks CB-ID-7: on_tool_start and on_retriever_start ignore an explicit parent_run_id.

The reference makes the keyword the run's parent; this variant accepts it and drops it,
so the run is filed under the manager's own parent, as langchain_core 1.7.2 does for
these two start methods.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-ID-7"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])


def _dropping(original):
    def start(self, serialized, payload, run_id=None, parent_run_id=None, **kwargs):
        return original(self, serialized, payload, run_id, **kwargs)  # BROKEN: parent dropped
    return start


def _adropping(original):
    async def start(self, serialized, payload, run_id=None, parent_run_id=None, **kwargs):
        return await original(self, serialized, payload, run_id, **kwargs)  # BROKEN: dropped
    return start


for name in ("on_tool_start", "on_retriever_start"):
    setattr(ref.CallbackManager, name, _dropping(getattr(ref.CallbackManager, name)))
    setattr(ref.AsyncCallbackManager, name, _adropping(getattr(ref.AsyncCallbackManager, name)))

runcert_adapter = adapter(ref, "explicit_parent_ignored", __doc__.splitlines()[0])

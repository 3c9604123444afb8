"""Breaks CB-PARITY-1: the async manager's retriever error event carries the run's metadata.

``AsyncCallbackManagerForRetrieverRun.on_retriever_error`` was written from the start
dispatch and passes ``metadata=`` with the event; the sync one, like every other end
and error event, passes none. No rule of a single manager fixes what an error event
carries besides its error, run, parent and tags, so each manager alone is fine; the
same failing retriever shows a different ``on_retriever_error`` on the two managers.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-PARITY-1"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
Retriever = ref.run_managers.AsyncCallbackManagerForRetrieverRun


async def on_retriever_error(self, error, **kwargs):
    kwargs["metadata"] = self.metadata  # BROKEN: only start events carry metadata
    await self._emit_final("on_retriever_error", "ignore_retriever", (error,), kwargs)


Retriever.on_retriever_error = on_retriever_error
runcert_adapter = adapter(ref, "async_retriever_error_metadata", __doc__.splitlines()[0])

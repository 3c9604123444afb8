"""Breaks RS-NEST-4: aborting a nested stream aborts the whole run.

The subgraph handle's ``abort()`` forwards to the run that drives it: the outer source is
closed and every outer reader ends early.
"""

from reference.streams import AsyncGraphRunStream, AsyncSubgraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-NEST-4"
ALSO = {
    "RS-RES-6": "the outer output() after a nested abort is the aborted outer run's, not the complete run's",
}


class ForwardingSubgraph(AsyncSubgraphRunStream):
    root: AsyncGraphRunStream

    async def abort(self) -> None:
        await super().abort()
        await self.root.abort()  # BROKEN: the outer run is stopped too


class ForwardingRun(AsyncGraphRunStream):
    def nested(self, path, projections=()):
        child = ForwardingSubgraph(self._mux.child(path, projections), path=path)
        child.root = self
        return child


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=ForwardingRun)

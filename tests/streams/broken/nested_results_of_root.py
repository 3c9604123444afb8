"""Breaks RS-NEST-3: a nested stream's results are the outer run's.

``output()`` and ``interrupted()`` of a subgraph handle drive the outer run as they
should, but report the root namespace's last values and interrupts.
"""

from reference.streams import AsyncGraphRunStream, AsyncSubgraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-NEST-3"
ALSO = {
    "RS-RES-6": "its nested-abort test compares the nested output() after the nested abort",
}


class RootResultsSubgraph(AsyncSubgraphRunStream):
    def _outcome(self):
        root = self._mux
        while root._parent is not None:
            root = root._parent
        if root.error is not None:
            raise root.error
        return root.result  # BROKEN: not this namespace's results


class RootResultsRun(AsyncGraphRunStream):
    def nested(self, path, projections=()):
        return RootResultsSubgraph(self._mux.child(path, projections), path=path)


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=RootResultsRun)

"""Breaks RS-NEST-2: a nested stream's ``values`` receives the values of deeper subgraphs too.

The child's built-in projection matches namespaces by prefix, so ``["sub", "deep"]``
snapshots reach the ``["sub"]`` stream's ``values`` (its results still follow its own
namespace).
"""

from reference.streams import AsyncGraphRunStream, AsyncSubgraphRunStream, Projection

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-NEST-2"
ALSO: dict[str, str] = {}


class PrefixProjection(Projection):
    def matches(self, event) -> bool:
        ns = event["params"]["namespace"]
        return event["method"] == self.method and ns[:len(self.namespace)] == list(
            self.namespace)  # BROKEN: deeper namespaces match


class PrefixNestedRun(AsyncGraphRunStream):
    def nested(self, path, projections=()):
        child = self._mux.child(path, projections)
        child._routes = [(PrefixProjection(p.name, p.method, p.namespace, p.maxlen, p.native)
                          if p.name == "values" else p, channel)
                         for p, channel in child._routes]
        return AsyncSubgraphRunStream(child, path=path)


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=PrefixNestedRun)

"""Breaks RS-DELIV-4: the root's ``values`` takes its namespace from the first snapshot.

The root run has no namespace prefix to go by, so its ``values`` projection adopts the
namespace of the first ``values`` event routed (assuming a graph reports its own state
first). Right whenever the root snapshot comes first; a run whose first snapshot comes
from a subgraph feeds that subgraph's snapshots to ``run.values`` (the results still
follow the root namespace).
"""

from reference.streams import Projection, StreamMux

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-DELIV-4"
ALSO: dict[str, str] = {}


class LearntRootValues(Projection):
    def matches(self, event) -> bool:
        if event["method"] != "values":
            return False
        if self.namespace is None:  # not learnt yet: the first snapshot decides
            object.__setattr__(self, "namespace", tuple(event["params"]["namespace"]))
            self.__dict__.pop("_namespace_list", None)
        return super().matches(event)  # BROKEN: the root is [], whatever comes first


class LearntRootMux(StreamMux):
    def __init__(self, projections=(), *, scope=()) -> None:
        if not scope and all(p.name != "values" for p in projections):
            projections = [LearntRootValues("values", "values", None), *projections]
        super().__init__(projections, scope=scope)


runcert_adapter = stream_adapter(__name__, __doc__, mux=LearntRootMux)

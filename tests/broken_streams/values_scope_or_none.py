"""Breaks RS-DELIV-4: the root run's ``values`` projection receives nested snapshots too.

The built-in projection is declared for ``scope or None``: meant as "this mux's own
namespace", but the root's scope is the empty tuple, which is falsy, so the root's
``values`` matches every namespace (a nested stream's scope is not empty and keeps its
filter; the results follow the root namespace either way).
"""

from reference.streams import Projection, StreamMux

from tests.broken_streams._streams import stream_adapter

BREAKS = "RS-DELIV-4"
ALSO: dict[str, str] = {}


class ScopeOrNoneMux(StreamMux):
    def __init__(self, projections=(), *, scope=()) -> None:
        if all(p.name != "values" for p in projections):
            values = Projection("values", "values", tuple(scope) or None)  # BROKEN: () is falsy
            projections = [values, *projections]
        super().__init__(projections, scope=scope)


runcert_adapter = stream_adapter(__name__, __doc__, mux=ScopeOrNoneMux)

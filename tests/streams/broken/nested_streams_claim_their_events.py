"""Breaks RS-EXT-4: events of a nested stream's namespace no longer reach the root's projections.

Once a nested stream exists, events inside its namespace are routed to it instead of to
the root's declared projections (the main log still gets them): a root projection of
any namespace, or of that very namespace, misses them.
"""

from reference.streams import StreamMux

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-EXT-4"
ALSO = {
    "RS-NEST-4": "its test compares a root projection of every namespace, which missed the nested events routed before the nested abort",
}


class ClaimingMux(StreamMux):
    def _deliveries(self, event):
        children = self._children_of(event)
        if not children or self._parent is not None:
            return super()._deliveries(event)
        out = [(self.main_log, event)]  # BROKEN: the root's own projections are skipped
        for child in children:
            out += child._deliveries(event)
        return out


runcert_adapter = stream_adapter(__name__, __doc__, mux=ClaimingMux)

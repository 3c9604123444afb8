"""Breaks RS-RES-1: output() is the last ``values`` event of any namespace, not of the root.

The result bookkeeping keeps the data of every ``values`` event it sees, nested ones
included, so a subgraph's state snapshot that comes after the root's last one becomes
the run's output (a namespace filter forgotten on one of the two result fields; the
interrupts still follow the root only).
"""

from reference.streams import StreamMux

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-RES-1"
ALSO = {
    "RS-RES-5": "its test compares output() of a script whose nested values come after the root's last",
    "RS-RES-6": "its nested-abort test compares the outer output() of a script with nested values",
}


class AnyNamespaceOutputMux(StreamMux):
    def _observe(self, event) -> None:
        super()._observe(event)
        if event["method"] == "values":
            self.result.latest = event["params"]["data"]  # BROKEN: no namespace filter


runcert_adapter = stream_adapter(__name__, __doc__, mux=AnyNamespaceOutputMux)

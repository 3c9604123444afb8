"""Breaks RS-RES-2: interrupts of nested namespaces make the root interrupted().

Every ``values`` event with interrupts, of any namespace, sets the mux's interrupted
flag (the list of interrupts still follows the root only).
"""

from reference.streams import StreamMux

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-RES-2"
ALSO: dict[str, str] = {}


class AnyNamespaceMux(StreamMux):
    def _observe(self, event) -> None:
        super()._observe(event)
        if event["method"] == "values" and event["params"].get("interrupts"):
            self.result.interrupted = True  # BROKEN: no namespace filter


runcert_adapter = stream_adapter(__name__, __doc__, mux=AnyNamespaceMux)

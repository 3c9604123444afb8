"""Breaks RS-DELIV-1: a log subscribed while an event is being routed gets that event twice.

So that a reader subscribing mid-step does not depend on where its log comes in the
routing order, a subscription made while an event's routing waits (on another, full
log) is handed that event at once. That is right for the logs the routing has already
passed, but the routing then reaches the logs after the full one and delivers the
event to them again.
"""

from reference.streams import StreamChannel, StreamMux
from reference.streams._routing import to_protocol_event

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-DELIV-1"
ALSO: dict[str, str] = {}


class CatchUpChannel(StreamChannel):
    routing: dict = {}  # channel -> its item of the event being routed (the mux's)

    def __aiter__(self):
        cursor = super().__aiter__()
        if self in self.routing and not self.closed:
            self._state.push_nowait(self.routing[self])  # BROKEN: also if not passed yet
        return cursor


class CatchUpMux(StreamMux):
    def __init__(self, *args, **kwargs) -> None:
        self._routing: dict = {}
        super().__init__(*args, **kwargs)

    def _new_channel(self, name, maxlen):
        channel = CatchUpChannel(name, maxlen=maxlen)
        channel._bind(self.request_more)
        channel.routing = self._routing
        return channel

    async def apush(self, event) -> None:
        """The reference's routing, recording the event being routed meanwhile."""
        if self._closed:
            raise RuntimeError("Cannot push to a closed StreamMux")
        protocol = to_protocol_event(event)
        self._stamp(protocol)
        self._observe(protocol)
        deliveries = self._deliveries(protocol)
        self._routing.update(deliveries)
        try:
            for channel, item in deliveries:
                state = channel._state
                if not state.closed and not state.push_nowait(item):
                    await channel.apush(item)
        finally:
            self._routing.clear()


runcert_adapter = stream_adapter(__name__, __doc__, mux=CatchUpMux)

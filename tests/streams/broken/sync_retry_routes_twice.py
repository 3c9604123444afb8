"""Breaks RS-SYNC-5: a push that hits a full log has already delivered to the logs before it.

The sync mux appends the event channel by channel and raises ``BufferError`` when it
reaches the full one; the retry routes the whole event again, so the consumers served
before the full log get it twice (a non-atomic fan-out retried as a whole).
"""

from reference.streams import SyncStreamMux
from reference.streams._routing import to_protocol_event

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-SYNC-5"
ALSO: dict[str, str] = {}


class PartialPushMux(SyncStreamMux):
    def push(self, event) -> None:
        if self._closed:
            raise RuntimeError("Cannot push to a closed StreamMux")
        protocol = to_protocol_event(event)
        deliveries = self._deliveries(protocol)
        self._stamp(protocol)
        for channel, item in deliveries:
            if channel.full:  # BROKEN: the channels before it already have the event
                raise BufferError(f"projection {channel.name!r} is full"
                                  f" (maxlen={channel.maxlen}); read it to let the run go on")
            if not channel.closed:
                channel.push_nowait(item)
        self._observe(protocol)


runcert_adapter = stream_adapter(__name__, __doc__, sync_mux=PartialPushMux)

"""Breaks RS-DELIV-3: a projection buffers before anyone subscribes and replays it.

An unsubscribed channel keeps what is pushed to it (instead of dropping it), so a late
subscriber first receives the run's history.
"""

from reference.streams._core import ChannelState

from tests.streams.broken._streams import channel_with_state, mux_with_channel, stream_adapter

BREAKS = "RS-DELIV-3"
ALSO = {
    "RS-DELIV-1": "a consumer the machine subscribes mid-run first receives events routed before its subscription",
    "RS-BP-5": "an unsubscribed log buffers what is routed to it",
    "RS-PROJ-2": "a tee made mid-run replays what was routed before it",
    "RS-ERR-4": "a projection re-subscribed after its cursor was closed replays what was routed meanwhile",
}


class ReplayState(ChannelState):
    def push_nowait(self, item) -> bool:
        if self.subscriber is None and not self.closed:
            self.buffer.append(item)  # BROKEN: buffered for nobody, replayed later
            return True
        return super().push_nowait(item)


runcert_adapter = stream_adapter(
    __name__, __doc__, mux=mux_with_channel(channel_with_state(ReplayState)))

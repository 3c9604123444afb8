"""Breaks RS-DELIV-3: a projection buffers before anyone subscribes and replays it.

An unsubscribed channel keeps what is pushed to it (instead of dropping it), so a late
subscriber first receives the run's history.
"""

from reference.streams._core import ChannelState

from tests.broken_streams._streams import channel_with_state, mux_with_channel, stream_adapter

BREAKS = "RS-DELIV-3"


class ReplayState(ChannelState):
    def push_nowait(self, item) -> bool:
        if self.subscriber is None and not self.closed:
            self.buffer.append(item)  # BROKEN: buffered for nobody, replayed later
            return True
        return super().push_nowait(item)


runcert_adapter = stream_adapter(
    __name__, __doc__, mux=mux_with_channel(channel_with_state(ReplayState)))

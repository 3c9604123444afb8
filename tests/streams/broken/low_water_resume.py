"""Breaks RS-BP-3: a full log lets the run go on only once its reader has drained it to half.

Taking an item wakes a push waiting for room only when the log is down to its low-water
mark (``maxlen // 2`` items): with ``maxlen`` 1 or 2 that is the next take, as it must
be, but a longer full log stalls the run through several takes. The slow reader still
gets everything and the run still completes.
"""

from reference.streams._core import ChannelState

from tests.streams.broken._streams import channel_with_state, mux_with_channel, stream_adapter

BREAKS = "RS-BP-3"
ALSO: dict[str, str] = {}


class LowWaterState(ChannelState):
    def take(self):
        item = self.buffer.popleft()
        if self.maxlen is None or len(self.buffer) <= self.maxlen // 2:
            self.waiters.notify()  # BROKEN: pushers wait for the low-water mark
        return item


runcert_adapter = stream_adapter(
    __name__, __doc__, mux=mux_with_channel(channel_with_state(LowWaterState)))

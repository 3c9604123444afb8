"""Breaks RS-BP-5: a declared projection that was never subscribed fills up and stalls the run.

Until its first subscriber comes, a bounded log keeps what is pushed to it (dropped at
subscription, so a late subscriber still sees only later events) and counts as full at
``maxlen``: a declared-but-unused projection holds the producer back.
"""

from reference.streams._core import ChannelState

from tests.streams.broken._streams import channel_with_state, mux_with_channel, stream_adapter

BREAKS = "RS-BP-5"
OUTCOME = "timeout"  # the consumers (or the run) wait until the kit\'s time limit
ALSO = {
    "RS-BP-3": "the machine declares bounded logs it subscribes late: the run stalls on them first",
}


class EarlyBufferState(ChannelState):
    ever_subscribed: bool = False

    @property
    def full(self) -> bool:
        if not self.ever_subscribed and self.maxlen is not None:
            return len(self.buffer) >= self.maxlen  # BROKEN: a log nobody reads is full
        return super().full

    def subscribe(self) -> object:
        self.ever_subscribed = True
        self.buffer.clear()
        return super().subscribe()

    def push_nowait(self, item) -> bool:
        if not self.ever_subscribed and not self.closed:
            if self.full:
                return False
            self.buffer.append(item)  # BROKEN: buffered for nobody
            return True
        return super().push_nowait(item)


runcert_adapter = stream_adapter(
    __name__, __doc__, mux=mux_with_channel(channel_with_state(EarlyBufferState)))

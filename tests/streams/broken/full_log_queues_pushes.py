"""Breaks RS-BP-2: a push into a full log is queued instead of waited for.

The log never holds more than ``maxlen`` items, but a push that finds it full parks its
item in an overflow queue and returns, so the pump goes on pulling (the queue feeds the
log as the reader takes items, in order).
"""

from collections import deque

from reference.streams._core import ChannelState

from tests.streams.broken._streams import channel_with_state, mux_with_channel, stream_adapter

BREAKS = "RS-BP-2"
ALSO = {
    "RS-BP-1": "the kit sees a log's contents through pulls: pulls past a full log count as items it holds",
    "RS-BP-6": "the tee's log is never full either, so the fast branch runs ahead",
    "RS-ABORT-5": "no push ever waits, so the blocked push the rule is about cannot happen",
}


class OverflowState(ChannelState):
    def push_nowait(self, item) -> bool:
        if not self.closed and self.subscriber is not None and (self.full or self.overflow):
            self.overflow.append(item)  # BROKEN: the source is not held back
            return True
        return super().push_nowait(item)

    def take(self):
        item = super().take()
        if self.overflow:
            self.buffer.append(self.overflow.popleft())
        return item

    def unsubscribe(self, token) -> None:
        if self.subscriber is token:
            self.overflow.clear()
        super().unsubscribe(token)

    @property
    def overflow(self) -> deque:
        if "_overflow" not in self.__dict__:
            self.__dict__["_overflow"] = deque()
        return self.__dict__["_overflow"]


runcert_adapter = stream_adapter(
    __name__, __doc__, mux=mux_with_channel(channel_with_state(OverflowState)))

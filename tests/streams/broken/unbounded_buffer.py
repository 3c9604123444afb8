"""Breaks RS-BP-1: a bounded projection buffers past its maxlen.

The channel state never reports itself full, so ``apush`` appends without waiting and
a subscribed projection declared with ``maxlen`` grows with the run.
"""

from reference.streams._core import ChannelState

from tests.streams.broken._streams import channel_with_state, mux_with_channel, stream_adapter

BREAKS = "RS-BP-1"
ALSO = {
    "RS-BP-2": "with no bound no push ever waits, so a full log never pauses the source",
    "RS-BP-6": "tee branches over the projection are unbounded too",
    "RS-ABORT-5": "no push ever waits, so the blocked push the rule is about cannot happen (reported as a failure, as for LangGraph)",
}


class UnboundedState(ChannelState):
    @property
    def full(self) -> bool:
        return False  # BROKEN: the bound is never checked


runcert_adapter = stream_adapter(
    __name__, __doc__, mux=mux_with_channel(channel_with_state(UnboundedState)))

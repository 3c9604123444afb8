"""Breaks RS-PROJ-1: subscribing twice to a projection does not raise.

The second ``aiter()`` silently takes over the subscription; both cursors then read the
one buffer, each seeing part of the events.
"""

from reference.streams._core import ChannelState

from tests.streams.broken._streams import channel_with_state, mux_with_channel, stream_adapter

BREAKS = "RS-PROJ-1"
ALSO = {
    "RS-PROJ-6": "tee() and aiter() share the subscribed check this variant drops",
}


class SharedState(ChannelState):
    def subscribe(self) -> object:
        self.subscriber = token = object()  # BROKEN: no check for a subscriber
        return token


runcert_adapter = stream_adapter(
    __name__, __doc__, mux=mux_with_channel(channel_with_state(SharedState)))

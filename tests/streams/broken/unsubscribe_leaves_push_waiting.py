"""Breaks RS-ERR-4: a reader that leaves does not release the push waiting on its full log.

Unsubscribing drops the buffer but wakes nobody: a push that was already waiting for
room in that log sleeps on, and with it the run (a closer that does not wake blocked
senders, as in agronholm/anyio#143).
"""

from reference.streams._core import ChannelState

from tests.streams.broken._streams import channel_with_state, mux_with_channel, stream_adapter

BREAKS = "RS-ERR-4"
ALSO: dict[str, str] = {}


class SilentUnsubscribeState(ChannelState):
    def unsubscribe(self, token: object) -> None:
        if self.subscriber is token:
            self.subscriber = None
            self.buffer.clear()  # BROKEN: no notify, a waiting push never learns it


runcert_adapter = stream_adapter(
    __name__, __doc__, mux=mux_with_channel(channel_with_state(SilentUnsubscribeState)))

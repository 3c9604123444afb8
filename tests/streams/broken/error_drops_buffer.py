"""Breaks RS-ERR-1: a failing run drops what its cursors had buffered.

When the source raises, every channel clears its buffer before recording the error, so
cursors raise at once instead of first yielding their buffered items.
"""

from reference.streams._core import ChannelState

from tests.streams.broken._streams import channel_with_state, mux_with_channel, stream_adapter

BREAKS = "RS-ERR-1"
ALSO: dict[str, str] = {}


class DroppingState(ChannelState):
    def fail(self, error: BaseException) -> None:
        self.buffer.clear()  # BROKEN: buffered items are lost
        super().fail(error)


runcert_adapter = stream_adapter(
    __name__, __doc__, mux=mux_with_channel(channel_with_state(DroppingState)))

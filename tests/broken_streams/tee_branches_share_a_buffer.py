"""Breaks RS-PROJ-2: the branches of a tee share one buffer.

The branch buffers are built as ``[deque()] * n``: one deque, ``n`` times. Each item
pulled for the tee is appended once per branch to that one deque, so branches read in
lockstep still get every item, but a branch that reads ahead takes the copies meant for
the others and then items they never see.
"""

from collections import deque

from reference.streams import StreamChannel
from reference.streams.tee import _Branch, _TeeHub

from tests.broken_streams._streams import mux_with_channel, stream_adapter

BREAKS = "RS-PROJ-2"
ALSO: dict[str, str] = {}


class SharedBufferChannel(StreamChannel):
    def tee(self, n=2):
        if n < 1:
            raise ValueError("tee() requires n >= 1")
        hub = _TeeHub(self, self._state.subscribe(), [deque()] * n)  # BROKEN: one deque
        return [_Branch(hub, index) for index in range(n)]


runcert_adapter = stream_adapter(__name__, __doc__, mux=mux_with_channel(SharedBufferChannel))

"""Breaks RS-ERR-4: closing a tee branch does not wake the branches that wait for room.

A fast branch that waits because the slow branch's buffer is full sleeps on until some
other change of the tee: when the slow branch is closed instead of read, nothing ever
wakes it (a taker or closer that does not wake blocked senders, as in
agronholm/anyio#143, where a send stayed blocked after ``receive_nowait``).
"""

from reference.streams import StreamChannel
from reference.streams.tee import _Branch, _TeeHub

from tests.streams.broken._streams import mux_with_channel, stream_adapter

BREAKS = "RS-ERR-4"
ALSO: dict[str, str] = {}


class SilentCloseHub(_TeeHub):
    def close_branch(self, index: int) -> None:
        self.buffers[index] = None  # BROKEN: the waiting branches are not notified
        if all(buffer is None for buffer in self.buffers):
            self.channel._state.unsubscribe(self.token)


class TeeChannel(StreamChannel):
    def tee(self, n=2):
        if n < 1:
            raise ValueError("tee() requires n >= 1")
        from collections import deque
        hub = SilentCloseHub(self, self._state.subscribe(), [deque() for _ in range(n)])
        return [_Branch(hub, index) for index in range(n)]


runcert_adapter = stream_adapter(__name__, __doc__, mux=mux_with_channel(TeeChannel))

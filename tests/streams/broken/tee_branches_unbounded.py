"""Breaks RS-BP-6: tee branches buffer without bound; a fast branch never waits.

As in LangGraph 1.2.22 (``atee`` branches are unbounded deques): the branches of a tee
over a projection with ``maxlen`` let the fastest branch run arbitrarily far ahead of the
slowest one.
"""

from collections import deque

from reference.streams import StreamChannel
from reference.streams.tee import _Branch, _TeeHub

from tests.streams.broken._streams import mux_with_channel, stream_adapter

BREAKS = "RS-BP-6"
ALSO: dict[str, str] = {}


class UnboundedHub(_TeeHub):
    def has_room(self) -> bool:
        return True  # BROKEN: branch buffers are unbounded


class TeeChannel(StreamChannel):
    def tee(self, n=2):
        if n < 1:
            raise ValueError("tee() requires n >= 1")
        hub = UnboundedHub(self, self._state.subscribe(), [deque() for _ in range(n)])
        return [_Branch(hub, index) for index in range(n)]


runcert_adapter = stream_adapter(__name__, __doc__, mux=mux_with_channel(TeeChannel))

"""Breaks RS-PROJ-6: ``tee(n)`` on a projection that already has a subscriber succeeds.

The tee replaces the subscription instead of checking it: the first cursor and the
branches then split the projection's items between them. (A second ``aiter()`` still
raises.)
"""

from reference.streams import StreamChannel
from reference.streams.tee import tee_branches

from tests.streams.broken._streams import mux_with_channel, stream_adapter

BREAKS = "RS-PROJ-6"
ALSO: dict[str, str] = {}


class TakeOverChannel(StreamChannel):
    def tee(self, n=2):
        if n < 1:
            raise ValueError("tee() requires n >= 1")
        self._state.subscriber = token = object()  # BROKEN: no single-consumer check
        return tee_branches(self, token, n)


runcert_adapter = stream_adapter(__name__, __doc__, mux=mux_with_channel(TakeOverChannel))

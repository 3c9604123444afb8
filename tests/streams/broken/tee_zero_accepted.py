"""Breaks RS-PROJ-4: tee(n) with n < 1 is accepted and consumes the projection.

``tee(0)`` returns no branch (and a negative n too) instead of raising ``ValueError``,
and it has subscribed the projection, so a later subscription raises.
"""

from reference.streams import StreamChannel
from reference.streams.tee import tee_branches

from tests.streams.broken._streams import mux_with_channel, stream_adapter

BREAKS = "RS-PROJ-4"
ALSO: dict[str, str] = {}


class UncheckedTeeChannel(StreamChannel):
    def tee(self, n=2):
        return tee_branches(self, self._state.subscribe(), n)  # BROKEN: n is not checked


runcert_adapter = stream_adapter(__name__, __doc__, mux=mux_with_channel(UncheckedTeeChannel))

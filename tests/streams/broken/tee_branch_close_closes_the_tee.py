"""Breaks RS-ERR-4: ``aclose()`` of one tee branch releases the projection for all branches.

A branch's ``aclose()`` unsubscribes the channel the tee reads, as async ``tee`` helpers
do whose branch ``aclose()`` closes the iterator they share: the other branches then miss
what is routed afterwards and end early, and the projection can be subscribed again
while they still read. (A branch whose task is cancelled only leaves the tee.)
"""

from reference.streams import StreamChannel
from reference.streams.tee import _Branch

from tests.streams.broken._streams import mux_with_channel, stream_adapter

BREAKS = "RS-ERR-4"
ALSO: dict[str, str] = {}


class ClosingBranch(_Branch):
    async def aclose(self) -> None:
        self._close()
        self._hub.channel._state.unsubscribe(self._hub.token)  # BROKEN: for every branch


class TeeChannel(StreamChannel):
    def tee(self, n=2):
        branches = super().tee(n)
        for branch in branches:
            branch.__class__ = ClosingBranch
        return branches


runcert_adapter = stream_adapter(__name__, __doc__, mux=mux_with_channel(TeeChannel))

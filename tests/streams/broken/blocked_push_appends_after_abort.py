"""Breaks RS-ABORT-5: a push blocked on a full log appends its item when abort() wakes it.

``apush`` waits for room as it should, but when the channel closes meanwhile it appends
the item anyway, so a consumer of the aborted run receives it.
"""

from reference.streams import StreamChannel

from tests.streams.broken._streams import mux_with_channel, stream_adapter

BREAKS = "RS-ABORT-5"
ALSO: dict[str, str] = {}


class LatePushChannel(StreamChannel):
    async def apush(self, item) -> None:
        state = self._state
        while not state.push_nowait(item):
            await state.waiters.wait()
            if state.closed:
                state.buffer.append(item)  # BROKEN: should return without appending
                return


runcert_adapter = stream_adapter(__name__, __doc__, mux=mux_with_channel(LatePushChannel))

"""Breaks RS-PROJ-3: only the tee branch that pulled the failure raises it.

The tee's shared pull re-raises the run's error in the branch that was pulling and
records a clean end for the others, so they stop without the error.
"""

import asyncio
from collections import deque

from reference.streams import StreamChannel
from reference.streams.tee import _Branch, _TeeHub

from tests.streams.broken._streams import mux_with_channel, stream_adapter

BREAKS = "RS-PROJ-3"
ALSO = {
    "RS-ERR-1": "RS-ERR-1 requires every cursor, tee branches included, to raise the run's error",
}


class FirstBranchHub(_TeeHub):
    async def pull(self) -> None:
        self.pulling = True
        try:
            item = await self.channel._next_item()
        except StopAsyncIteration:
            self.finished = True
        except asyncio.CancelledError:
            raise
        except BaseException:
            self.finished = True
            raise  # BROKEN: the error is not recorded for the other branches
        else:
            for buffer in self.buffers:
                if buffer is not None:
                    buffer.append(item)
        finally:
            self.pulling = False
            self.waiters.notify()


class TeeChannel(StreamChannel):
    def tee(self, n=2):
        if n < 1:
            raise ValueError("tee() requires n >= 1")
        hub = FirstBranchHub(self, self._state.subscribe(), [deque() for _ in range(n)])
        return [_Branch(hub, index) for index in range(n)]


runcert_adapter = stream_adapter(__name__, __doc__, mux=mux_with_channel(TeeChannel))

"""Breaks RS-PROJ-2: a tee's first branch misses the items another branch pulled.

The first branch is treated as the one that reads the projection itself: when another
branch pulls the next item (because it is ahead of the first), the item is copied into
every branch's buffer but the first one's. Read with the first branch ahead (forwards,
in turn, concurrently from the first) every branch sees every item; read with another
branch ahead, the first one misses what that branch pulled.
"""

import asyncio
from collections import deque
from contextvars import ContextVar

from reference.streams import StreamChannel
from reference.streams.tee import _Branch, _TeeHub

from tests.streams.broken._streams import mux_with_channel, stream_adapter

BREAKS = "RS-PROJ-2"
ALSO = {
    "RS-BP-6": "its slow (second) branch drains last, pulling items the fast first branch then misses",
    "RS-PROJ-3": "its tests read the branches backwards too: the first branch sees none of the items before the end",
}

_reading: ContextVar[int] = ContextVar("reading", default=0)  # the branch this task reads


class FirstBranchAheadHub(_TeeHub):
    async def pull(self) -> None:
        self.pulling = True
        try:
            item = await self.channel._next_item()
        except StopAsyncIteration:
            self.finished = True
        except asyncio.CancelledError:
            raise
        except BaseException as error:
            self.finished, self.error = True, error
        else:
            puller = _reading.get()
            for index, buffer in enumerate(self.buffers):
                if buffer is not None and (index != 0 or puller == 0):  # BROKEN: not the 1st
                    buffer.append(item)
        finally:
            self.pulling = False
            self.waiters.notify()


class ReadingBranch(_Branch):
    async def __anext__(self):
        _reading.set(self._index)
        return await super().__anext__()


class FirstBranchAheadChannel(StreamChannel):
    def tee(self, n=2):
        if n < 1:
            raise ValueError("tee() requires n >= 1")
        hub = FirstBranchAheadHub(self, self._state.subscribe(), [deque() for _ in range(n)])
        return [ReadingBranch(hub, index) for index in range(n)]


runcert_adapter = stream_adapter(
    __name__, __doc__, mux=mux_with_channel(FirstBranchAheadChannel))

"""Breaks RS-ERR-3: the item a cancelled tee branch was pulling is lost for its siblings.

The tee's shared pull runs in a shielded task; when the branch awaiting it is cancelled,
the task goes on and takes the channel's next item, but nobody hands it to the other
branches: they skip it (a cancelled ``Queue.get`` that still consumes its item, as in
radiasoft/sirepo#2375).
"""

import asyncio

from reference.streams import StreamChannel
from reference.streams.tee import _Branch, _TeeHub

from tests.streams.broken._streams import mux_with_channel, stream_adapter

BREAKS = "RS-ERR-3"
ALSO: dict[str, str] = {}


def _ignore(task: "asyncio.Task[object]") -> None:
    if not task.cancelled():
        task.exception()  # retrieved: the item (or end) is dropped


class DroppingHub(_TeeHub):
    async def pull(self) -> None:
        self.pulling = True
        pending = asyncio.ensure_future(self.channel._next_item())
        try:
            item = await asyncio.shield(pending)
        except StopAsyncIteration:
            self.finished = True
        except asyncio.CancelledError:
            pending.add_done_callback(_ignore)  # BROKEN: its item reaches no branch
            raise
        except BaseException as error:
            self.finished, self.error = True, error
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
        from collections import deque
        hub = DroppingHub(self, self._state.subscribe(), [deque() for _ in range(n)])
        return [_Branch(hub, index) for index in range(n)]


runcert_adapter = stream_adapter(__name__, __doc__, mux=mux_with_channel(TeeChannel))

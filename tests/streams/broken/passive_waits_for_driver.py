"""Breaks RS-FLIGHT-3: a passive consumer waits until the pumping consumer has its item.

Readers take a per-run lock for as long as they pump, and the one holding it pumps
until its *own* item arrives; a reader whose item another reader's pull delivered
sits on the lock until then, i.e. until a further event is pulled.
"""

import asyncio

from reference.streams import StreamChannel, StreamMux

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-FLIGHT-3"
ALSO: dict[str, str] = {}


class LockedChannel(StreamChannel):
    async def _next_item(self):
        state = self._state
        while True:
            if state.buffer:
                return state.take()
            if state.closed:
                if state.error is not None:
                    raise state.error
                raise StopAsyncIteration
            async with self._pump_lock:  # BROKEN: held until this reader's own item
                while not state.buffer and not state.closed:
                    ready = state.waiters.new()
                    try:
                        if self._pump is None or not await self._pump(ready):
                            await ready
                    finally:
                        state.waiters.discard(ready)


class LockedMux(StreamMux):
    def __init__(self, projections=(), *, scope=()) -> None:
        self._pump_lock = asyncio.Lock()
        super().__init__(projections, scope=scope)

    def _new_channel(self, name, maxlen):
        channel = LockedChannel(name, maxlen=maxlen)
        channel._bind(self.request_more)
        channel._pump_lock = self._pump_lock
        return channel


runcert_adapter = stream_adapter(__name__, __doc__, mux=LockedMux)

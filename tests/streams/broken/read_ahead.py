"""Breaks RS-PUMP-3: every step pulls one event ahead of the reader.

A step pulls and routes its event, then (unless the run is over) pulls and routes the
next one too, so reading the k-th item has pulled the source k+1 times.
"""

import asyncio

from reference.streams import AsyncGraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-PUMP-3"
ALSO = {
    "RS-FLIGHT-2": "each step pulls twice, so the waiters of one event cost two pulls",
}


class ReadAheadRun(AsyncGraphRunStream):
    async def _pull_and_route(self, source) -> None:
        await super()._pull_and_route(source)
        if not self._exhausted:
            self._step = asyncio.current_task()  # still the one step in flight
            await super()._pull_and_route(source)  # BROKEN: a second pull per step


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=ReadAheadRun)

"""Breaks RS-PUMP-2: the first read starts a task that pumps the run to its end.

After the first step a consumer drives, the run stream keeps pulling in a background
task of its own (the classic ``ensure_future(pump())``), whether anyone reads or not.
"""

import asyncio

from reference.streams import AsyncGraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-PUMP-2"
ALSO = {
    "RS-ABORT-4": "the background task has exhausted the source before abort(), so there is nothing left to close",
    "RS-PUMP-3": "the background task pulls ahead of every reader",
    "RS-FLIGHT-2": "waiters are served, then the background task pulls again",
    "RS-ERR-4": "a bounded log whose cursor was closed is refilled ahead of the readers while the test reads the main log",
}


class BackgroundPumpRun(AsyncGraphRunStream):
    _background: "asyncio.Task[None] | None" = None

    async def _apump_next(self, ready=None):
        more = await super()._apump_next(ready)
        if more and self._background is None:
            self._background = asyncio.ensure_future(self._drive())  # BROKEN
        return more


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=BackgroundPumpRun)

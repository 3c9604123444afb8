"""Breaks RS-ERR-3: the result methods await one shared drive task without ``shield``.

``output()``, ``interrupted()`` and ``interrupts()`` all await a single task that drives
the run to its end, started by the first of them. Awaiting a task directly forwards the
awaiter's cancellation into it, so cancelling one caller cancels the drive for every
caller, now and later (the pitfall fixed in indexable-inc/index#2115: a ``wait_for`` on a
shared job task killed the job for everyone). Readers are not affected.
"""

import asyncio

from reference.streams import AsyncGraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-ERR-3"
ALSO: dict[str, str] = {}


class SharedDriveRun(AsyncGraphRunStream):
    _driving: "asyncio.Task[None] | None" = None

    async def _drive(self) -> None:
        if self._driving is None:
            self._driving = asyncio.ensure_future(super()._drive())
        await self._driving  # BROKEN: one caller's cancellation cancels it for all


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=SharedDriveRun)

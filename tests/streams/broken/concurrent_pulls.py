"""Breaks RS-FLIGHT-1: result methods start pulls of their own while one is in flight.

Readers share the single-flight step as they should, but ``output()``,
``interrupted()`` and ``interrupts()`` never join a step whose pull is in progress:
each of their pumps starts a new one, so a result method awaited next to a reader
enters the source's ``__anext__`` while the reader's pull is still running. (A step
whose pull is over and whose routing waits on a full log is joined as it should be,
and abort() still cancels every step, so the break stays about the pulls.)
"""

import asyncio

from reference.streams import AsyncGraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-FLIGHT-1"
ALSO = {
    "RS-ERR-3": "a result call's pull runs next to the reader's; with a generator source the second pull raises 'already running' and fails the run for the others",
    "RS-ABORT-6": "a step the result method overtook is still pending when abort() returns",
    "RS-ABORT-2": "two pulls of a generator source at once make the second raise 'asynchronous generator is already running' into a cursor",
}


class _Pulling:
    """The source, flagging the run while one of its pulls is in progress."""

    def __init__(self, run: "ConcurrentPullRun", source) -> None:
        self._run, self._source = run, source

    async def __anext__(self):
        self._run._pulls += 1
        try:
            return await self._source.__anext__()
        finally:
            self._run._pulls -= 1


class ConcurrentPullRun(AsyncGraphRunStream):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._overtaken: set[asyncio.Task[None]] = set()
        self._pulls = 0  # pulls in progress

    async def _pull_and_route(self, source) -> None:
        await super()._pull_and_route(_Pulling(self, source))

    async def _drive(self) -> None:
        while True:
            if self._step is not None and self._pulls:
                self._overtaken.add(self._step)
                self._step = None  # BROKEN: start another pull instead of joining this one
            if not await self._apump_next():
                return

    async def _release_source(self) -> None:
        steps = {step for step in self._overtaken if not step.done()}
        for step in steps:
            step.cancel()
        if steps:
            await asyncio.wait(steps)
        await super()._release_source()


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=ConcurrentPullRun)

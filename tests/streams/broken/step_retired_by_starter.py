"""Breaks RS-FLIGHT-1: the reader that started a step retires whatever step is current.

The step no longer clears itself when it ends: the reader that started it retires it
when it wakes and sees it finished, and a reader that joined the step and wakes to find
it finished but not retired yet (its own item not there) starts the next step at once.
The retiring is unguarded (``self._step = None``, not "if it is still mine"), so when a
joiner wakes *before* the starter and starts the next step, the starter then forgets
that step while its pull is in flight, and the next reader pulls again: two pulls at
once.

The bug lives in one interleaving only. A finished step wakes its waiters in the order
they joined it, the starter first, so asyncio's FIFO order never shows it: with
``--runcert-fifo`` the stream suites pass it. The controlled loop
(``conformance.scheduling``) lets the state machines and the crowd properties wake a
joiner before the starter, and they reject it (``tests/test_scheduler.py``).
"""

import asyncio

from reference.eager import start
from reference.streams import AsyncGraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-FLIGHT-1"
ALSO: dict[str, str] = {}
#: Over the wire the implementation's callbacks run on the driver's loop, which the
#: controlled loop does not order (specs/wire.md, "Threads, loops and the order of events").
OVER_THE_WIRE = ("the joiner-before-starter wake-up is an order of the driver's own loop, "
                 "which the kit's controlled loop does not reach")


class StepRetiredByStarterRun(AsyncGraphRunStream):
    async def _apump_next(self, ready: asyncio.Future[None] | None = None) -> bool:
        if self._exhausted or self._inherits_pump or self._source is None:
            return await super()._apump_next(ready)
        if ready is not None and ready.done():
            return True
        started = None
        if self._step is None:
            step = start(self._pull_and_route(self._source))
            if step is None:
                return True
            self._step = started = step
        step = self._step  # a finished step not retired yet is waited on like any other
        waiting: set[asyncio.Future[object]] = {step}
        if ready is not None:
            waiting.add(ready)
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        if not step.done() or self._exhausted:
            return True
        if step is started:
            self._step = None  # BROKEN: retires the current step, maybe a joiner's newer one
        elif self._step is step and not (ready is not None and ready.done()):
            # a joiner that finds the finished step not retired yet starts the next one
            self._step = start(self._pull_and_route(self._source))
        return True

    async def _pull_and_route(self, source) -> None:
        """The reference's step, but it leaves ``_step`` set when it ends."""
        pulled = False
        try:
            event = await source.__anext__()
            pulled = True
            if not self._exhausted:
                await self._mux.apush(event)
        except StopAsyncIteration:
            self._source_done = True
            self._finish(None)
        except BaseException as error:
            if not self._exhausted:
                self._source_done = not pulled
                self._finish(error)


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=StepRetiredByStarterRun)

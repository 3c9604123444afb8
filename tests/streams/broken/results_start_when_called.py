"""Breaks RS-RES-4: calling a result method starts driving the run before it is awaited.

``output()`` and friends kick off one pump step in a task when they are called (to
"get going" early) and return the coroutine that drives the rest, so a result that is
called but never awaited has pulled from the source.
"""

import asyncio

from reference.streams import AsyncGraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-RES-4"
ALSO: dict[str, str] = {}


class EagerResultsRun(AsyncGraphRunStream):
    def _kick(self) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # called outside a loop: nothing to kick
        asyncio.ensure_future(self._apump_next())  # BROKEN: driven without an await

    def output(self):
        self._kick()
        return super().output()

    def interrupted(self):
        self._kick()
        return super().interrupted()

    def interrupts(self):
        self._kick()
        return super().interrupts()


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=EagerResultsRun)

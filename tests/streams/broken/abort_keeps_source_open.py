"""Breaks RS-ABORT-4: abort() cancels the pull in flight but never closes the source.

The source's ``aclose()`` is not called, so a graph runner aborted before its end keeps
its resources.
"""

import asyncio

from reference.streams import AsyncGraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-ABORT-4"
ALSO = {
    "RS-ABORT-8": "leaving `async with` early must close the source through abort(), which closes nothing here",
}


class NoCloseRun(AsyncGraphRunStream):
    async def _release_source(self) -> None:
        step = self._step
        if step is not None:
            step.cancel()
            await asyncio.wait({step})
        # BROKEN: the source's aclose() is never called


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=NoCloseRun)

"""Breaks RS-ABORT-6: abort() gives the cancelled pull one loop turn to unwind, no more.

``_release_source`` cancels the step and yields once (``cancel()`` then ``sleep(0)``,
assuming the cancellation is over by then) instead of waiting for it: a pull whose
cleanup awaits is still unwinding, its task pending, when abort() returns.
"""

import asyncio

from reference.streams import AsyncGraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-ABORT-6"
ALSO: dict[str, str] = {}


class OneTurnAbortRun(AsyncGraphRunStream):
    async def _release_source(self) -> None:
        step = self._step
        if step is not None:
            step.cancel()
            await asyncio.sleep(0)  # BROKEN: not `await asyncio.wait({step})`
        if self._source_done or self._source is None:
            return
        self._source_done = True
        aclose = getattr(self._source, "aclose", None)
        if aclose is not None:
            try:
                await aclose()
            except Exception:
                pass


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=OneTurnAbortRun)

"""Breaks RS-ERR-3: cancelling the consumer that waits on a pull cancels the pull.

The consumer's cancellation is forwarded into the step in flight; the source observes
it, and the run fails with ``CancelledError`` for every other consumer.
"""

import asyncio

from reference.streams import AsyncGraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-ERR-3"
ALSO = {
    "RS-ERR-4": "cancelling a cursor's task is one way of closing it, and here that cancellation ends the run for everyone instead of letting go",
}


class ForwardCancelRun(AsyncGraphRunStream):
    async def _apump_next(self, ready=None):
        try:
            return await super()._apump_next(ready)
        except asyncio.CancelledError:
            if self._step is not None:
                self._step.cancel()  # BROKEN: one consumer's cancellation reaches the pull
            raise


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=ForwardCancelRun)

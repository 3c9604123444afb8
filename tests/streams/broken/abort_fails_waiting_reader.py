"""Breaks RS-ABORT-2: a reader waiting on the pull that abort() cancels gets an error.

The consumer that joined the step in flight raises ``RuntimeError("run aborted")`` when
abort() ends that step, instead of ending like at a normal end (cursors with items
buffered, or called later, still end cleanly; result methods are unaffected).
"""

from reference.streams import AsyncGraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-ABORT-2"
ALSO = {
    "RS-ABORT-1": "its test of abort() during a held pull checks the waiting reader ends",
    "RS-ABORT-9": "the readers waiting when another task aborts raise instead of ending",
    "RS-ABORT-5": "the main log's reader waiting behind the blocked push raises",
    "RS-ABORT-7": "the reader waiting on the stubborn pull raises",
}


class ErrorOnAbortRun(AsyncGraphRunStream):
    async def _apump_next(self, ready=None):
        busy = self._step is not None or not self._exhausted
        more = await super()._apump_next(ready)
        if busy and ready is not None and self._aborting is not None:
            raise RuntimeError("run aborted")  # BROKEN: not a clean end
        return more


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=ErrorOnAbortRun)

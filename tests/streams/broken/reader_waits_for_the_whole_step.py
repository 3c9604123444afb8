"""Breaks RS-FLIGHT-3: a reader returns only once the whole step is over.

Waiting readers are woken when the step in flight has pulled *and* routed its event, as
LangGraph's ``_apump_next`` does (passive consumers wait on a Condition notified after
the pumper's ``apush`` returns): a reader whose item has landed waits on while the same
step's push into another, full log waits for that log's reader.
"""

import asyncio

from reference.eager import start
from reference.streams import AsyncGraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-FLIGHT-3"
ALSO = {
    "RS-ABORT-2": "a nested abort ends a nested reader waiting on the outer pump through "
                  "that reader's wake-up future; waiting for the outer step instead, the "
                  "reader waits for the outer source",
}


class WholeStepRun(AsyncGraphRunStream):
    async def _apump_next(self, ready=None):
        if self._exhausted or self._source is None:
            return await super()._apump_next(ready)
        if ready is not None and ready.done():
            return True
        if self._step is None:
            step = start(self._pull_and_route(self._source))
            if step is None:
                return True
            self._step = step
        await asyncio.wait({self._step})  # BROKEN: `ready` is not waited on
        return True


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=WholeStepRun)

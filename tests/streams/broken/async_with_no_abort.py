"""Breaks RS-ABORT-8: leaving ``async with run`` does not abort the run.

``__aexit__`` returns without calling ``abort()``: the source stays open and the run
can still be driven after the block.
"""

from reference.streams import AsyncGraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-ABORT-8"
ALSO: dict[str, str] = {}


class NoAbortOnExitRun(AsyncGraphRunStream):
    async def __aexit__(self, exc_type, exc, tb) -> None:
        return None  # BROKEN: no abort()


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=NoAbortOnExitRun)

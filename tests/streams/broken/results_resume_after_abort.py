"""Breaks RS-RES-6: result methods of an aborted run pull the rest of the source.

After ``abort()``, ``output()``, ``interrupted()`` and ``interrupts()`` iterate the
source to its end and fold what they pull into the results.
"""

from reference.streams import AsyncGraphRunStream
from reference.streams._routing import to_protocol_event

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-RES-6"
ALSO = {
    "RS-ABORT-7": "results of an aborted run fold in what was pulled after abort()",
}


class ResumingResultsRun(AsyncGraphRunStream):
    async def _drive(self) -> None:
        await super()._drive()
        if self._aborting is not None and self._source is not None:
            async for event in self._source:  # BROKEN: an aborted run is pulled again
                self._mux._observe(to_protocol_event(event))


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=ResumingResultsRun)

"""Breaks RS-ERR-2: the result methods of a failed run report the last state seen.

``output()``, ``interrupted()`` and ``interrupts()`` return what was observed before the
source raised instead of raising the run's error (cursors still raise it).
"""

from reference.streams import AsyncGraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-ERR-2"
ALSO = {
    "RS-ERR-5": "result calls after a Fatal error return the last state instead of raising the Fatal",
}


class LenientResultsRun(AsyncGraphRunStream):
    def _outcome(self):
        return self._mux.result  # BROKEN: the failure is not raised


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=LenientResultsRun)

"""Breaks RS-SYNC-4: the sync abort() ends the cursors but never closes the source.

As in LangGraph 1.2.0-1.2.5 (``run_stream.py:132-145``): the sync ``abort()`` only closes
the mux.
"""

from reference.streams import GraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-SYNC-4"
ALSO: dict[str, str] = {}


class NoCloseSyncRun(GraphRunStream):
    def abort(self) -> None:
        self._exhausted = True
        self._mux.close()  # BROKEN: the unfinished source is never closed


runcert_adapter = stream_adapter(__name__, __doc__, sync_run=NoCloseSyncRun)

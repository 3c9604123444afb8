"""Breaks RS-SYNC-3: the sync result properties report what was seen so far.

``output``, ``interrupted`` and ``interrupts`` read the current state without driving
the run to completion (the async lane's methods still do).
"""

from reference.streams import GraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-SYNC-3"
ALSO: dict[str, str] = {}


class LazySyncRun(GraphRunStream):
    def _drive(self) -> None:
        return None  # BROKEN: the run is not driven to its end


runcert_adapter = stream_adapter(__name__, __doc__, sync_run=LazySyncRun)

"""Breaks RS-SYNC-1: each sync pump step pulls one event ahead.

The sync run pulls and routes two events whenever a reader needs one, so reading the
k-th item has pulled the source k+1 times.
"""

from reference.streams import GraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-SYNC-1"
ALSO = {
    "RS-SYNC-4": "the sync abort test counts what the main log had buffered, one event more here",
    "RS-SYNC-5": "the event read ahead fills the bounded log one read early, so BufferError comes from a different read",
}


class ReadAheadSyncRun(GraphRunStream):
    def _pump_next(self) -> bool:
        more = super()._pump_next()
        if more:
            super()._pump_next()  # BROKEN: a second pull per step
        return more


runcert_adapter = stream_adapter(__name__, __doc__, sync_run=ReadAheadSyncRun)

"""Breaks RS-EXT-1: ``run.extensions`` is a plain dict.

The mapping of projections is exposed as the mux's own dict, so a caller can add,
replace or delete projections of a running stream.
"""

from reference.streams import StreamMux

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-EXT-1"
ALSO: dict[str, str] = {}


class DictMux(StreamMux):
    def __init__(self, projections=(), *, scope=()) -> None:
        super().__init__(projections, scope=scope)
        self.extensions = dict(self.extensions)  # BROKEN: not read-only


runcert_adapter = stream_adapter(__name__, __doc__, mux=DictMux)

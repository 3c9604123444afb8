"""Breaks RS-DELIV-2: main-log ``seq`` numbers are counted per method.

Each method keeps its own counter (as if ``seq`` numbered the entries of one channel),
so the main log's ``seq`` restarts whenever the method changes instead of strictly
increasing along the log.
"""

from collections import Counter

from reference.streams import StreamMux

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-DELIV-2"
ALSO: dict[str, str] = {}


class SeqPerMethodMux(StreamMux):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._seq_of: Counter[str] = Counter()

    def _stamp(self, event) -> None:
        self._seq_of[event["method"]] += 1
        event["seq"] = self._seq_of[event["method"]]  # BROKEN: one counter per method


runcert_adapter = stream_adapter(__name__, __doc__, mux=SeqPerMethodMux)

"""Breaks RS-RES-1: output() returns the first root values event, not the last.

The run's result keeps the data of the first own-namespace ``values`` event it observes
and ignores the later ones (interrupts are still recorded).
"""

from dataclasses import dataclass

from reference.streams import RunResult, StreamMux

from tests.broken_streams._streams import stream_adapter

BREAKS = "RS-RES-1"


@dataclass
class FirstValueResult(RunResult):
    seen: bool = False

    def observe(self, params) -> None:
        first, seen = self.latest, self.seen
        super().observe(params)
        if seen:
            self.latest = first  # BROKEN: the first value wins
        self.seen = True


class FirstValueMux(StreamMux):
    def __init__(self, projections=(), *, scope=()) -> None:
        super().__init__(projections, scope=scope)
        self.result = FirstValueResult()


runcert_adapter = stream_adapter(__name__, __doc__, mux=FirstValueMux)

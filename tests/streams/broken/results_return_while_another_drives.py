"""Breaks RS-RES-5: a result method called while another one drives returns at once.

The result methods guard their drive loop against re-entry: a call that finds another
result call driving the run returns what has been seen so far instead of driving (or
waiting) to the end.
"""

from reference.streams import AsyncGraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-RES-5"
ALSO: dict[str, str] = {}


class GuardedDriveRun(AsyncGraphRunStream):
    _driving = False

    async def _drive(self) -> None:
        if self._driving:
            return  # BROKEN: someone else drives; report what is known now
        self._driving = True
        try:
            await super()._drive()
        finally:
            self._driving = False


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=GuardedDriveRun)

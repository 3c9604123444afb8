"""Breaks RS-ABORT-1: a second abort() raises instead of returning.

The first call aborts the run; every later call (sequential or concurrent) raises
``RuntimeError``.
"""

from reference.streams import AsyncGraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-ABORT-1"
ALSO: dict[str, str] = {}


class AbortOnceRun(AsyncGraphRunStream):
    async def abort(self) -> None:
        if self._aborting is not None:
            raise RuntimeError("run already aborted")  # BROKEN: not idempotent
        await super().abort()


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=AbortOnceRun)

"""Breaks RS-ABORT-9: abort() from a task being cancelled does not close the run's logs.

When the caller is itself being cancelled (the cleanup of a cancelled request handler),
abort() takes a "do not block" shortcut: it stops the pump and hands the rest to a
task that cancels the pull and closes the source, but it never closes the mux, so the
consumers waiting on the run wait forever. Aborting from any other task is unaffected.
"""

import asyncio

from reference.streams import AsyncGraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-ABORT-9"
ALSO: dict[str, str] = {}


class CancelledCallerRun(AsyncGraphRunStream):
    async def abort(self) -> None:
        caller = asyncio.current_task()
        if self._aborting is None and caller is not None and caller.cancelling():
            self._exhausted = True  # BROKEN: the mux stays open
            self._aborting = asyncio.get_running_loop().create_task(self._release_source())
            return
        await super().abort()


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=CancelledCallerRun)

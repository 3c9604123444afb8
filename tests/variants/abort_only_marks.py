"""The reference, except that abort() only marks the run over: like langgraph before
1.2.6 it neither cancels the pull in flight nor closes the source, and nothing wakes
whoever waits on that pull.

A reader waiting on a held pull at the abort, and a result method that was pulling,
then go on waiting. Nothing is listed, so where a rule says they end (RS-ABORT-2,
RS-ABORT-9, RS-RES-6) its own check must fail ("... did not finish within Ns"), while
a wait no rule under test promises to end (a reader joined for RS-ABORT-7) stays a
timeout.
"""

from reference.streams import AsyncGraphRunStream

from tests.streams.broken._streams import stream_adapter


class MarkOnlyAbort(AsyncGraphRunStream):
    async def abort(self) -> None:
        self._exhausted = True  # BROKEN: no pull cancelled, no waiter woken, nothing closed


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=MarkOnlyAbort)

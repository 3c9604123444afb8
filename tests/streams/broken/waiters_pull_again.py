"""Breaks RS-FLIGHT-2: a consumer that joined a step in flight pulls again when it is over.

Waiters share the pull in flight, but once it completes each of them starts a step of its
own without first looking at its buffer, so one event awaited by several consumers costs
one pull per waiter (the hint's "pull again after the lock instead of re-checking").
"""

from reference.streams import AsyncGraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-FLIGHT-2"
ALSO = {
    "RS-FLIGHT-3": "a passive consumer's extra pull waits for the next event before it returns",
    "RS-BP-6": "a waiting tee branch's extra pull waits on the full log behind it (timeout)",
    "RS-NEST-4": "the outer reader's extra pull waits on the full root projection (timeout)",
    "RS-DELIV-1": "the reader draining the full log of its test pulls again and waits on its own log (timeout)",
}


class PullAgainRun(AsyncGraphRunStream):
    async def _apump_next(self, ready=None):
        joined = self._step is not None and not self._inherits_pump
        more = await super()._apump_next(ready)
        if joined and more and self._step is None:
            return await super()._apump_next(None)  # BROKEN: not re-checking `ready`
        return more


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=PullAgainRun)

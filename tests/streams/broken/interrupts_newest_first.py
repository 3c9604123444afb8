"""Breaks RS-RES-3: ``interrupts()`` lists the root interrupts newest first.

The payloads are kept by prepending, so callers resuming in list order resume the last
interrupt first.
"""

from reference.streams import AsyncGraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-RES-3"
ALSO = {
    "RS-RES-7": "its repeated-interrupt test compares two distinct interrupts in order",
}


class NewestFirstRun(AsyncGraphRunStream):
    async def interrupts(self):
        return list(reversed(await super().interrupts()))  # BROKEN: source order lost


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=NewestFirstRun)

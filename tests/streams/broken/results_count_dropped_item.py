"""Breaks RS-ABORT-7: the item a pull returns after ignoring abort()'s cancellation still
counts for the results.

The step drops the late item from every cursor, but folds it into the results first, as
LangGraph's ``_apump_next`` does with ``_observe_event`` before routing.
"""

from reference.streams import AsyncGraphRunStream
from reference.streams._routing import to_protocol_event

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-ABORT-7"
ALSO: dict[str, str] = {}


class LateResultsRun(AsyncGraphRunStream):
    async def _pull_and_route(self, source) -> None:
        pulled = False
        try:
            event = await source.__anext__()
            pulled = True
            if self._exhausted:
                self._mux._observe(to_protocol_event(event))  # BROKEN: counted after abort()
            else:
                await self._mux.apush(event)
        except StopAsyncIteration:
            self._source_done = True
            self._finish(None)
        except BaseException as error:
            if not self._exhausted:
                self._source_done = not pulled
                self._finish(error)
        finally:
            self._step = None


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=LateResultsRun)

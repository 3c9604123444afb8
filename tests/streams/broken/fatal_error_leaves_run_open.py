"""Breaks RS-ERR-5: a source ``BaseException`` that is not an ``Exception`` leaves the run open.

The step catches ``Exception`` only, as LangGraph's ``_apump_next`` does: a fatal error
escapes the step without ending the run, so later cursors and results pull the source
again.
"""

from reference.streams import AsyncGraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-ERR-5"
ALSO: dict[str, str] = {}


class ExceptionOnlyRun(AsyncGraphRunStream):
    async def _pull_and_route(self, source) -> None:
        pulled = False
        try:
            event = await source.__anext__()
            pulled = True
            if not self._exhausted:
                await self._mux.apush(event)
        except StopAsyncIteration:
            self._source_done = True
            self._finish(None)
        except Exception as error:  # BROKEN: other BaseExceptions do not end the run
            if not self._exhausted:
                self._source_done = not pulled
                self._finish(error)
        finally:
            self._step = None


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=ExceptionOnlyRun)

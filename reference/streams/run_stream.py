"""Async run streams: caller-driven, single-flight pumping over a source."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from types import TracebackType
from typing import Any, Self

from ._base import RunStreamBase
from ._routing import Projection
from .mux import StreamMux

from reference import arguments
from reference.eager import start

logger = logging.getLogger(__name__)


class AsyncGraphRunStream(RunStreamBase[StreamMux]):
    """An async run: reading a projection is what advances the source.

    No background task ever starts a pull (RS-PUMP-2). The pull and the
    routing of its event form one *step*. A step starts in the reader that
    needs it and, if it has to wait, goes on as a task, so that a consumer
    cancelled mid-step neither loses nor duplicates events (RS-ERR-3); at
    most one step exists at a time and every waiting consumer shares it
    (RS-FLIGHT-1, RS-FLIGHT-2).

    ``graph_aiter=None`` with ``wire_pump=False`` makes a nested stream that
    is driven by the pump already bound to ``mux`` (see ``nested``). A source
    that is no async iterator, or a mux that is no ``StreamMux``, raises
    ``TypeError`` here, when the run is opened.
    """

    def __init__(self, graph_aiter: AsyncIterator[Any] | None, mux: StreamMux, *,
                 wire_pump: bool = True) -> None:
        self._check_source("graph_aiter", graph_aiter, "__anext__", "an async iterator")
        arguments.instance("mux", mux, StreamMux)
        super().__init__(mux)
        self._source = graph_aiter
        self._inherits_pump = graph_aiter is None and not wire_pump
        self._source_done = graph_aiter is None  # ended or failed: never closed again
        self._exhausted = False
        self._step: asyncio.Task[None] | None = None
        self._aborting: asyncio.Task[None] | None = None
        if wire_pump:
            mux.bind_pump(self._apump_next)

    # -- the pump ---------------------------------------------------------------
    async def _apump_next(self, ready: asyncio.Future[None] | None = None) -> bool:
        """Start a step, or join the one in flight; return when it is done or
        ``ready`` (the reader's buffer changed) fires. False once the run is over.
        """
        if self._exhausted:
            return False
        if self._inherits_pump:
            return not self._mux.closed and await self._mux.request_more(ready)
        if self._source is None:
            self._finish(None)  # no source: an empty run
            return False
        if ready is not None and ready.done():
            return True  # the reader's item already arrived (RS-FLIGHT-3)
        if self._step is None:
            # Run the step now; it becomes a task only if it has to wait (source or backpressure).
            step = start(self._pull_and_route(self._source))
            if step is None:
                return True  # pulled and routed without waiting: nothing to share
            self._step = step
        waiting: set[asyncio.Future[Any]] = {self._step}
        if ready is not None:
            waiting.add(ready)  # wake as soon as our item lands, even mid-step
        # asyncio.wait never cancels the step, so neither does a consumer's cancellation.
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        return True

    async def _pull_and_route(self, source: AsyncIterator[Any]) -> None:
        """One step: pull one event and route it (routing may wait: RS-BP-2)."""
        pulled = False
        try:
            event = await source.__anext__()
            pulled = True
            if not self._exhausted:  # aborted meanwhile: drop it (RS-ABORT-7)
                await self._mux.apush(event)
        except StopAsyncIteration:
            self._source_done = True
            self._finish(None)
        except BaseException as error:  # also non-Exception errors end the run (RS-ERR-5)
            if not self._exhausted:  # else: the cancellation that abort() sent
                self._source_done = not pulled
                self._finish(error)
        finally:
            self._step = None

    def _finish(self, error: BaseException | None) -> None:
        """End the run once: close the mux, or fail it with ``error``."""
        if self._exhausted:
            return
        self._exhausted = True
        if error is None:
            self._mux.close()
        else:
            self._mux.fail(error)

    # -- stopping -----------------------------------------------------------------
    async def abort(self) -> None:
        """Stop the run early; idempotent, also when called concurrently.

        Closes the mux (cursors end cleanly, a push blocked on a full log
        returns without appending), cancels the pull in flight, then closes
        a source that has not ended, once (RS-ABORT-1..7).
        """
        if self._aborting is None:
            self._exhausted = True  # from here on nothing is routed
            self._mux.close()
            self._aborting = asyncio.get_running_loop().create_task(self._release_source())
        await asyncio.shield(self._aborting)

    async def _release_source(self) -> None:
        step = self._step
        if step is not None:
            step.cancel()  # the source observes the cancellation (RS-ABORT-3)
            await asyncio.wait({step})
        if self._source_done or self._source is None:
            return
        self._source_done = True  # closed exactly once (RS-ABORT-4)
        aclose = getattr(self._source, "aclose", None)
        if aclose is not None:
            try:
                await aclose()
            except Exception:
                logger.warning("closing the run's source failed", exc_info=True)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.abort()  # never suppresses (RS-ABORT-8)

    # -- results ------------------------------------------------------------------
    async def _drive(self) -> None:
        """Pull until the run is over, whether or not anyone reads (RS-RES-5)."""
        while await self._apump_next():
            pass

    async def output(self) -> Any:
        """Drive the run to completion; the data of the last own-namespace ``values``."""
        await self._drive()
        return self._outcome().latest

    async def interrupted(self) -> bool:
        """Drive the run to completion; whether an own-namespace ``values`` was interrupted."""
        await self._drive()
        return self._outcome().interrupted

    async def interrupts(self) -> list[Any]:
        """Drive the run to completion; its distinct interrupts, as a new list."""
        await self._drive()
        return list(self._outcome().interrupts)

    # -- views ----------------------------------------------------------------------
    def __aiter__(self) -> AsyncIterator[Any]:
        """The main log's cursor (single consumer)."""
        return self._mux.main_log.__aiter__()

    def nested(self, path: Sequence[str],
               projections: Sequence[Projection] = ()) -> AsyncSubgraphRunStream:
        """A run stream for the nested namespace ``path``, driven by this run.

        ``projections`` name absolute namespaces, like the root's.
        """
        return AsyncSubgraphRunStream(self._mux.child(path, projections), path=path)


class AsyncSubgraphRunStream(AsyncGraphRunStream):
    """A nested run stream: no source of its own, the root's pump (RS-NEST-1).

    Its projections and results follow the namespace ``path`` (RS-NEST-2/3);
    aborting it closes only its own mux.
    """

    def __init__(self, mux: StreamMux, *, path: Sequence[str]) -> None:
        arguments.instance("mux", mux, StreamMux)
        if tuple(arguments.strings("path", path)) != mux.scope:
            raise ValueError(f"mux scope {mux.scope!r} does not match path {tuple(path)!r}")
        super().__init__(None, mux, wire_pump=False)
        self.path = tuple(path)

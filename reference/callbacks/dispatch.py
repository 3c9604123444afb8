"""Deliver one event to a list of handlers, synchronously or on an event loop.

Every dispatcher takes the event's positional payload as a tuple and its keywords
as a dict it may consume: the callers build both once per event.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import logging
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from reference.eager import start
from .base import BaseCallbackHandler

logger = logging.getLogger(__name__)

Handlers = list[BaseCallbackHandler]

# Tasks delivering shielded events, kept referenced until they finish.
_in_flight: set[asyncio.Task[Any]] = set()


def handle_event(handlers: Handlers, event_name: str, ignore_flag: str | None,
                 args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Call ``event_name`` on each handler in order, in the caller's thread.

    A coroutine returned by a handler is run to completion before the next
    handler is called. A handler's exception is logged and swallowed unless
    the handler sets ``raise_error``, in which case it propagates at once.
    """
    tags, metadata = kwargs.get("tags"), kwargs.get("metadata")
    for handler in _distinct(handlers):  # list order, caller's thread (CB-DISP-1)
        try:
            if _ignores(handler, ignore_flag):
                continue
            # Each handler its own copies, made in place from the originals: cheaper
            # than _private's dict copy on the sync hot path (CB-TAG-5, CB-META-4).
            if tags is not None:
                kwargs["tags"] = tags.copy()
            if metadata is not None:
                kwargs["metadata"] = metadata.copy()
            result = getattr(handler, event_name)(*args, **kwargs)
            if result is not None and inspect.iscoroutine(result):  # (CB-PARITY-2)
                _run_to_completion(result)
        except Exception as exc:  # per handler: others still run (CB-DISP-5)
            _report(handler, event_name, exc)


async def ahandle_event(handlers: Handlers, event_name: str, ignore_flag: str | None,
                        args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Deliver the event on the running loop without blocking it.

    Inline handlers go first, one after another in list order; then all
    others run together, sync ones in the loop's default executor.
    """
    handlers = _distinct(handlers)
    for handler in handlers:  # inline first, one at a time (CB-DISP-6)
        if handler.run_inline:
            await _deliver(handler, event_name, ignore_flag, args, kwargs)
    # Start every other handler before waiting for any; most finish at once.
    outcomes: list[BaseException | asyncio.Task[None] | None] = []
    for handler in handlers:
        if not handler.run_inline:
            try:
                outcomes.append(start(_deliver(handler, event_name, ignore_flag, args, kwargs)))
            except BaseException as exc:  # raised once all are done (CB-ASYNC-4)
                outcomes.append(exc)
    tasks = [outcome for outcome in outcomes if isinstance(outcome, asyncio.Task)]
    if tasks:  # wait for every suspended handler before raising (CB-ASYNC-4)
        finished = iter(await asyncio.gather(*tasks, return_exceptions=True))
        outcomes = [next(finished) if isinstance(o, asyncio.Task) else o for o in outcomes]
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome


async def ahandle_event_shielded(handlers: Handlers, event_name: str,
                                 ignore_flag: str | None, args: tuple[Any, ...],
                                 kwargs: dict[str, Any]) -> None:
    """Like ``ahandle_event``, but delivery completes even if the caller is cancelled.

    Used for end and error events, so cancellation cannot leave a run open (CB-PAIR-4).
    """
    task = start(ahandle_event(handlers, event_name, ignore_flag, args, kwargs))
    if task is not None:  # it suspended: the rest runs in a task the caller cannot cancel
        _in_flight.add(task)
        task.add_done_callback(_in_flight.discard)
        await asyncio.shield(task)


async def _deliver(handler: BaseCallbackHandler, event_name: str, ignore_flag: str | None,
                   args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Call one handler the way the async manager must: never blocking the loop."""
    try:
        if _ignores(handler, ignore_flag):
            return
        method = getattr(handler, event_name)
        if handler.run_inline or _is_async(getattr(method, "__func__", method)):
            result = method(*args, **_private(kwargs))  # on the loop thread (CB-ASYNC-2)
        else:  # in the executor, with the caller's context (CB-ASYNC-1, CB-ASYNC-5)
            call = functools.partial(method, *args, **_private(kwargs))
            result = await asyncio.get_running_loop().run_in_executor(
                None, functools.partial(contextvars.copy_context().run, call))
        if result is not None and inspect.isawaitable(result):
            await result
    except Exception as exc:
        _report(handler, event_name, exc)


def _ignores(handler: BaseCallbackHandler, ignore_flag: str | None) -> bool:
    """Read the handler's flag, a property or a plain attribute (CB-IGN-7)."""
    return ignore_flag is not None and bool(getattr(handler, ignore_flag))


@functools.lru_cache(maxsize=4096)
def _is_async(function: Any) -> bool:
    """Whether a handler method is a coroutine function (asked once per function)."""
    return inspect.iscoroutinefunction(function)


def _distinct(handlers: Handlers) -> Handlers:
    """The handlers in order, each object once, even if listed twice (CB-DISP-2)."""
    if len(handlers) < 2:
        return handlers
    return list({id(handler): handler for handler in handlers}.values())


def _private(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Give each handler its own tags list and metadata dict (CB-TAG-5, CB-META-4)."""
    fresh = kwargs.copy()
    tags = fresh.get("tags")
    if isinstance(tags, list):
        fresh["tags"] = tags.copy()
    metadata = fresh.get("metadata")
    if isinstance(metadata, dict):
        fresh["metadata"] = metadata.copy()
    return fresh


def _run_to_completion(coro: Coroutine[Any, Any, Any]) -> None:
    """Run a handler's coroutine from sync code: here, or in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coro)
        return
    # A loop already runs in this thread and cannot be re-entered.
    with ThreadPoolExecutor(max_workers=1) as worker:
        worker.submit(contextvars.copy_context().run, asyncio.run, coro).result()


def _report(handler: BaseCallbackHandler, event_name: str, exc: Exception) -> None:
    """Log a handler failure; re-raise it if the handler asks for that (CB-DISP-3/4)."""
    logger.warning("Error in %s.%s callback: %r", type(handler).__name__, event_name, exc)
    if handler.raise_error:
        raise exc

"""One scenario, two lanes.

Suites write a scenario once as ``async def`` and reach the implementation through
``await call(...)``. On the async lane the scenario runs on a fresh event loop
(:func:`conformance.aio.run`); on the sync lane it is driven to completion *without*
any event loop: with sync managers ``call`` never suspends, so the coroutine finishes
on its first step. A sync-lane scenario that does suspend is a kit error.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from . import aio
from .adapter import CallbackFactories

T = TypeVar("T")
LANES = ("sync", "async")


async def call(value: Any) -> Any:
    """Await ``value`` if the implementation returned an awaitable, else pass it on."""
    if inspect.isawaitable(value):
        return await aio.within(value)
    return value


def manager_class(cb: CallbackFactories, lane: str) -> type:
    cls = cb.callback_manager if lane == "sync" else cb.async_callback_manager
    if cls is None:
        raise LookupError(f"the implementation has no {lane} callback manager")
    return cls


def configure(cb: CallbackFactories, lane: str, **kwargs: Any) -> Any:
    """``CallbackManager.configure(**kwargs)`` (or the async manager's) of the implementation."""
    return manager_class(cb, lane).configure(**kwargs)


def run(lane: str, scenario: Callable[[], Coroutine[Any, Any, T]]) -> T:
    if lane == "async":
        return aio.run(scenario)
    coro = scenario()
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise RuntimeError("kit error: a sync-lane scenario awaited something that suspended")

"""Start a coroutine eagerly: run it now, and make a task only if it suspends.

``loop.create_task(coro)`` followed by waiting costs several loop iterations
even when ``coro`` never waits for anything, which is the common case for
callback handlers and for a run stream's pump step. ``start`` runs ``coro``
synchronously until it first suspends; only then does a task take over, in
the same context. Python 3.12's eager task factory does the same; 3.11 lacks it.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Coroutine, Generator
from types import coroutine
from typing import Any

__all__ = ["start"]


def start(coro: Coroutine[Any, Any, None],
          context: contextvars.Context | None = None) -> asyncio.Task[None] | None:
    """Run ``coro`` in ``context`` (default: a copy of the caller's) until it suspends.

    Returns ``None`` if it finished without suspending, else the task running the
    rest of it. An exception it raised before suspending propagates to the caller.
    """
    if context is None:
        context = contextvars.copy_context()  # what a task would get
    try:
        signal = context.run(coro.send, None)
    except StopIteration:
        return None
    rest = _resume(coro, signal)
    rest.send(None)  # to its first yield: a task cancelled before its first step reaches coro
    return asyncio.get_running_loop().create_task(rest, context=context)


async def _resume(coro: Coroutine[Any, Any, None], signal: Any) -> None:
    """Await the rest of ``coro``, which suspended by yielding ``signal``.

    A real coroutine around ``_relay``: tasks take no generator from Python 3.12 on."""
    await _relay(coro, signal)


@coroutine
def _relay(coro: Coroutine[Any, Any, None], signal: Any) -> Generator[Any, Any, None]:
    """Hand ``signal`` to the task and relay its answers to ``coro`` until it returns.

    ``start`` primes it to the bare ``yield`` below, so that the task's first step
    resumes it there: a cancellation thrown before that step goes to ``coro`` too (thrown
    into an unstarted coroutine, it would end the task without ``coro`` ever seeing it).
    """
    try:
        yield  # primed by start(); the task's first step resumes here
    except BaseException as exc:  # cancelled before the task's first step
        try:
            signal = coro.throw(exc)
        except StopIteration:
            return
    while True:
        try:
            answer = yield signal
        except BaseException as exc:  # cancellation included: ``coro`` decides what to do
            try:
                signal = coro.throw(exc)
            except StopIteration:
                return
        else:
            try:
                signal = coro.send(answer)
            except StopIteration:
                return

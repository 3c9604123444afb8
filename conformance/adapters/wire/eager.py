"""Running a coroutine's first step now, and the rest in a task only if it suspends.

An ``await`` of an implementation's coroutine runs it in the caller's thread until it
first suspends; a coroutine that never waits for anything is done before the caller
goes on. Implementations rely on that (an eager dispatch whose handlers finish without
suspending has nothing to wait for), so the wire keeps it: a request marked ``eager`` is
served by running the coroutine's first step at once, answering ``pending`` only if it
suspended, and the final answer when the rest, in a task, is done. The technique is the
one ``reference.eager`` uses (Python 3.11 has no eager task factory).
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Coroutine, Generator
from types import coroutine
from typing import Any

from conformance.adapters.wire.contexts import run_in, waited_on


def _run_in(context: contextvars.Context, function: Any, *args: Any) -> Any:
    with waited_on():
        return run_in(context, function, *args)


def first_step(coro: Coroutine[Any, Any, None], context: contextvars.Context,
               loop: asyncio.AbstractEventLoop,
               make_task: Any = None) -> asyncio.Task[None] | None:
    """Run ``coro`` in ``context`` until it suspends: ``None`` if it finished, else the
    task running the rest (``make_task(coro, context)``, default ``loop.create_task``).
    What it raises before suspending propagates."""
    try:
        signal = _run_in(context, coro.send, None)
    except StopIteration:
        return None
    rest = _resume(coro, signal)
    rest.send(None)  # primed: a cancellation before the task's first step reaches coro
    if make_task is not None:
        return make_task(rest, context)  # type: ignore[no-any-return]
    return loop.create_task(rest, context=context)


async def _resume(coro: Coroutine[Any, Any, None], signal: Any) -> None:
    await _relay(coro, signal)


@coroutine
def _relay(coro: Coroutine[Any, Any, None], signal: Any) -> Generator[Any, Any, None]:
    """Hand ``signal`` to the task and relay its answers to ``coro`` until it returns."""
    try:
        yield
    except BaseException as exc:  # noqa: BLE001 - cancelled before the first step
        try:
            signal = coro.throw(exc)
        except StopIteration:
            return
    yield from _turns(coro, signal)


def _turns(coro: Coroutine[Any, Any, None], signal: Any) -> Generator[Any, Any, None]:
    """Yield ``signal`` to the task, then relay each answer (or thrown exception) of the
    task's next turn to ``coro``, until it returns."""
    while True:
        try:
            answer = yield signal
        except BaseException as exc:  # noqa: BLE001 - thrown into the task: relay it
            try:
                signal = coro.throw(exc)
            except StopIteration:
                return
        else:
            try:
                signal = coro.send(answer)
            except StopIteration:
                return


def first_step_in_task(coro: Coroutine[Any, Any, None], context: contextvars.Context,
                       loop: asyncio.AbstractEventLoop,
                       make_task: Any) -> asyncio.Task[None] | None:
    """Like :func:`first_step`, with the task that will run the rest current during the
    first step (``asyncio.current_task()``, ``Task.cancelling()`` and ``asyncio.timeout``
    work there, as they do in the awaiting task in process). The driver serves requests
    this way; the task of a coroutine that finished in its first step ends on its own
    first turn, doing nothing."""
    if asyncio.current_task(loop) is not None:
        # served inside a task of this loop (a request nested in one it runs): the first
        # step runs in that task, as a nested await would in process
        return first_step(coro, context, loop, make_task)
    holder: dict[str, Any] = {}

    async def rest() -> None:
        if "signal" in holder:
            await _Continue(coro, holder["signal"])

    task: asyncio.Task[None] = make_task(rest(), context)
    asyncio.tasks._enter_task(loop, task)
    try:
        holder["signal"] = _run_in(context, coro.send, None)
    except StopIteration:
        return None
    finally:
        asyncio.tasks._leave_task(loop, task)
    return task


class _Continue:
    """Awaiting it relays the task's turns to ``coro``, which suspended on ``signal``."""

    def __init__(self, coro: Coroutine[Any, Any, None], signal: Any) -> None:
        self.coro, self.signal = coro, signal

    def __await__(self) -> Generator[Any, Any, None]:
        return (yield from _turns(self.coro, self.signal))

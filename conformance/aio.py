"""Running implementation coroutines under a time limit, on a fresh loop, leak-checked."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from .checks import ImplementationTimeout

T = TypeVar("T")

#: Seconds one await on the implementation may take; the plugin sets it from
#: ``--runcert-await-timeout``.
AWAIT_TIMEOUT = 5.0


class LeakedTasks(AssertionError):
    """The implementation left tasks pending after the test's coroutine returned."""


async def within(awaitable: Awaitable[T], what: str = "the implementation") -> T:
    """Await ``awaitable`` for at most AWAIT_TIMEOUT seconds."""
    try:
        async with asyncio.timeout(AWAIT_TIMEOUT):
            return await awaitable
    except TimeoutError:
        raise ImplementationTimeout(
            f"timeout: {what} did not return within {AWAIT_TIMEOUT:g}s"
        ) from None


def run(
    main: Callable[[], Coroutine[Any, Any, T]],
    *,
    timeout: float | None = None,
    check_leaks: bool = True,
) -> T:
    """Run ``main()`` on a fresh event loop with a time limit.

    Tasks still pending when ``main`` returns are cancelled and reported as
    :class:`LeakedTasks`, so a leaking implementation fails instead of warning later.
    """
    limit = AWAIT_TIMEOUT * 4 if timeout is None else timeout

    async def guarded() -> tuple[T, list[asyncio.Task[Any]]]:
        me = asyncio.current_task()
        try:
            async with asyncio.timeout(limit):
                result = await main()
        except TimeoutError:
            raise ImplementationTimeout(
                f"timeout: the scenario did not finish within {limit:g}s"
            ) from None
        await asyncio.sleep(0)  # let finished tasks settle
        pending = [t for t in asyncio.all_tasks() if t is not me and not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        return result, pending

    result, pending = asyncio.run(guarded())
    if check_leaks and pending:
        names = ", ".join(sorted(t.get_name() for t in pending))
        raise LeakedTasks(f"the implementation left {len(pending)} task(s) pending: {names}")
    return result


async def settle(rounds: int = 20) -> None:
    """Let every ready callback run (a loop step, not a sleep)."""
    for _ in range(rounds):
        await asyncio.sleep(0)

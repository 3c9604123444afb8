"""Running implementation coroutines under a time limit, on a fresh loop, leak-checked."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from conformance import checks
from conformance.checks import ImplementationTimeout, escape_verdict
from conformance.scheduling import ControlledLoop, Schedule

T = TypeVar("T")

#: Seconds one await on the implementation may take; the plugin sets it from
#: ``--runcert-await-timeout``.
AWAIT_TIMEOUT = 5.0


class LeakedTasks(AssertionError):
    """The implementation left tasks pending after the test's coroutine returned."""


async def within(awaitable: Awaitable[T], what: str = "the implementation") -> T:
    """Await ``awaitable`` for at most AWAIT_TIMEOUT seconds.

    Whenever the limit expired the implementation did not return in time, and that is
    the outcome: also when the caller was cancelled meanwhile (asyncio then lets the
    cancellation through instead of a ``TimeoutError``; an implementation that sat on
    the caller's cancellation must not pass as one that honoured it). A
    ``TimeoutError`` the implementation raises itself is what it raised.
    """
    limit = asyncio.timeout(AWAIT_TIMEOUT)
    try:
        async with limit:
            return await awaitable
    except (TimeoutError, asyncio.CancelledError):
        if not limit.expired():
            raise
        raise ImplementationTimeout(
            f"timeout: {what} did not return within {AWAIT_TIMEOUT:g}s"
        ) from None


class _Unfinished:
    def __repr__(self) -> str:
        return "UNFINISHED"


#: What :func:`finishes` returns for an awaitable that did not finish under a listed
#: deviation of its rule (the check recorded it; there is no result to look at).
UNFINISHED: Any = _Unfinished()


async def finishes(rule: str, awaitable: Awaitable[T], what: str) -> T:
    """Await ``awaitable`` for at most AWAIT_TIMEOUT seconds, where ``rule`` itself says
    it finishes (a reader waiting at abort() ends, abort() returns, ...).

    Not finishing is then the rule's own finding, not a timeout: the rule's check fails
    with "<what> did not finish within Ns". Use it only where going on waiting is exactly
    what ``rule`` forbids; every other wait stays :func:`within` (a hang is a timeout).
    What was left waiting is cancelled and given the same time to stop, so no task of
    the test outlives it (one that sits on its cancellation is left to the leak check).
    Returns what ``awaitable`` returned (what it raised propagates, the kit's verdicts
    included), or :data:`UNFINISHED` when the rule is a listed deviation.
    """
    done, result = await finished(awaitable)
    if done:
        return result
    checks.check(rule, False, f"{what} did not finish within {AWAIT_TIMEOUT:g}s")
    return UNFINISHED


async def finished(awaitable: Awaitable[T]) -> tuple[bool, T | None]:
    """``(True, what it returned)``, or ``(False, None)`` when ``awaitable`` did not finish
    within AWAIT_TIMEOUT seconds; what it raised propagates. One left waiting is cancelled
    and given the same time to stop (one that sits on its cancellation is left to the
    leak check). For :func:`finishes`, and for probes, which observe a hang as "did not
    finish" instead of stopping on it."""
    task = asyncio.ensure_future(awaitable)
    try:
        await asyncio.wait({task}, timeout=AWAIT_TIMEOUT)
    except BaseException:
        task.cancel()
        raise
    if task.done():
        return True, task.result()
    task.cancel()
    await asyncio.wait({task}, timeout=AWAIT_TIMEOUT)
    if task.done() and not task.cancelled():
        task.exception()  # retrieved: cleanup only, nothing observes it
    return False, None


async def gather_outcomes(*awaitables: Awaitable[Any]) -> list[Any]:
    """What each awaitable returned or raised, like ``gather(..., return_exceptions=True)``.

    The kit's verdicts are raised instead of returned: a task that timed out waiting on
    the implementation (or hit a rule violation) is a finding of the test, and a test
    that compared it as an outcome would turn a hang into a pass or a plain failure.
    """
    outcomes = await asyncio.gather(*awaitables, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            escape_verdict(outcome)
    return outcomes


async def cancel_and_wait(tasks: list[asyncio.Task[Any]]) -> None:
    """Cancel ``tasks`` and wait until each has stopped (cleanup: what they raise on
    the way out is discarded, as nothing observes it)."""
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)


def run(
    main: Callable[[], Coroutine[Any, Any, T]],
    *,
    timeout: float | None = None,
    check_leaks: bool = True,
    schedule: Schedule | None = None,
) -> T:
    """Run ``main()`` on a fresh event loop with a time limit.

    With ``schedule`` the loop is a :class:`~conformance.scheduling.ControlledLoop`: the
    schedule orders every callback ``main`` starts, and ``main``'s own task, the
    scenario's driver, keeps its FIFO place (see ``conformance.scheduling``).

    Tasks still pending when ``main`` returns are cancelled and reported, so a leaking
    implementation fails instead of warning later. Under the plugin the report goes to
    the test's context (``TestContext.leaks``): the test's own checks run first and keep
    their message, and the plugin reports the leak besides them. Elsewhere it is raised
    at once as :class:`LeakedTasks`.
    """
    limit = AWAIT_TIMEOUT * 4 if timeout is None else timeout

    async def guarded() -> tuple[T, list[asyncio.Task[Any]]]:
        me = asyncio.current_task()
        loop = asyncio.get_running_loop()
        if me is not None and isinstance(loop, ControlledLoop):
            loop.exempt(me)
        scenario = asyncio.timeout(limit)
        try:
            async with scenario:
                result = await main()
        except TimeoutError:
            if not scenario.expired():
                raise
            raise ImplementationTimeout(
                f"timeout: the scenario did not finish within {limit:g}s"
            ) from None
        await asyncio.sleep(0)  # let finished tasks settle
        pending = [t for t in asyncio.all_tasks() if t is not me and not t.done()]
        await cancel_and_wait(pending)
        return result, pending

    if schedule is None:
        result, pending = asyncio.run(guarded())
    else:
        with asyncio.Runner(loop_factory=lambda: ControlledLoop(schedule)) as runner:
            result, pending = runner.run(guarded())
    if check_leaks and pending:
        leak = describe_leak(pending)
        leaks = checks.current().leaks
        if leaks is None:
            raise LeakedTasks(leak)
        leaks.append(leak)
    return result


def describe_leak(pending: list[asyncio.Task[Any]]) -> str:
    """What was left pending, each task with its coroutine's name (what a reader can
    look for in the implementation; task names are mostly ``Task-<n>``)."""
    names = ", ".join(sorted(f"{t.get_name()} ({_coroutine_name(t)})" for t in pending))
    return f"the implementation left {len(pending)} task(s) pending: {names}"


def _coroutine_name(task: asyncio.Task[Any]) -> str:
    coro = task.get_coro()
    return getattr(coro, "__qualname__", None) or type(coro).__name__


async def settle(rounds: int = 20) -> None:
    """Let every ready callback run (a loop step, not a sleep)."""
    for _ in range(rounds):
        await asyncio.sleep(0)

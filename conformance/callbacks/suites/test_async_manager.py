"""CB-ASYNC: the async manager never blocks the loop, finishes what it starts, keeps context."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from conformance.adapter import CB_ASYNC, CB_SYNC
from conformance.checks import check, check_equal
from conformance.callbacks.lanes import call, configure, run
from conformance.callbacks.probes import raise_while_others_run

from conformance.callbacks.suites.test_events import (
    END_EVENT, KINDS, START_EVENT, STREAMING, end, mixed_handlers, run_every_kind, start,
)

pytestmark = pytest.mark.requires(CB_ASYNC)

WAIT_LIMIT = 2.0  # seconds a handler thread waits for the loop before giving up
SORTS = {  # handler sorts the async manager treats differently
    "async": {"is_async": True},
    "inline-sync": {"is_async": False, "run_inline": True},
    "executor-sync": {"is_async": False},
}
#: The sorts as parameters: a sync sort needs the sync lane's handler base class.
SORT_PARAMS = [pytest.param(sort, marks=[] if SORTS[sort]["is_async"] else
                            pytest.mark.requires(CB_SYNC)) for sort in sorted(SORTS)]


class LoopGate:
    """Lets a sync handler go only once a coroutine running on the loop releases it.

    ``hook`` (called in the handler) schedules that coroutine and waits for it, at most
    WAIT_LIMIT seconds; if the loop is blocked the wait times out and is counted.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.waits: list[bool] = []  # per call: True if the wait timed out

    def hook(self, event: Any) -> None:
        released = threading.Event()

        async def release() -> None:
            released.set()

        asyncio.run_coroutine_threadsafe(release(), self.loop)
        self.waits.append(not released.wait(WAIT_LIMIT))


async def steps(manager: Any, after: Callable[[str], Awaitable[None] | None]) -> None:
    """Every kind's start, on_text, token and end; ``after(event name)`` follows each call."""
    for kind in KINDS:
        rm = await start(manager, kind)
        await _maybe(after(START_EVENT[kind]))
        await call(rm.on_text("t"))
        await _maybe(after("on_text"))
        if kind in STREAMING:
            await call(rm.on_llm_new_token("tok"))
            await _maybe(after("on_llm_new_token"))
        await end(rm, kind)
        await _maybe(after(END_EVENT[kind]))


async def _maybe(value: Any) -> None:
    if value is not None:
        await value


# -- CB-ASYNC-1 ----------------------------------------------------------------------------

@pytest.mark.rule("CB-ASYNC-1")
@pytest.mark.requires(CB_SYNC)  # sync handlers under the async manager
@pytest.mark.parametrize("kind", KINDS)
def test_sync_handler_does_not_block_loop(cb, handler, log, kind):
    async def scenario():
        gate = LoopGate(asyncio.get_running_loop())
        slow = handler("slow", is_async=False, hooks={START_EVENT[kind]: gate.hook, END_EVENT[kind]: gate.hook})
        manager = configure(cb, "async", inheritable_callbacks=[slow])
        await end(await start(manager, kind), kind)
        return gate.waits

    waits = run("async", scenario)
    check_equal("CB-ASYNC-1", len(waits), 2, f"calls of the non-inline sync handler ({kind})")
    check("CB-ASYNC-1", not any(waits),
          f"a non-inline sync handler waited {WAIT_LIMIT:g}s for a coroutine on the loop and "
          f"timed out ({sum(waits)} of {len(waits)} calls): the handler blocked the loop")


# -- CB-ASYNC-2 ----------------------------------------------------------------------------

@pytest.mark.rule("CB-ASYNC-2")
@pytest.mark.requires(CB_SYNC)  # inline sync handlers under the async manager
def test_inline_handler_runs_on_loop_thread(cb, handler, log):
    inline = handler("inline", is_async=False, run_inline=True)

    async def scenario():
        await run_every_kind(configure(cb, "async", inheritable_callbacks=[inline]))
        return threading.get_ident()

    loop_thread = run("async", scenario)
    events = log.of("inline")
    check("CB-ASYNC-2", len(events) > len(KINDS), f"inline handler got only {len(events)} events")
    off_loop = sorted({e.name for e in events if e.thread != loop_thread})
    check_equal("CB-ASYNC-2", off_loop, [], "events an inline handler received off the loop thread")


# -- CB-ASYNC-3 ----------------------------------------------------------------------------

@pytest.mark.rule("CB-ASYNC-3")
@pytest.mark.parametrize("sort", SORT_PARAMS)
def test_dispatch_complete_on_return(cb, handler, log, sort):
    finished: list[str] = []
    unfinished: list[str] = []

    async def scenario():
        gate = LoopGate(asyncio.get_running_loop())

        async def slow_async(event):
            for _ in range(3):
                await asyncio.sleep(0)
            finished.append(event.name)

        def sync_hook(event):
            if sort == "executor-sync":
                gate.hook(event)  # finishes only after the loop ran again
            finished.append(event.name)

        hook = slow_async if sort == "async" else sync_hook
        h = handler(sort, hooks={"*": hook}, **SORTS[sort])
        calls: list[str] = []

        def after(name: str) -> None:
            calls.append(name)
            if finished != calls:
                unfinished.append(name)

        await steps(configure(cb, "async", inheritable_callbacks=[h]), after)
        # Checked before the scenario returns: a handler left running would otherwise be
        # reported as a leaked task, not as what it is.
        check_equal("CB-ASYNC-3", unfinished, [],
                    f"event methods that returned before the {sort} handler finished "
                    f"(handler calls started but not awaited?)")
        return calls

    calls = run("async", scenario)
    check("CB-ASYNC-3", len(calls) > len(KINDS), f"only {len(calls)} event methods ran")


# -- CB-ASYNC-4 ----------------------------------------------------------------------------

async def _suspend(event: Any) -> None:
    """An async handler that waits for the loop, as one doing I/O does."""
    for _ in range(3):
        await asyncio.sleep(0)


@pytest.mark.rule("CB-ASYNC-4")
@pytest.mark.parametrize("suspending", [False, True], ids=["immediate", "suspending"])
def test_no_leaked_tasks(cb, handler, log, suspending):
    """Also with an async handler that suspends, which an implementation must run in a
    task of its own and wait for (a task left for it is still pending on return)."""
    handlers = mixed_handlers(handler)
    if suspending:
        handlers.append(handler("async-suspending", is_async=True, hooks={"*": _suspend}))
    leaks: list[str] = []

    async def scenario():
        me = asyncio.current_task()
        before = asyncio.all_tasks()

        def after(name: str) -> None:
            pending = [t for t in asyncio.all_tasks() - before if t is not me and not t.done()]
            leaks.extend(f"{name}: {t.get_name()}" for t in pending)

        await steps(configure(cb, "async", inheritable_callbacks=handlers), after)

    run("async", scenario)
    check("CB-ASYNC-4", log.events, "no event was delivered")
    check_equal("CB-ASYNC-4", leaks, [], "tasks still pending when an event method returned")


# -- CB-ASYNC-5 ----------------------------------------------------------------------------

REQUEST = contextvars.ContextVar("request_id")


@pytest.mark.rule("CB-ASYNC-5")
def test_context_variables_reach_handlers(cb, handler, log):
    seen: list[tuple[str, str, Any]] = []
    handlers = mixed_handlers(handler, hooks={"*": lambda e: seen.append(
        (e.handler, e.name, REQUEST.get(None)))})

    async def scenario():
        REQUEST.set("request-7")
        await run_every_kind(configure(cb, "async", inheritable_callbacks=handlers))

    run("async", scenario)
    for h in handlers:
        values = [(name, value) for label, name, value in seen if label == h.label]
        check("CB-ASYNC-5", values, f"{h.label} received no event")
        wrong = sorted({f"{name}={value!r}" for name, value in values if value != "request-7"})
        check_equal("CB-ASYNC-5", wrong, [],
                    f"events where the {h.label} handler did not see the caller's contextvar")


OWN = contextvars.ContextVar("set_by_the_handler", default="unset")


@pytest.mark.rule("CB-ASYNC-5")
@pytest.mark.parametrize("inline", [False, True], ids=["async", "inline-async"])
def test_handler_keeps_its_context_across_its_awaits(cb, handler, log, inline):
    """A handler sets a contextvar, awaits, and reads it back: one context throughout."""
    seen: list[str] = []

    async def set_then_await(event):
        OWN.set(f"set by {event.handler}")
        await asyncio.sleep(0)  # the handler suspends here
        seen.append(OWN.get())

    h = handler("h", is_async=True, run_inline=inline, hooks={"on_text": set_then_await})

    async def scenario():
        run_manager = await configure(cb, "async", inheritable_callbacks=[h]).on_chain_start(
            {"name": "c"}, {})
        await run_manager.on_text("text")

    run("async", scenario)
    check_equal("CB-ASYNC-5", seen, ["set by h"],
                "what the handler read back after its own await")


# -- CB-ASYNC-6 ----------------------------------------------------------------------------

@pytest.mark.rule("CB-ASYNC-6")
def test_raising_dispatch_leaves_no_handler_running(runcert_adapter):
    """A strict handler fails after one loop step; another needs many steps to finish
    (the scenario of the deviation probe ``raise_while_others_run``)."""
    seen = raise_while_others_run(runcert_adapter, "async")
    check_equal("CB-ASYNC-6", seen["raised"], "RuntimeError",
                "what on_chain_start with a failing raise_error handler raised")
    check_equal("CB-ASYNC-6", seen["finished when it raised"], ["slow"],
                "handlers that had finished the event when the event method raised")

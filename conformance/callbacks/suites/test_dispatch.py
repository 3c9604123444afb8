"""CB-DISP: handler order, exactly-once delivery and handler errors."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import Counter
from typing import Any
from unittest.mock import AsyncMock, Mock

import pytest

from conformance.adapter import CB_ASYNC, CB_SYNC
from conformance.checks import check, check_equal, escape_verdict
from conformance.callbacks.lanes import call, configure, handler_kind_params, run
from conformance.callbacks.recording import EVENTS

from conformance.callbacks.suites.test_events import (
    END_EVENT, ERROR_EVENT, KINDS, SER, START_EVENT, STREAMING, end, fail, mixed_handlers,
    run_every_kind, start,
)

HANDLER_KINDS = handler_kind_params()  # each kind needs its lane


def traced(handler: Any, label: str, trace: list[tuple[str, str, str]], **options: Any) -> Any:
    """A recorder that notes ``(label, phase, event)`` on entry and exit of every event.

    An async recorder yields to its loop three times between entry and exit, so a
    manager that interleaves handlers shows it in the trace.
    """
    if options.get("is_async"):
        async def hook(event):
            trace.append((label, "in", event.name))
            for _ in range(3):
                await asyncio.sleep(0)
            trace.append((label, "out", event.name))
    else:
        def hook(event):
            trace.append((label, "in", event.name))
            trace.append((label, "out", event.name))
    return handler(label, hooks={"*": hook}, **options)


def per_event(trace: list[tuple[str, str, str]]) -> dict[str, list[tuple[str, str]]]:
    """The trace split by event name (the program dispatches each name to completion)."""
    split: dict[str, list[tuple[str, str]]] = {}
    for label, phase, name in trace:
        split.setdefault(name, []).append((label, phase))
    return split


def received(log: Any, label: str) -> Counter:
    return Counter((e.name, e.run_id) for e in log.of(label))


# -- CB-DISP-1: order on the sync manager --------------------------------------------------

@pytest.mark.rule("CB-DISP-1")
@pytest.mark.requires(CB_SYNC)
@pytest.mark.parametrize("middle_async", [
    False, pytest.param(True, marks=pytest.mark.requires(CB_ASYNC))],
    ids=["all-sync", "async-in-middle"])
@pytest.mark.parametrize("kind", KINDS)
def test_sync_manager_order(cb, handler, log, kind, middle_async):
    trace: list[tuple[str, str, str]] = []
    handlers = [traced(handler, "first", trace), traced(handler, "second", trace,
                                                       is_async=middle_async),
                traced(handler, "third", trace)]

    async def scenario():
        rm = await start(configure(cb, "sync", inheritable_callbacks=handlers), kind)
        await call(rm.on_text("t"))
        await end(rm, kind)

    run("sync", scenario)
    expected = [(label, phase) for label in ("first", "second", "third") for phase in ("in", "out")]
    for name, calls in per_event(trace).items():
        check_equal("CB-DISP-1", calls, expected, f"{name}: handler calls in order")
    check_equal("CB-DISP-1", set(per_event(trace)),
                {START_EVENT[kind], "on_text", END_EVENT[kind]}, "events traced")
    caller = threading.get_ident()
    for event in log.events:
        check("CB-DISP-1", event.thread == caller,
              f"{event.handler}.{event.name} ran in thread {event.thread}, not the caller's")


# -- CB-DISP-2: every handler, exactly once ------------------------------------------------

@pytest.mark.rule("CB-DISP-2")
@pytest.mark.parametrize("kind", KINDS)
def test_every_handler_exactly_once(cb, handler, log, lane, kind):
    handlers = mixed_handlers(handler)[::-1]  # non-inline ones first in the list

    async def scenario():
        rm = await start(configure(cb, lane, inheritable_callbacks=handlers), kind)
        await call(rm.on_text("t"))
        if kind in STREAMING:
            await call(rm.on_llm_new_token("tok"))
        await end(rm, kind)
        return rm.run_id

    run_id = run(lane, scenario)
    names = [START_EVENT[kind], "on_text", END_EVENT[kind]]
    names += ["on_llm_new_token"] if kind in STREAMING else []
    expected = Counter((name, run_id) for name in names)
    for h in handlers:
        got = received(log, h.label)
        check("CB-DISP-2", got == expected,
              f"{h.label} (among sync/async, inline/non-inline handlers) on the {lane} "
              f"manager: expected each of {sorted(names)} once, got "
              f"{sorted(f'{n} x{c}' for (n, _), c in got.items())}")


@pytest.mark.rule("CB-DISP-2")
@pytest.mark.parametrize("is_async", HANDLER_KINDS)
def test_event_method_replaced_on_the_instance(cb, lane, is_async):
    """As tests do with unittest.mock: the event is an instance attribute, not a method."""
    mock = AsyncMock(return_value=None) if is_async else Mock(return_value=None)
    replaced = (cb.async_handler if is_async else cb.base_handler)()
    replaced.on_chain_start = mock
    serialized = {"name": "c"}

    async def scenario():
        await start(configure(cb, lane, inheritable_callbacks=[replaced]), "chain",
                    serialized, {"q": 1})

    run(lane, scenario)
    sort = "AsyncMock" if is_async else "Mock"
    check_equal("CB-DISP-2", mock.call_count, 1,
                f"calls of a {sort} set as the handler's on_chain_start ({lane} manager)")
    if is_async:
        check_equal("CB-DISP-2", mock.await_count, 1, "awaits of that AsyncMock's coroutine")
    check("CB-DISP-2", mock.call_args is not None and mock.call_args.args[:1] == (serialized,),
          f"arguments the {sort} received: {mock.call_args!r}")


# -- CB-DISP-3 / CB-DISP-4: handler errors -------------------------------------------------

def _run_catching(lane: str, scenario: Any) -> BaseException | None:
    try:
        run(lane, scenario)
    except Exception as exc:  # what the event method let through
        escape_verdict(exc)
        return exc
    return None


@pytest.mark.rule("CB-DISP-3")
@pytest.mark.parametrize("point", ["start", "end"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("is_async", HANDLER_KINDS)
def test_raise_error_propagates(cb, handler, log, lane, is_async, kind, point):
    event_name = (START_EVENT if point == "start" else END_EVENT)[kind]
    strict = handler("strict", is_async=is_async, raise_error=True, fail_on={event_name})

    async def scenario():
        await end(await start(configure(cb, lane, inheritable_callbacks=[strict]), kind), kind)

    raised = _run_catching(lane, scenario)
    check_equal("CB-DISP-3", len(log.named(event_name, "strict")), 1,
                f"{event_name} events the strict handler received")
    check("CB-DISP-3", isinstance(raised, RuntimeError) and "strict" in str(raised),
          f"{'async' if is_async else 'sync'} handler with raise_error failing in "
          f"{event_name} on the {lane} manager: expected its RuntimeError to reach the "
          f"caller, got {raised!r}")


def returning_handler(cb: Any, value: Any, **flags: Any) -> tuple[Any, list[str]]:
    """A strict sync handler (the implementation's base class) whose chain events return
    ``value``; also the list of the events it received."""
    received: list[str] = []

    class Returning(cb.base_handler):
        def on_chain_start(self, serialized: Any, inputs: Any, **kwargs: Any) -> Any:
            received.append("on_chain_start")
            return value

        def on_chain_end(self, outputs: Any, **kwargs: Any) -> Any:
            received.append("on_chain_end")
            return value

    strict = Returning()
    strict.raise_error = True
    for name, flag in flags.items():
        setattr(strict, name, flag)
    return strict, received


@pytest.mark.rule("CB-DISP-3")
@pytest.mark.requires(CB_SYNC)  # the returning handler subclasses the sync base class
@pytest.mark.parametrize("inline", [False, True], ids=["not-inline", "inline"])
def test_returned_values_are_ignored(cb, lane, inline):
    strict, received = returning_handler(cb, "a returned value", run_inline=inline)

    async def scenario():
        await end(await start(configure(cb, lane, inheritable_callbacks=[strict]), "chain"),
                  "chain")

    raised = _run_catching(lane, scenario)
    check_equal("CB-DISP-3", received, ["on_chain_start", "on_chain_end"],
                "events the returning handler received")
    check("CB-DISP-3", raised is None,
          f"a raise_error handler that returned a value and raised nothing made the {lane} "
          f"manager raise {raised!r}")


@pytest.mark.rule("CB-DISP-4")
@pytest.mark.parametrize("is_async", HANDLER_KINDS)
def test_errors_swallowed_without_raise_error(cb, handler, log, lane, is_async):
    lax = handler("lax", is_async=is_async, fail_on=set(EVENTS))

    raised = _run_catching(lane, lambda: run_every_kind(
        configure(cb, lane, inheritable_callbacks=[lax])))
    check("CB-DISP-4", raised is None,
          f"a failing handler without raise_error made the {lane} manager raise {raised!r}")
    check("CB-DISP-4", len(log.of("lax")) > len(KINDS),
          f"the failing handler was called only {len(log.of('lax'))} times")


# -- CB-DISP-5: a failing handler does not starve the others -------------------------------

@pytest.mark.rule("CB-DISP-5")
@pytest.mark.parametrize("position", [0, 1, 2], ids=["first", "middle", "last"])
@pytest.mark.parametrize("is_async", HANDLER_KINDS)
def test_failing_handler_does_not_starve_others(cb, handler, log, lane, is_async, position):
    others = [handler(f"{'async' if kind else 'sync'}-other", is_async=kind)
              for kind in handler.kinds]
    bad = handler("bad", is_async=is_async, fail_on=set(EVENTS))
    handlers = others[:position] + [bad] + others[position:]

    async def scenario():
        return await every_kind_whatever_raises(
            configure(cb, lane, inheritable_callbacks=handlers))

    # Event names only: which run each event names is CB-ID-*'s business, and an id
    # mix-up must not read as starvation.
    sent = Counter(name for name, _ in run(lane, scenario))
    for h in others:
        check_equal("CB-DISP-5", Counter(e.name for e in log.of(h.label)), sent,
                    f"events received by {h.label} next to a failing handler")


async def every_kind_whatever_raises(manager: Any) -> list[tuple[str, Any]]:
    """:func:`run_every_kind`, going on when an event method raises (whether the error may
    reach the caller is CB-DISP-3/4's business, not CB-DISP-5's): the events dispatched."""
    sent: list[tuple[str, Any]] = []

    async def send(name: str, run_id: Any, thunk: Any) -> Any:
        sent.append((name, run_id))
        try:
            return await thunk()
        except Exception:  # noqa: BLE001 - a handler's error let through
            return None

    for kind in KINDS:
        ok_id, bad_id = uuid.uuid4(), uuid.uuid4()
        ok = await send(START_EVENT[kind], ok_id, lambda: start(manager, kind, run_id=ok_id))
        if ok is not None:
            await send("on_text", ok_id, lambda: call(ok.on_text("text")))
            if kind in STREAMING:
                await send("on_llm_new_token", ok_id, lambda: call(ok.on_llm_new_token("tok")))
            await send(END_EVENT[kind], ok_id, lambda: end(ok, kind))
        bad = await send(START_EVENT[kind], bad_id, lambda: start(manager, kind, run_id=bad_id))
        if bad is not None:
            await send(ERROR_EVENT[kind], bad_id, lambda: fail(bad, kind, ValueError("boom")))
    return sent


# -- CB-DISP-6: inline handlers first, in order --------------------------------------------

@pytest.mark.rule("CB-DISP-6")
@pytest.mark.requires(CB_ASYNC)
@pytest.mark.parametrize("kind", KINDS)
def test_inline_handlers_first_in_order(cb, handler, log, kind):
    trace: list[tuple[str, str, str]] = []
    handlers = [traced(handler, "plain-sync", trace),
                traced(handler, "inline-async", trace, is_async=True, run_inline=True),
                traced(handler, "plain-async", trace, is_async=True),
                traced(handler, "inline-sync", trace, run_inline=True)]

    async def scenario():
        rm = await start(configure(cb, "async", inheritable_callbacks=handlers), kind)
        await call(rm.on_text("t"))
        await end(rm, kind)

    run("async", scenario)
    inline = [("inline-async", "in"), ("inline-async", "out"), ("inline-sync", "in"),
              ("inline-sync", "out")]
    for name, calls in per_event(trace).items():
        check_equal("CB-DISP-6", calls[:4], inline,
                    f"{name}: the first handler calls (inline ones, in list order, each "
                    f"finishing before the next)")
    check_equal("CB-DISP-6", set(per_event(trace)),
                {START_EVENT[kind], "on_text", END_EVENT[kind]}, "events traced")


#: Several prompts (message lists) for one start call of each streaming kind.
BATCHES = {"llm": lambda: ["p0", "p1", "p2"],
           "chat_model": lambda: [[{"m": 0}], [{"m": 1}], [{"m": 2}]]}


@pytest.mark.rule("CB-DISP-6")
@pytest.mark.requires(CB_ASYNC)
@pytest.mark.parametrize("kind", STREAMING)
def test_inline_handlers_get_multi_prompt_starts_one_at_a_time(cb, handler, log, kind):
    """A start with several prompts is several start events, dispatched one after the
    other: each inline handler finishes one prompt's start before any gets the next."""
    trace: list[tuple[str, str, Any]] = []

    def suspending(label: str) -> Any:
        async def hook(event):
            trace.append((label, "in", event.run_id))
            for _ in range(3):
                await asyncio.sleep(0)
            trace.append((label, "out", event.run_id))
        return handler(label, is_async=True, run_inline=True, hooks={START_EVENT[kind]: hook})

    handlers = [suspending("inline-1"), suspending("inline-2")]
    items = BATCHES[kind]()

    async def scenario():
        manager = configure(cb, "async", inheritable_callbacks=handlers)
        runs = await call(getattr(manager, START_EVENT[kind])(SER, items))
        return [rm.run_id for rm in runs]

    run_ids = run("async", scenario)
    expected = [(label, phase, run_id) for run_id in run_ids
                for label in ("inline-1", "inline-2") for phase in ("in", "out")]
    order = {run_id: f"prompt {i}" for i, run_id in enumerate(run_ids)}
    check_equal("CB-DISP-6", [(label, phase, order.get(r, r)) for label, phase, r in trace],
                [(label, phase, order[r]) for label, phase, r in expected],
                f"{START_EVENT[kind]} with {len(items)} prompts: inline handlers' calls "
                f"(each prompt's start handled by every inline handler, in list order, before "
                f"the next prompt's)")

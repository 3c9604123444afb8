"""CB-PAIR: every start a handler sees is closed exactly once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from conformance import aio
from conformance.adapter import CB_ASYNC
from conformance.checks import check, check_equal
from conformance.callbacks.lanes import call, configure, run
from conformance.callbacks.recording import END_EVENTS, START_EVENTS, IGNORE_FLAGS

from conformance.callbacks.suites.test_events import (
    END_EVENT, ERROR_EVENT, KINDS, START_EVENT, STREAMING, end, fail, mixed_handlers, payload,
    run_every_kind, start,
)

CLOSING = END_EVENTS | {"on_llm_new_token"}  # events that presuppose a start


def _ancestors(run_id: Any, parents: dict[Any, Any]) -> list[Any]:
    seen = []
    while run_id in parents and parents[run_id] is not None and parents[run_id] not in seen:
        run_id = parents[run_id]
        seen.append(run_id)
    return seen


def check_closed_once(rule: str, label: str, events: list[Any]) -> None:
    """Each run started in ``events`` ends exactly once, after its start and its descendants."""
    starts = {e.run_id: i for i, e in enumerate(events) if e.name in START_EVENTS}
    parents = {e.run_id: e.parent_run_id for e in events if e.name in START_EVENTS}
    for run_id, started_at in starts.items():
        ends = [i for i, e in enumerate(events) if e.run_id == run_id and e.name in END_EVENTS]
        name = events[started_at].name
        if not check_equal(rule, len(ends), 1, f"{label}: end/error events for its {name} run"):
            continue
        check(rule, ends[0] > started_at, f"{label}: {name} run ended before it started")
        late = [e.name for e in events[ends[0] + 1:] if run_id in _ancestors(e.run_id, parents)]
        check(rule, not late, f"{label}: descendant events {late} after the {name} run ended")


def check_no_orphans(rule: str, label: str, events: list[Any]) -> None:
    """No end, error or token event for a run whose start this handler did not receive."""
    started: set[Any] = set()
    for event in events:
        if event.name in START_EVENTS:
            started.add(event.run_id)
        elif event.name in CLOSING:
            check(rule, event.run_id in started,
                  f"{label}: {event.name} for a run whose start it never received")


def _flagged_handlers(handler: Any) -> list[Any]:
    """One handler per ignore flag and one with none."""
    return [handler(f"ignore-{flag}", ignore=(flag,)) for flag in IGNORE_FLAGS] + [
        handler("no-flag")]


# -- CB-PAIR-1 / CB-PAIR-2 -----------------------------------------------------------------

async def _tree(manager: Any) -> None:
    """chain( tool( retriever ), llm, chat_model[error] ), every run ended once."""
    root = await start(manager, "chain")
    tool = await start(root.get_child(), "tool")
    await end(await start(tool.get_child(), "retriever"), "retriever")
    await end(tool, "tool")
    for kind in STREAMING:
        rm = await start(root.get_child(), kind)
        await call(rm.on_llm_new_token("tok"))
        if kind == "llm":
            await end(rm, kind)
        else:
            await fail(rm, kind, ValueError("chat failed"))
    await end(root, "chain")


@pytest.mark.rule("CB-PAIR-1")
def test_nested_runs_end_once(cb, handler, log, lane):
    handlers = mixed_handlers(handler)
    run(lane, lambda: _tree(configure(cb, lane, inheritable_callbacks=handlers)))
    for h in handlers:
        events = log.of(h.label)
        check("CB-PAIR-1", events, f"{h.label} received no event at all")
        check_closed_once("CB-PAIR-1", h.label, events)


@pytest.mark.rule("CB-PAIR-1")
def test_constructor_handlers_get_their_ends(cb, handler, log, lane):
    """Local (constructor) handlers of each run kind are closed like request handlers."""
    local, request = mixed_handlers(handler, prefix="local-"), handler("request")
    run(lane, lambda: run_every_kind(configure(cb, lane, inheritable_callbacks=[request],
                                               local_callbacks=local)))
    for h in [*local, request]:
        events = log.of(h.label)
        check("CB-PAIR-1", events, f"{h.label} received no event at all")
        check_closed_once("CB-PAIR-1", h.label, events)


@pytest.mark.rule("CB-PAIR-1")
def test_every_flag_still_ends_what_it_started(cb, handler, log, lane):
    handlers = _flagged_handlers(handler) + mixed_handlers(handler)
    run(lane, lambda: run_every_kind(configure(cb, lane, inheritable_callbacks=handlers)))
    for h in handlers:
        check_closed_once("CB-PAIR-1", h.label, log.of(h.label))


@pytest.mark.rule("CB-PAIR-2")
@pytest.mark.parametrize("sorts", ["ignore-flags", "inline-mix"])
def test_no_end_without_start(cb, handler, log, lane, sorts):
    handlers = _flagged_handlers(handler) if sorts == "ignore-flags" else mixed_handlers(handler)
    run(lane, lambda: run_every_kind(configure(cb, lane, inheritable_callbacks=handlers)))
    check("CB-PAIR-2", log.events, "no event was delivered at all")
    for h in handlers:
        check_no_orphans("CB-PAIR-2", h.label, log.of(h.label))


@pytest.mark.rule("CB-PAIR-2")
@pytest.mark.parametrize("kind", KINDS)
def test_handler_added_after_start_gets_no_end(cb, handler, log, lane, kind):
    """A handler added to the manager once its runs started never saw their starts, so it
    must get none of their token, end or error events."""
    first, late = handler("first"), handler("late")

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[first])
        ok, bad = await start(manager, kind), await start(manager, kind)
        manager.add_handler(late)
        if kind in STREAMING:
            await call(ok.on_llm_new_token("tok"))
        await end(ok, kind)
        await fail(bad, kind, ValueError("failed"))

    run(lane, scenario)
    check("CB-PAIR-2", log.of("first"), "no event was delivered at all")
    check_no_orphans("CB-PAIR-2", f"a handler added to the {lane} manager after its {kind} "
                     f"runs started", log.of("late"))


# -- CB-PAIR-3: cancellation and early stop ------------------------------------------------

async def _open_runs(manager: Any, kinds: tuple[str, ...], body: Any, opened: list[Any]) -> None:
    """Open ``kinds`` nested (outermost first) around ``body()``; close each on errors."""
    rm = await start(manager, kinds[0])
    opened.append(rm.run_id)
    try:
        if len(kinds) == 1:
            await body()
        else:
            await _open_runs(rm.get_child(), kinds[1:], body, opened)
    except BaseException as exc:
        await fail(rm, kinds[0], exc)
        raise
    await end(rm, kinds[0])


def check_closed_by(rule: str, log: Any, labels: list[str], kinds: tuple[str, ...],
                    opened: list[Any], cause: type[BaseException]) -> None:
    """Each handler got one error per open run, innermost first, carrying ``cause``."""
    for label in labels:
        errors = [e for e in log.of(label) if e.name in END_EVENTS]
        check_equal(rule, [e.name for e in errors], [ERROR_EVENT[k] for k in reversed(kinds)],
                    f"{label}: closing events, innermost first")
        check_equal(rule, [e.run_id for e in errors], opened[::-1],
                    f"{label}: run ids closed (opened runs, innermost first)")
        for e in errors:
            check(rule, isinstance(payload(e, "error"), cause),
                  f"{label}: {e.name} carries {payload(e, 'error')!r}, "
                  f"expected a {cause.__name__}")


@pytest.mark.rule("CB-PAIR-3")
@pytest.mark.requires(CB_ASYNC)
@pytest.mark.parametrize("leaf", STREAMING + ("retriever",))
def test_cancelled_task_closes_open_runs(cb, handler, log, leaf):
    handlers, opened = mixed_handlers(handler), []
    kinds = ("chain", "tool", leaf) if leaf == "retriever" else ("chain", "tool", "retriever", leaf)

    async def scenario():
        manager = configure(cb, "async", inheritable_callbacks=handlers)
        inside, never = asyncio.Event(), asyncio.get_running_loop().create_future()

        async def body():
            inside.set()
            await never

        task = asyncio.create_task(_open_runs(manager, kinds, body, opened))
        await aio.within(inside.wait(), "the nested runs to open")
        task.cancel()
        outcome = (await aio.gather_outcomes(task))[0]
        return outcome

    outcome = run("async", scenario)
    check("CB-PAIR-3", isinstance(outcome, asyncio.CancelledError),
          f"the cancelled task ended with {outcome!r}, expected CancelledError")
    check_closed_by("CB-PAIR-3", log, [h.label for h in handlers], kinds, opened,
                    asyncio.CancelledError)


async def _stream_tokens(manager: Any, tokens: list[str], opened: list[Any]):
    """An async generator streaming an LLM run nested in a chain run."""
    root = await start(manager, "chain")
    llm = await start(root.get_child(), "llm")
    opened.extend([root.run_id, llm.run_id])
    try:
        for token in tokens:
            await call(llm.on_llm_new_token(token))
            yield token
    except BaseException as exc:  # GeneratorExit when the consumer stops early
        await fail(llm, "llm", exc)
        await fail(root, "chain", exc)
        raise
    await end(llm, "llm")
    await end(root, "chain")


@pytest.mark.rule("CB-PAIR-3")
def test_early_stop_closes_streaming_run(cb, handler, log, lane):
    opened: list[Any] = []
    handlers = [handler("async" if kind else "sync", is_async=kind) for kind in handler.kinds]

    async def scenario():
        stream = _stream_tokens(configure(cb, lane, inheritable_callbacks=handlers),
                                ["a", "b", "c", "d"], opened)
        received = [await stream.__anext__() for _ in range(2)]
        await stream.aclose()  # the consumer stops early
        return received

    check_equal("CB-PAIR-3", run(lane, scenario), ["a", "b"], "tokens consumed")
    check_closed_by("CB-PAIR-3", log, [h.label for h in handlers], ("chain", "llm"), opened,
                    GeneratorExit)


# -- CB-PAIR-4: end dispatch survives cancellation -----------------------------------------

@pytest.mark.rule("CB-PAIR-4")
@pytest.mark.requires(CB_ASYNC)
@pytest.mark.parametrize("closing", ["end", "error"])
@pytest.mark.parametrize("kind", KINDS)
def test_end_dispatch_survives_cancellation(cb, handler, log, kind, closing):
    event_name = (ERROR_EVENT if closing == "error" else END_EVENT)[kind]
    finished: list[str] = []

    async def scenario():
        entered, gate = asyncio.Event(), asyncio.Event()

        async def block(event):
            entered.set()
            await gate.wait()
            finished.append(event.handler)

        slow = handler("slow", is_async=True, run_inline=True, hooks={event_name: block})
        other = handler("other", is_async=True, hooks={event_name: lambda e: finished.append(
            e.handler)})
        manager = configure(cb, "async", inheritable_callbacks=[other, slow])
        rm = await start(manager, kind)
        closing_call = end(rm, kind) if closing == "end" else fail(rm, kind, ValueError("x"))
        task = asyncio.create_task(closing_call)
        await aio.within(entered.wait(), f"{event_name} to reach the slow handler")
        task.cancel()
        await aio.gather_outcomes(task)  # a caller that hung is a timeout
        gate.set()
        await aio.settle()

    run("async", scenario)
    check_equal("CB-PAIR-4", sorted(finished), ["other", "slow"],
                f"handlers that finished handling {event_name} after the awaiting task "
                f"was cancelled")


# -- CB-PAIR-5: handlers fixed at start ----------------------------------------------------

@pytest.mark.rule("CB-PAIR-5")
@pytest.mark.parametrize("kind", KINDS)
def test_handlers_fixed_at_start(cb, handler, log, lane, kind):
    keep, removed, added = handler("keep"), handler("removed"), handler("added")

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[keep, removed])
        rm = await start(manager, kind)
        manager.add_handler(added)
        manager.remove_handler(removed)
        await call(rm.on_text("after the change"))
        if kind in STREAMING:
            await call(rm.on_llm_new_token("tok"))
        await end(rm, kind)
        return rm.run_id

    run_id = run(lane, scenario)
    expected = [START_EVENT[kind], "on_text", *(["on_llm_new_token"] if kind in STREAMING else []),
                END_EVENT[kind]]
    check_equal("CB-PAIR-5", [e.name for e in log.for_run(run_id, "keep")], expected,
                "events of the run received by a handler that stayed")
    check_equal("CB-PAIR-5", [e.name for e in log.for_run(run_id, "added")], [],
                "events of the run received by a handler added after its start")
    check_equal("CB-PAIR-5", [e.name for e in log.for_run(run_id, "removed")], expected,
                "events of the run received by a handler removed after its start")

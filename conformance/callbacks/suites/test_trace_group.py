"""CB-GROUP: trace_as_chain_group (sync, CB-GROUP-1..4) and atrace_as_chain_group (CB-GROUP-5).

Each scenario is written once; on the async lane every check is attributed to CB-GROUP-5,
which requires the async context manager to satisfy CB-GROUP-1 to CB-GROUP-4.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from types import SimpleNamespace

import pytest

from conformance.adapter import CB_ASYNC, CB_SYNC, CB_TRACE_GROUP
from conformance import aio
from conformance.checks import check, check_equal, escape_verdict
from conformance.callbacks.lanes import call, configure, run

from conformance.callbacks.suites.test_identity import exercise, start

pytestmark = pytest.mark.requires(CB_TRACE_GROUP)

ASYNC_RULE = "CB-GROUP-5"


def group_lanes(rule):
    """The sync lane checks ``rule``; the async lane checks CB-GROUP-5."""
    return pytest.mark.parametrize("lane", [
        pytest.param("sync", marks=[pytest.mark.rule(rule), pytest.mark.requires(CB_SYNC)],
                     id="sync"),
        pytest.param("async", marks=[pytest.mark.rule(ASYNC_RULE),
                                     pytest.mark.requires(CB_ASYNC)], id="async"),
    ])


def rule_of(lane, rule):
    return rule if lane == "sync" else ASYNC_RULE


@contextlib.asynccontextmanager
async def open_group(cb, lane, name, **kwargs):
    """The implementation's trace group for ``lane`` (sync ``with`` or ``async with``)."""
    if lane == "sync":
        with cb.trace_as_chain_group(name, **kwargs) as group:
            yield group
    else:
        async with cb.atrace_as_chain_group(name, **kwargs) as group:
            yield group


def _group_starts(log, name):
    return [e for e in log.named("on_chain_start", handler="req")
            if (e.args.get("serialized") or {}).get("name") == name]


def _ends_of(log, run_id):
    return [e for e in log.for_run(run_id, handler="req")
            if e.name in ("on_chain_end", "on_chain_error")]


# Stands in for a missing group start event, so that later checks fail on their own rule.
NO_START = SimpleNamespace(run_id=None, args={}, tags=[], metadata={})


def _group_start(rule, log, name="g"):
    starts = _group_starts(log, name)
    check_equal(rule, len(starts), 1,
                f"on_chain_start events named {name!r} that reached the callback_manager's "
                "handler (the group run, through which this rule is observed)")
    return starts[0] if starts else NO_START


@group_lanes("CB-GROUP-1")
def test_group_run_with_the_given_handlers(cb, handler, log, lane):
    rule = rule_of(lane, "CB-GROUP-1")
    h = handler("req")

    async def scenario():
        cm = configure(cb, lane, inheritable_callbacks=[h])
        async with open_group(cb, lane, "g", callback_manager=cm, inputs={"q": 1}) as group:
            inner = await start("chain", group)
            await exercise(inner, "chain")
            return group.parent_run_id, inner

    group_parent, inner = run(lane, scenario)
    first = _group_start(rule, log)
    check_equal(rule, first.args.get("inputs"), {"q": 1}, "inputs of the group's start event")
    check_equal(rule, group_parent, first.run_id, "parent_run_id of the yielded manager")
    check_equal(rule, inner.parent_run_id, first.run_id,
                "parent_run_id of a run started inside the group")


@group_lanes("CB-GROUP-2")
@pytest.mark.parametrize("ending", ["on leaving", "explicit", "through a copy",
                                    "through a merge"])
def test_group_ends_exactly_once(cb, handler, log, lane, ending):
    """Ending through the yielded manager, a copy or a merge of it is the group's only end."""
    rule = rule_of(lane, "CB-GROUP-2")
    h = handler("req")

    async def scenario():
        cm = configure(cb, lane, inheritable_callbacks=[h])
        async with open_group(cb, lane, "g", callback_manager=cm) as group:
            await exercise(await start("tool", group), "tool")
            ender = {"explicit": lambda: group, "through a copy": group.copy,
                     "through a merge": lambda: group.merge(configure(cb, lane))}.get(ending)
            if ender is not None:
                await call(ender().on_chain_end({"out": 1}, note="kept"))

    run(lane, scenario)
    first = _group_start(rule, log)
    events = _ends_of(log, first.run_id)
    ends = [(e.name, e.args.get("outputs")) for e in events]
    check_equal(rule, len(ends), 1, f"end events of the group run, ended {ending}: {ends}")
    if ending == "on leaving":
        check_equal(rule, [name for name, _ in ends[:1]], ["on_chain_end"],
                    "the group's end event on leaving the block normally")
        return
    check_equal(rule, ends[:1], [("on_chain_end", {"out": 1})],
                f"the group's only end ({ending}): the explicit one, with its outputs")
    check_equal(rule, [e.kwargs.get("note") for e in events[:1]], ["kept"],
                f"the extra keyword given to the group's on_chain_end ({ending})")


class GroupFailure(Exception):
    pass


@group_lanes("CB-GROUP-2")
def test_explicit_error_is_the_only_end(cb, handler, log, lane):
    """A group failed through the yielded manager ends once, with that error and keyword."""
    rule = rule_of(lane, "CB-GROUP-2")
    h = handler("req")
    error = GroupFailure("reported, not raised")

    async def scenario():
        cm = configure(cb, lane, inheritable_callbacks=[h])
        async with open_group(cb, lane, "g", callback_manager=cm) as group:
            await call(group.on_chain_error(error, note="kept"))

    run(lane, scenario)
    first = _group_start(rule, log)
    events = _ends_of(log, first.run_id)
    check_equal(rule, [e.name for e in events], ["on_chain_error"],
                "end events of a group run ended explicitly with on_chain_error")
    check(rule, all(e.args.get("error") is error for e in events),
          f"error dispatched: expected the one given, got {[e.args.get('error') for e in events]}")
    check_equal(rule, [e.kwargs.get("note") for e in events[:1]], ["kept"],
                "the extra keyword given to the group's on_chain_error")


@group_lanes("CB-GROUP-3")
def test_group_errors(cb, handler, log, lane):
    rule = rule_of(lane, "CB-GROUP-3")
    h = handler("req")
    raised = GroupFailure("inside the group")

    async def scenario():
        cm = configure(cb, lane, inheritable_callbacks=[h])
        try:
            async with open_group(cb, lane, "g", callback_manager=cm) as group:
                await start("chain", group)
                raise raised
        except BaseException as exc:  # noqa: BLE001 - the test compares it below
            escape_verdict(exc)
            return exc
        return None

    escaped = run(lane, scenario)
    check(rule, escaped is raised,
          f"exception leaving the group block: expected the raised {raised!r}, got {escaped!r}")
    first = _group_start(rule, log)
    ends = _ends_of(log, first.run_id)
    check_equal(rule, [e.name for e in ends], ["on_chain_error"], "end events of the group run")
    check(rule, all(e.args.get("error") is raised for e in ends),
          f"error dispatched: expected the raised exception, got "
          f"{[e.args.get('error') for e in ends]}")


@group_lanes("CB-GROUP-4")
def test_group_tags_metadata_and_run_id(cb, handler, log, lane):
    rule = rule_of(lane, "CB-GROUP-4")
    h = handler("req")
    given = uuid.uuid4()

    async def scenario():
        cm = configure(cb, lane, inheritable_callbacks=[h])
        async with open_group(cb, lane, "g", callback_manager=cm, run_id=given,
                              tags=["grouped"], metadata={"group": 1}) as group:
            inner = await start("chain", group)
            nested = await start("tool", inner.get_child())
            await exercise(nested, "tool")
            await exercise(inner, "chain")
            return [inner.run_id, nested.run_id]

    inside = run(lane, scenario)
    first = _group_start(rule, log)
    check_equal(rule, first.run_id, given, "run_id of the group's start event")
    check(rule, "grouped" in (first.tags or []), f"tags of the group's start event: {first.tags}")
    check_equal(rule, (first.metadata or {}).get("group"), 1,
                f"metadata['group'] of the group's start event ({first.metadata})")
    events = [e for run_id in inside for e in log.for_run(run_id, handler="req")]
    check(rule, events, "no event of the runs inside the group reached the handler")
    untagged = [e.name for e in events if "grouped" not in (e.tags or [])]
    check_equal(rule, untagged, [], "events inside the group without the group's tag")
    unlabelled = [e.name for e in events
                  if e.name.endswith("_start") and (e.metadata or {}).get("group") != 1]
    check_equal(rule, unlabelled, [], "start events inside the group without its metadata")


# How a BaseException that is not an Exception leaves a group's block, per lane: raised in
# it, thrown in at a yield when a generator holding the group is closed early, or (async)
# delivered by cancelling the task that runs the block.
INTERRUPTIONS = {"sync": ("KeyboardInterrupt", "GeneratorExit"),
                 "async": ("KeyboardInterrupt", "GeneratorExit", "CancelledError")}


def interrupted_group_lanes():
    """(lane, how) pairs; the sync lane checks CB-GROUP-3, the async lane CB-GROUP-5."""
    return pytest.mark.parametrize(("lane", "how"), [
        pytest.param(lane, how, id=f"{how}-{lane}", marks=[
            pytest.mark.rule(rule_of(lane, "CB-GROUP-3")),
            pytest.mark.requires(CB_SYNC if lane == "sync" else CB_ASYNC)])
        for lane in ("sync", "async") for how in INTERRUPTIONS[lane]])


async def _interrupted_group(cb, lane, cm, how, seen):
    """Leave a group's block by ``how``; ``seen`` gets the exception the block raised
    ("raised") and the one that left the group's context manager ("escaped")."""

    async def block(group):  # runs inside the group; notes what it raises
        try:
            if how == "KeyboardInterrupt":
                raise KeyboardInterrupt("inside the group")
            await aio.within(asyncio.get_running_loop().create_future(), "cancellation")
        except BaseException as exc:  # noqa: BLE001 - noted, then re-raised
            seen["raised"] = exc
            raise

    if how == "GeneratorExit" and lane == "sync":
        def holder():
            try:
                with cb.trace_as_chain_group("g", callback_manager=cm):
                    try:
                        yield "first"
                    except BaseException as exc:  # noqa: BLE001
                        seen["raised"] = exc
                        raise
            except BaseException as exc:  # noqa: BLE001
                seen["escaped"] = exc
                raise

        stream = holder()
        next(stream)
        stream.close()  # the consumer stops early: GeneratorExit at the yield
        return
    if how == "GeneratorExit":
        async def aholder():
            try:
                async with cb.atrace_as_chain_group("g", callback_manager=cm):
                    try:
                        yield "first"
                    except BaseException as exc:  # noqa: BLE001
                        seen["raised"] = exc
                        raise
            except BaseException as exc:  # noqa: BLE001
                seen["escaped"] = exc
                raise

        astream = aholder()
        await astream.__anext__()
        await astream.aclose()
        return

    async def guarded():
        try:
            async with open_group(cb, lane, "g", callback_manager=cm) as group:
                if how == "CancelledError":
                    entered.set()
                await block(group)
        except BaseException as exc:  # noqa: BLE001 - KeyboardInterrupt is contained here
            escape_verdict(exc)
            seen["escaped"] = exc
            if how == "CancelledError":
                raise

    if how != "CancelledError":
        await guarded()
        return
    entered = asyncio.Event()
    task = asyncio.get_running_loop().create_task(guarded())
    await aio.within(entered.wait(), "the group's block to start")
    await asyncio.sleep(0)  # the block is now waiting
    task.cancel()
    await aio.within(aio.gather_outcomes(task), "the cancelled group task")


@interrupted_group_lanes()
def test_group_interrupted(cb, handler, log, lane, how):
    """A BaseException that is not an Exception (an interrupt, a generator closed early,
    a cancelled task) ends the group run with on_chain_error too, and leaves unchanged."""
    rule = rule_of(lane, "CB-GROUP-3")
    h = handler("req")
    seen: dict[str, BaseException] = {}

    async def scenario():
        cm = configure(cb, lane, inheritable_callbacks=[h])
        await _interrupted_group(cb, lane, cm, how, seen)

    try:
        run(lane, scenario)
    except KeyboardInterrupt as leaked:  # never let it stop the kit's own run
        check(rule, False, f"a KeyboardInterrupt escaped the group's caller: {leaked!r}")
    raised, escaped = seen.get("raised"), seen.get("escaped")
    check(rule, raised is not None, f"the group's block was not interrupted by {how}")
    check(rule, escaped is raised,
          f"exception leaving the group block after a {how}: expected the block's "
          f"{raised!r} unchanged, got {escaped!r}")
    first = _group_start(rule, log)
    ends = _ends_of(log, first.run_id)
    check_equal(rule, [e.name for e in ends], ["on_chain_error"],
                f"end events of the group run left by a {how} (a group that catches "
                f"Exception only leaves its run open)")
    check(rule, all(e.args.get("error") is raised for e in ends),
          f"error dispatched: expected the block's {how}, got "
          f"{[e.args.get('error') for e in ends]}")

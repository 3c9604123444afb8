"""RS-SYNC: the sync run stream, over a sync source, with no event loop at all."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from conformance.adapter import RS_SYNC, ProjectionSpec
from conformance.checks import check, check_equal
from conformance.streams import drive
from conformance.streams.source import SyncScriptedSource, event, values

pytestmark = pytest.mark.requires(RS_SYNC)

END = object()
SCRIPT = [values({"n": 1}), event("updates", {"u": 1}), values({"n": 2}), values({"n": 3})]
VALUES = [{"n": 1}, {"n": 2}, {"n": 3}]


@pytest.fixture
def open_sync_run(runcert_adapter) -> Callable[..., Any]:
    """``open_sync_run(source, projections=())``: the implementation's sync run stream."""
    factory = drive.factories(runcert_adapter).open_sync_run
    assert factory is not None, "an adapter declaring streams.sync must give `open_sync_run`"

    def make(source: Any, projections: Sequence[ProjectionSpec] = ()) -> Any:
        return factory(source, list(projections))

    return make


def no_loop() -> None:
    """The sync lane runs without an event loop (a kit precondition)."""
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()


def next_or_end(cursor: Iterator[Any]) -> Any:
    try:
        return next(cursor)
    except StopIteration:
        return END


def drain_sync(cursor: Iterator[Any]) -> list[Any]:
    items = []
    while (item := next_or_end(cursor)) is not END:
        items.append(item)
    return items


def failing_source(error: Exception) -> SyncScriptedSource:
    return SyncScriptedSource([values({"n": 1}, interrupts=["ask"]), values({"n": 2})],
                              error_at=2, error=error)


# -- RS-SYNC-1 -------------------------------------------------------------------------------

@pytest.mark.rule("RS-SYNC-1")
def test_sync_pulls_one_event_per_item(open_sync_run):
    no_loop()
    source = SyncScriptedSource(SCRIPT)
    run = open_sync_run(source)
    cursor = iter(run.values)
    check_equal("RS-SYNC-1", source.count.pulls, 0, "pulls after subscribing, before reading")
    seen = []
    for expected_pulls, expected in ((1, {"n": 1}), (3, {"n": 2}), (4, {"n": 3})):
        seen.append(next_or_end(cursor))
        check_equal("RS-SYNC-1", (seen[-1], source.count.pulls), (expected, expected_pulls),
                    f"(item, pulls) at values item #{len(seen)}")
    check("RS-SYNC-1", next_or_end(cursor) is END, "values did not end with the source")
    check_equal("RS-SYNC-1", source.count.pulls, len(SCRIPT) + 1, "pulls at the end")


@pytest.mark.rule("RS-SYNC-1")
def test_sync_main_log_and_declared_projection(open_sync_run):
    source = SyncScriptedSource(SCRIPT)
    run = open_sync_run(source, [ProjectionSpec("updates", "updates")])
    log_cursor, updates_cursor = iter(run), iter(run.extensions["updates"])
    log = drain_sync(log_cursor)
    check_equal("RS-SYNC-1", [(e["method"], e["params"]["data"]) for e in log],
                [(e["method"], e["data"]) for e in SCRIPT], "main log (method, data)")
    seqs = [e["seq"] for e in log]
    check("RS-SYNC-1", all(a < b for a, b in zip(seqs, seqs[1:])),
          f"main log seq does not strictly increase: {seqs}")
    check_equal("RS-SYNC-1", drain_sync(updates_cursor), [{"u": 1}],
                "declared updates projection, read after the run ended")


# -- RS-SYNC-2 -------------------------------------------------------------------------------

@pytest.mark.rule("RS-SYNC-2")
def test_sync_second_subscription_raises(open_sync_run):
    run = open_sync_run(SyncScriptedSource(SCRIPT))
    first = iter(run.values)
    with pytest.raises(RuntimeError) as raised:
        iter(run.values)
    check("RS-SYNC-2", "tee" in str(raised.value),
          f"second subscription's message does not point to tee: {raised.value}")
    check_equal("RS-SYNC-2", drain_sync(first), VALUES, "the first subscription afterwards")


@pytest.mark.rule("RS-SYNC-2")
def test_sync_second_subscription_error_type(open_sync_run):
    run = open_sync_run(SyncScriptedSource(SCRIPT))
    first = iter(run)  # kept: a dropped cursor may unsubscribe when collected
    try:
        iter(run)
    except Exception as exc:  # noqa: BLE001 - the observation is the error's type
        check("RS-SYNC-2", isinstance(exc, RuntimeError),
              f"second main-log subscription raised {exc!r}, expected RuntimeError")
    else:
        check("RS-SYNC-2", False, "a second main-log subscription did not raise")
    check_equal("RS-SYNC-2", len(drain_sync(first)), len(SCRIPT),
                "events of the first main-log subscription afterwards")


@pytest.mark.rule("RS-SYNC-2")
def test_sync_tee_branches_see_every_item_and_the_end(open_sync_run):
    run = open_sync_run(SyncScriptedSource(SCRIPT))
    branches = list(run.values.tee(3))
    check_equal("RS-SYNC-2", len(branches), 3, "number of tee(3) branches")
    got = [drain_sync(iter(branch)) for branch in reversed(branches)]
    check_equal("RS-SYNC-2", got, [VALUES] * 3, "each branch, drained one after the other")


@pytest.mark.rule("RS-SYNC-2")
def test_sync_tee_branches_see_the_error(open_sync_run):
    error = ValueError("sync boom")
    run = open_sync_run(failing_source(error))
    branches = list(run.values.tee(2))
    for index, branch in enumerate(branches):
        items = []
        try:
            items.extend(branch)
        except ValueError as exc:
            check("RS-SYNC-2", exc is error, f"branch {index} raised another error: {exc!r}")
        else:
            check("RS-SYNC-2", False, f"branch {index} ended cleanly on a failed run")
        check_equal("RS-SYNC-2", items, [{"n": 1}, {"n": 2}],
                    f"branch {index} items before the error")


@pytest.mark.rule("RS-SYNC-2")
@pytest.mark.parametrize("n", [0, -1])
def test_sync_tee_needs_a_positive_n(open_sync_run, n):
    run = open_sync_run(SyncScriptedSource(SCRIPT))
    with pytest.raises(ValueError):
        run.values.tee(n)
    try:
        cursor = iter(run.values)
    except RuntimeError as exc:
        check("RS-SYNC-2", False, f"tee({n}) left the projection subscribed: {exc}")
        return
    check_equal("RS-SYNC-2", drain_sync(cursor), VALUES, f"values subscribed after tee({n})")


# -- RS-SYNC-3 -------------------------------------------------------------------------------

@pytest.mark.rule("RS-SYNC-3")
def test_sync_results_are_properties_that_drive(open_sync_run):
    script = [values({"n": 1}, interrupts=["first"]),
              values({"sub": 1}, ns=("sub:1",), interrupts=["nested"]),
              values({"n": 2}, interrupts=["second"]), event("updates", {"u": 1})]
    source = SyncScriptedSource(script)
    run = open_sync_run(source)
    output = run.output
    check_equal("RS-SYNC-3", output, {"n": 2}, "run.output (a property: no call)")
    check_equal("RS-SYNC-3", source.count.pulls, len(script) + 1,
                "pulls once run.output returned (the run completed)")
    check("RS-SYNC-3", run.interrupted is True,
          f"run.interrupted: expected True, got {run.interrupted!r}")
    check_equal("RS-SYNC-3", list(run.interrupts), ["first", "second"],
                "run.interrupts (root payloads in order)")


@pytest.mark.rule("RS-SYNC-3")
@pytest.mark.parametrize("name", ["output", "interrupted", "interrupts"])
def test_sync_results_raise_the_run_error(open_sync_run, name):
    error = ValueError("sync boom")
    run = open_sync_run(failing_source(error))
    for attempt in (1, 2):
        try:
            value = getattr(run, name)
        except ValueError as exc:
            check("RS-SYNC-3", exc is error,
                  f"run.{name} (access {attempt}) raised another error: {exc!r}")
        else:
            check("RS-SYNC-3", False, f"run.{name} (access {attempt}) of a failed run "
                                      f"returned {value!r} instead of raising")


# -- RS-SYNC-4 -------------------------------------------------------------------------------

@pytest.mark.rule("RS-SYNC-4")
def test_sync_abort_idempotent_and_closes_once(open_sync_run):
    source = SyncScriptedSource(SCRIPT)
    run = open_sync_run(source)
    values_cursor, log_cursor = iter(run.values), iter(run)
    first = next_or_end(values_cursor)
    run.abort()
    run.abort()
    check_equal("RS-SYNC-4", source.count.closed, 1, "source close() calls after two aborts")
    check_equal("RS-SYNC-4", first, {"n": 1}, "values item read before abort()")
    check_equal("RS-SYNC-4", drain_sync(values_cursor), [],
                "values after abort() (nothing was buffered)")
    log = drain_sync(log_cursor)
    check_equal("RS-SYNC-4", [e["params"]["data"] for e in log], [{"n": 1}],
                "main log after abort() (its buffered event only)")
    check_equal("RS-SYNC-4", source.count.pulls, 1, "pulls after abort()")


@pytest.mark.rule("RS-SYNC-4")
def test_sync_context_manager_aborts_on_break(open_sync_run):
    source = SyncScriptedSource(SCRIPT)
    run = open_sync_run(source)
    with run as entered:
        check("RS-SYNC-4", entered is run, f"`with run as r` gave {entered!r}, not run")
        for _item in run.values:
            break
    check_equal("RS-SYNC-4", source.count.closed, 1, "source close() calls after the block")


@pytest.mark.rule("RS-SYNC-4")
def test_sync_context_manager_propagates_and_aborts(open_sync_run):
    class BodyError(Exception):
        pass

    source = SyncScriptedSource(SCRIPT)
    run = open_sync_run(source)
    with pytest.raises(BodyError):
        with run:
            next(iter(run.values))
            raise BodyError("from the body")
    check_equal("RS-SYNC-4", source.count.closed, 1, "source close() calls after the block")


# -- RS-SYNC-5 -------------------------------------------------------------------------------

@pytest.mark.rule("RS-SYNC-5")
def test_sync_full_log_raises_buffer_error(open_sync_run):
    source = SyncScriptedSource(SCRIPT)
    run = open_sync_run(source, [ProjectionSpec("slowpoke", "values", maxlen=1)])
    slow_cursor, values_cursor = iter(run.extensions["slowpoke"]), iter(run.values)
    check_equal("RS-SYNC-5", next_or_end(values_cursor), {"n": 1}, "first values item")
    try:
        item = next_or_end(values_cursor)
    except BufferError as exc:
        check("RS-SYNC-5", "slowpoke" in str(exc),
              f"BufferError does not name the full projection 'slowpoke': {exc}")
    except Exception as exc:  # noqa: BLE001 - the rule names the exception type
        check("RS-SYNC-5", False, f"pushing into the full log raised {exc!r}, not BufferError")
    else:
        check("RS-SYNC-5", False, f"the pump pushed into a full log of maxlen 1 and values "
                                  f"went on ({item!r}) instead of raising BufferError")
    check_equal("RS-SYNC-5", next_or_end(slow_cursor), {"n": 1},
                "the full projection's first item")

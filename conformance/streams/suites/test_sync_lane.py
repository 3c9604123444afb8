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
    log_cursor, updates_cursor = iter(run), iter(drive.declared(run, "updates"))
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
    slow_cursor, values_cursor = iter(drive.declared(run, "slowpoke")), iter(run.values)
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


# -- sharper cases: tee(1), tee bounds and closed branches, closed cursors, finished runs ---

BOUNDED = ProjectionSpec("bounded", "values", maxlen=1)


class PlainIterator:
    """A sync source with no ``close()`` (a plain iterator over the script)."""

    def __init__(self, source: SyncScriptedSource) -> None:
        self._source = source

    def __iter__(self) -> PlainIterator:
        return self

    def __next__(self) -> Any:
        return next(self._source)


@pytest.mark.rule("RS-SYNC-2")
def test_sync_tee_of_one_branch(open_sync_run):
    run = open_sync_run(SyncScriptedSource(SCRIPT))
    branches = list(run.values.tee(1))
    check_equal("RS-SYNC-2", len(branches), 1, "number of tee(1) branches")
    check_equal("RS-SYNC-2", drain_sync(iter(branches[0])), VALUES, "the one branch of tee(1)")


@pytest.mark.rule("RS-SYNC-2")
def test_sync_tee_branch_closed_early_spares_the_others(open_sync_run):
    run = open_sync_run(SyncScriptedSource(SCRIPT))
    early, other = (iter(branch) for branch in run.values.tee(2))
    first = next_or_end(early)
    early.close()  # what leaving a `for` loop over the branch early does
    check_equal("RS-SYNC-2", (first, drain_sync(other)), (VALUES[0], VALUES),
                "(the closed branch's one item, the other branch drained afterwards)")


@pytest.mark.rule("RS-SYNC-5")
def test_sync_tee_branch_is_bounded(open_sync_run):
    """tee(2) over maxlen=1: a branch that would run a second item ahead of the other
    raises BufferError naming the projection; the other branch still has its item."""
    run = open_sync_run(SyncScriptedSource(SCRIPT), [BOUNDED])
    fast, slow = (iter(branch) for branch in drive.declared(run, "bounded").tee(2))
    check_equal("RS-SYNC-5", next_or_end(fast), VALUES[0], "the fast branch's first item")
    try:
        item = next_or_end(fast)
    except BufferError as exc:
        check("RS-SYNC-5", "bounded" in str(exc),
              f"BufferError does not name the projection 'bounded': {exc}")
    else:
        check("RS-SYNC-5", False, f"the fast branch read {item!r} while the slow branch "
                                  f"already held maxlen=1 unread item")
        return
    check_equal("RS-SYNC-5", next_or_end(slow), VALUES[0], "the slow branch's first item")


def _unsubscribed(run: Any) -> Iterator[Any] | None:
    """A new cursor on the bounded projection, or None (a failed check) if it is still
    subscribed."""
    try:
        return iter(drive.declared(run, "bounded"))
    except RuntimeError as exc:
        check("RS-ERR-4", False, f"the projection is still subscribed: {exc}")
        return None


@pytest.mark.rule("RS-ERR-4")
@pytest.mark.parametrize("how", ["cursor", "tee"])
def test_sync_closed_cursor_frees_its_projection(open_sync_run, how):
    """Closing the cursor (or every tee branch) of a bounded log lets the run go on past
    it and lets a new subscriber read what is routed afterwards."""
    source = SyncScriptedSource(SCRIPT)
    run = open_sync_run(source, [BOUNDED])
    cursors = ([iter(drive.declared(run, "bounded"))] if how == "cursor"
               else [iter(branch) for branch in drive.declared(run, "bounded").tee(2)])
    for cursor in cursors:
        next_or_end(cursor)
        cursor.close()
    values_cursor = iter(run.values)
    check_equal("RS-ERR-4", [next_or_end(values_cursor) for _ in range(2)], VALUES[1:],
                f"values read past the closed bounded log ({how})")
    again = _unsubscribed(run)
    if again is not None:
        check_equal("RS-ERR-4", drain_sync(again), [],
                    f"the new subscriber of the bounded log, after the last values ({how})")


@pytest.mark.rule("RS-SYNC-1")
@pytest.mark.parametrize("ending", ["end", "error"])
def test_sync_finished_run_is_not_pulled_again(open_sync_run, ending):
    error = ValueError("sync boom")
    source = failing_source(error) if ending == "error" else SyncScriptedSource(SCRIPT)
    run = open_sync_run(source)
    try:
        drain_sync(iter(run))
    except ValueError:
        pass
    pulls = source.count.pulls
    for read in (lambda: run.output, lambda: run.interrupts, lambda: drain_sync(iter(run.values))):
        try:
            read()
        except ValueError:
            pass
    check_equal("RS-SYNC-1", source.count.pulls, pulls,
                f"pulls after the run's {ending}, once the results and a new cursor were read")


@pytest.mark.rule("RS-SYNC-4")
def test_sync_results_after_abort_do_not_pull(open_sync_run):
    source = SyncScriptedSource(SCRIPT)
    run = open_sync_run(source)
    cursor = iter(run.values)
    next_or_end(cursor)
    run.abort()
    check_equal("RS-SYNC-4", (run.output, run.interrupted, source.count.pulls),
                (VALUES[0], False, 1), "(output, interrupted, pulls) after abort()")


@pytest.mark.rule("RS-SYNC-4")
@pytest.mark.parametrize("ending", ["end", "error"])
def test_sync_abort_after_the_end_closes_nothing(open_sync_run, ending):
    source = failing_source(ValueError("sync boom")) if ending == "error" \
        else SyncScriptedSource(SCRIPT)
    run = open_sync_run(source)
    try:
        drain_sync(iter(run))
    except ValueError:
        pass
    run.abort()
    check_equal("RS-SYNC-4", source.count.closed, 0,
                f"source close() calls, aborted after the source's {ending}")


@pytest.mark.rule("RS-SYNC-4")
def test_sync_abort_of_a_source_without_close(open_sync_run):
    source = SyncScriptedSource(SCRIPT)
    run = open_sync_run(PlainIterator(source))
    cursor = iter(run.values)
    next_or_end(cursor)
    try:
        run.abort()
    except Exception as exc:  # noqa: BLE001 - the observation is that it raised
        check("RS-SYNC-4", False, f"abort() of a run whose source has no close() raised {exc!r}")
    check("RS-SYNC-4", next_or_end(cursor) is END, "values did not end after abort()")


@pytest.mark.rule("RS-SYNC-5")
def test_sync_failed_push_delivers_nothing_and_the_retry_everything_once(open_sync_run):
    """values, the main log and an unbounded copy are read; slowpoke (maxlen 1) holds its
    first item. The read that pulls the next values event raises BufferError: that attempt
    delivers the event to nobody. Once slowpoke has room, reading again routes it to every
    consumer exactly once, without pulling it again."""
    source = SyncScriptedSource(SCRIPT)
    run = open_sync_run(source, [ProjectionSpec("slowpoke", "values", maxlen=1),
                                 ProjectionSpec("copy", "values")])
    slow = iter(drive.declared(run, "slowpoke"))
    copy, main_log, values_cursor = iter(drive.declared(run, "copy")), iter(run), iter(run.values)
    check_equal("RS-SYNC-5", next_or_end(values_cursor), VALUES[0], "first values item")
    try:
        next_or_end(values_cursor)
    except BufferError:
        pass
    else:
        check("RS-SYNC-5", False, "reading values on past a full slowpoke (maxlen 1) raised no "
                                  "BufferError (the attempt and its retry cannot be judged)")
        return
    pulled = source.count.pulls
    log = [next_or_end(main_log)["params"]["data"] for _ in range(2)]
    check_equal("RS-SYNC-5", log, [SCRIPT[0]["data"], SCRIPT[1]["data"]],
                "the main log's first two entries")
    try:
        third = next_or_end(main_log)
    except BufferError:
        pass
    else:
        check("RS-SYNC-5", False, f"the main log, read again while slowpoke is still full, gave "
                                  f"{third!r}: the attempt that raised BufferError delivered "
                                  f"the event to it (expected BufferError again)")
    check_equal("RS-SYNC-5", next_or_end(slow), VALUES[0], "slowpoke's first item")
    check_equal("RS-SYNC-5", next_or_end(values_cursor), VALUES[1],
                "values, read again once slowpoke had room")
    check_equal("RS-SYNC-5", source.count.pulls, pulled,
                "pulls of the retry (the event that did not fit was already pulled)")
    slow_items = [next_or_end(slow)]  # room for the last event
    rest = drain_sync(values_cursor)
    slow_items += drain_sync(slow)
    log = [entry["params"]["data"] for entry in drain_sync(main_log)]
    check_equal("RS-SYNC-5", (rest, drain_sync(copy), slow_items, log),
                (VALUES[2:], VALUES, VALUES[1:], [e["data"] for e in SCRIPT[2:]]),
                "(values, copy, slowpoke, the main log) to the end: each event exactly once")

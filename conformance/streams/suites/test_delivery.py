"""RS-DELIV: what each consumer receives, in what order."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from conformance.adapter import RS_ASYNC, ProjectionSpec
from conformance.aio import cancel_and_wait, run, within
from conformance.checks import RuleViolation, check, check_equal, violate
from conformance.streams.drive import END, declared, anext_or_end, drain, round_robin, settle, take, main_log_of
from conformance.streams.scripts import (
    ALL_VALUES, CUSTOM_ANY, HIDDEN, SUB, SUB_VALUES, UPDATES, VALUES, abort_and_finish,
    mixed, root_values, routed, scripted_entries, step,
)
from conformance.streams.source import ScriptedSource

pytestmark = pytest.mark.requires(RS_ASYNC)

DECLARED = [UPDATES, CUSTOM_ANY, SUB_VALUES, ALL_VALUES, HIDDEN]
SPECS = [VALUES, *DECLARED]


def subscribe_all(run_stream: Any) -> dict[str, Any]:
    """One cursor on each projection of SPECS, by name (through ``extensions``)."""
    return {spec.name: aiter(declared(run_stream, spec.name)) for spec in SPECS}


@pytest.mark.rule("RS-DELIV-1")
def test_each_projection_in_order_one_after_another(open_run: Callable[..., Any]) -> None:
    async def main() -> None:
        script = mixed()
        cursors = subscribe_all(open_run(ScriptedSource(script), DECLARED))
        for spec in SPECS:
            check_equal("RS-DELIV-1", await drain(cursors[spec.name]), routed(script, spec),
                        f"items of {spec.name!r} ({spec.method} @ {spec.namespace}), "
                        f"drained after the projections before it")

    run(main)


@pytest.mark.rule("RS-DELIV-1")
def test_each_projection_in_order_round_robin(open_run: Callable[..., Any]) -> None:
    async def main() -> None:
        script = mixed()
        got = await round_robin(subscribe_all(open_run(ScriptedSource(script), DECLARED)))
        for spec in SPECS:
            check_equal("RS-DELIV-1", got[spec.name], routed(script, spec),
                        f"items of {spec.name!r} ({spec.method} @ {spec.namespace}), "
                        f"read one at a time in turn with the others")

    run(main)


@pytest.mark.rule("RS-DELIV-1")
def test_each_projection_in_order_concurrently(open_run: Callable[..., Any]) -> None:
    async def main() -> None:
        script = mixed()
        cursors = subscribe_all(open_run(ScriptedSource(script), DECLARED))
        drained = await within(asyncio.gather(*(drain(c) for c in cursors.values())))
        for spec, items in zip(SPECS, drained, strict=True):
            check_equal("RS-DELIV-1", items, routed(script, spec),
                        f"items of {spec.name!r}, drained by concurrent tasks")

    run(main)


FIRST = ProjectionSpec("first", "values", maxlen=1)  # routed to before SECOND
SECOND = ProjectionSpec("second", "values")


@pytest.mark.rule("RS-DELIV-1")
def test_subscribed_while_an_event_is_routed(open_run: Callable[..., Any]) -> None:
    """``second`` is subscribed while the routing of event 1 waits on the full ``first``
    (declared before it): it receives event 1 at most once, then every later event once."""

    async def main() -> None:
        script = root_values(4)
        source = ScriptedSource(script)
        run_stream = open_run(source, [FIRST, SECOND])
        first, main_log = aiter(declared(run_stream, "first")), main_log_of(run_stream)
        reader = asyncio.create_task(drain(main_log))  # drives until the push into the
        await settle()  # full `first` of event 1 waits (event 0 filled it)
        if source.count.completed != 2:  # this test's premise, RS-BP-2's finding
            # nothing waited, so no routing is in flight to subscribe during: the test
            # stops on RS-BP-2 and judges nothing of RS-DELIV-1 (the other tests do)
            await cancel_and_wait([reader])
            violate("RS-BP-2", "events pulled before the routing of event 1 waited on the "
                    f"full log: expected 2, got {source.count.completed}")
        second = aiter(declared(run_stream, "second"))
        check_equal("RS-DELIV-1", await drain(first), routed(script, FIRST),
                    "items of the bounded log declared first")
        got = await drain(second)
        check("RS-DELIV-1", got in (routed(script[1:], SECOND), routed(script[2:], SECOND)),
              f"items of a log subscribed while event 1 was being routed: expected "
              f"{routed(script[1:], SECOND)} (or without event 1), got {got}")
        await within(reader, "the main log's reader")

    run(main)


def check_log_shape(log: list[Any]) -> None:
    """Each entry a mapping with method, params (namespace, data) and an int seq."""
    for i, entry in enumerate(log):
        ok = (isinstance(entry, dict) and isinstance(entry.get("method"), str)
              and isinstance(entry.get("params"), dict)
              and {"namespace", "data"} <= set(entry["params"])
              and isinstance(entry.get("seq"), int))
        check("RS-DELIV-2", ok,
              f"main-log entry {i}: expected a mapping with method, params.namespace, "
              f"params.data and an int seq, got {entry!r}")


def check_seq_increases(log: list[Any]) -> None:
    seqs = [entry.get("seq") for entry in log]
    check("RS-DELIV-2", all(a < b for a, b in zip(seqs, seqs[1:])),
          f"expected strictly increasing seq along the main log, got {seqs}")


@pytest.mark.rule("RS-DELIV-2")
def test_main_log_entries_and_seq(open_run: Callable[..., Any]) -> None:
    async def main() -> None:
        script = mixed()
        log = await drain(aiter(open_run(ScriptedSource(script), DECLARED)))
        check_log_shape(log)
        check_seq_increases(log)
        check_equal("RS-DELIV-2", scripted_entries(log), script,
                    "main-log entries (method, namespace, data, interrupts) against the source")

    run(main)


@pytest.mark.rule("RS-DELIV-2")
def test_main_log_seq_with_concurrent_readers(open_run: Callable[..., Any]) -> None:
    async def main() -> None:
        script = mixed()
        run_stream = open_run(ScriptedSource(script), DECLARED)
        cursors = {"main log": main_log_of(run_stream), **subscribe_all(run_stream)}
        log = (await round_robin(cursors))["main log"]
        check_log_shape(log)
        check_seq_increases(log)
        check_equal("RS-DELIV-2", scripted_entries(log), script,
                    "main-log entries read in turn with every projection")

    run(main)


@pytest.mark.rule("RS-DELIV-3")
def test_late_subscriber_sees_only_later_events(open_run: Callable[..., Any]) -> None:
    async def main() -> None:
        script = mixed()
        source = ScriptedSource(script)
        run_stream = open_run(source, DECLARED)
        main_log = main_log_of(run_stream)
        early = await take(main_log, 5)  # events 0..4 have flowed (more if it reads ahead)
        check_equal("RS-DELIV-3", len(early), 5, "main-log items read before subscribing")
        flowed = source.count.completed  # routed before the subscriptions (RS-PUMP-3 judges it)
        late = {spec.name: aiter(declared(run_stream, spec.name)) for spec in SPECS}
        for spec in SPECS:
            check_equal("RS-DELIV-3", await drain(late[spec.name]),
                        routed(script[flowed:], spec),
                        f"items of {spec.name!r} subscribed after {flowed} events had flowed")
        await drain(main_log)

    run(main)


@pytest.mark.rule("RS-DELIV-3")
def test_subscriber_after_end_gets_nothing(open_run: Callable[..., Any]) -> None:
    async def main() -> None:
        script = mixed()
        run_stream = open_run(ScriptedSource(script), DECLARED)
        await drain(main_log_of(run_stream))
        for spec in SPECS:
            got = await drain(aiter(declared(run_stream, spec.name)))
            check_equal("RS-DELIV-3", got, [],
                        f"items of {spec.name!r} subscribed after the run ended")

    run(main)


@pytest.mark.rule("RS-DELIV-3")
def test_subscriber_after_failure_gets_nothing_or_the_error(
        open_run: Callable[..., Any]) -> None:
    async def main() -> None:
        source = ScriptedSource(root_values(3), error_at=3)
        run_stream = open_run(source, [ALL_VALUES])
        try:
            await drain(main_log_of(run_stream))
        except RuleViolation:
            raise
        except Exception:  # noqa: BLE001 - the failure itself is RS-ERR-1's business
            pass
        for name in ("values", "all_values"):
            try:
                got: Any = await drain(aiter(declared(run_stream, name)))
            except RuleViolation:  # RS-EXT-2: the projection is nowhere to be read
                raise
            except Exception as error:  # noqa: BLE001 - the run's error is allowed
                got = error
            check("RS-DELIV-3", got == [] or got is source.error,
                  f"{name!r} subscribed after the run failed: expected no item or the "
                  f"run's error {source.error!r}, got {got!r}")

    run(main)


@pytest.mark.rule("RS-DELIV-4")
@pytest.mark.parametrize("shape", ["mixed", "nested only"])
def test_values_is_the_root_namespace(open_run: Callable[..., Any], shape: str) -> None:
    async def main() -> None:
        script = mixed() if shape == "mixed" else [
            step(0, "values", SUB), step(1, "values", SUB + ("inner:2",), ["i"])]
        got = await drain(aiter(open_run(ScriptedSource(script)).values))
        check_equal("RS-DELIV-4", got, routed(script, VALUES),
                    "run.values items (the data of root-namespace values events only)")

    run(main)


@pytest.mark.rule("RS-DELIV-5")
def test_cursors_yield_their_buffer_then_end(open_run: Callable[..., Any]) -> None:
    async def main() -> None:
        script = mixed()
        run_stream = open_run(ScriptedSource(script), DECLARED)
        cursors = subscribe_all(run_stream)
        main_log = main_log_of(run_stream)
        await within(run_stream.output(), "output()")  # the run is over; nothing read yet
        for spec in SPECS:
            check_equal("RS-DELIV-5", await drain(cursors[spec.name]), routed(script, spec),
                        f"items of {spec.name!r} buffered before the end, then a clean end")
        check_equal("RS-DELIV-5", len(await drain(main_log)), len(script),
                    "main-log entries buffered before the end, then a clean end")

    run(main)


@pytest.mark.rule("RS-DELIV-5")
def test_waiting_cursor_ends_when_the_source_ends(open_run: Callable[..., Any]) -> None:
    """A cursor whose projection gets nothing waits; the end of the source ends it."""

    async def main() -> None:
        source = ScriptedSource(root_values(2))
        source.hold(2)  # the pull that finds the end
        run_stream = open_run(source, [UPDATES])
        waiter = asyncio.create_task(anext_or_end(aiter(run_stream.node_updates)))
        values = aiter(run_stream.values)
        reader = asyncio.create_task(drain(values))
        await within(source.held(2), "the pull of the end")
        await settle()
        check("RS-DELIV-5", not waiter.done(),
              "the cursor returned before the source ended (it has nothing to yield)")
        source.release(2)
        check("RS-DELIV-5", await within(waiter) is END,
              "expected the waiting cursor to end cleanly when the source ended")
        check_equal("RS-DELIV-5", await within(reader), routed(source.events, VALUES),
                    "run.values items, then a clean end")
        await abort_and_finish(run_stream, values)

    run(main)

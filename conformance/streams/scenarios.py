"""Inputs of the golden stream transcripts: scripts, projections and consumer actions.

The observations are not written here: ``pytest --impl=reference
conformance/streams/suites/test_transcripts.py --snapshot-update`` records them from
the reference into ``conformance/transcripts/streams/<id>.json``. Programs follow
:mod:`conformance.streams.programs`; every action names the rule a difference in its
observation is attributed to.
"""

from __future__ import annotations

from typing import Any

from conformance.streams.source import event, values

SEED = "seed 004 (AsyncGraphRunStream API page)"
GUIDE = "GUIDE §1 (run streams)"
SUB = ["sub:1"]
Action = dict[str, Any]


# -- action builders -------------------------------------------------------------------------

def act(do: str, rule: str | None = None, **fields: Any) -> Action:
    return {"do": do, **fields, **({"rule": rule} if rule else {})}


def subscribe(target: str, name: str, rule: str | None = None, **kw: Any) -> Action:
    return act("subscribe", rule, target=target, **{"as": name}, **kw)


def tee(target: str, names: list[str], rule: str | None = None, **kw: Any) -> Action:
    return act("tee", rule, target=target, n=len(names), **{"as": names}, **kw)


def take(cursor: str, n: int, rule: str | None = None) -> Action:
    return act("take", rule, cursor=cursor, n=n)


def drain(cursor: str, rule: str | None = None) -> Action:
    return act("drain", rule, cursor=cursor)


def counters(rule: str | None = None) -> Action:
    """Observe the source counters; with no rule, a difference is blamed on the rule
    ``counter_rules`` gives the first counter that differs (else the scenario's first)."""
    return act("counters", rule)


def spawn(action: Action, name: str) -> Action:
    return {"do": "spawn", "action": action, "as": name}


def join(name: str, rule: str) -> Action:
    return act("join", rule, task=name)


def results(rule: str, **kw: Any) -> list[Action]:
    return [act(name, rule, **kw) for name in ("output", "interrupted", "interrupts")]


def program(events: list[dict[str, Any]], actions: list[Action], *,
            projections: list[dict[str, Any]] | None = None,
            counter_rules: dict[str, str] | None = None, **script: Any) -> dict[str, Any]:
    return {"script": {"events": events, **script}, "projections": projections or [],
            "actions": actions, "counter_rules": counter_rules or {}}


def scenario(id: str, title: str, source: str, rules: list[str],
             prog: dict[str, Any]) -> dict[str, Any]:
    return {"id": id, "title": title, "source": source, "rules": rules, "lanes": ["async"],
            "contract": "streams", "program": prog}


def numbered(n: int) -> list[dict[str, Any]]:
    return [values({"n": i}) for i in range(1, n + 1)]


BOOM = {"type": "ValueError", "message": "boom"}
FLIGHT = {"max_active": "RS-FLIGHT-1", "pending_tasks": "RS-PUMP-2"}


# -- scenarios -------------------------------------------------------------------------------

SCENARIOS: list[dict[str, Any]] = [
    scenario(
        "values_only_with_output",
        "A values-only run read one item at a time, then output()",
        f"{SEED}: 'Async iteration on any projection drives the graph forward — there is no "
        "background task'",
        ["RS-PUMP-1", "RS-PUMP-3", "RS-DELIV-1", "RS-DELIV-5", "RS-RES-1", "RS-FLIGHT-1",
         "RS-PUMP-2"],
        program(numbered(3), [
            subscribe("values", "v", "RS-PUMP-1"),
            counters("RS-PUMP-1"),
            take("v", 1, "RS-DELIV-1"),
            counters("RS-PUMP-3"),
            take("v", 1, "RS-DELIV-1"),
            counters("RS-PUMP-3"),
            drain("v", "RS-DELIV-5"),
            act("output", "RS-RES-1"),
        ], counter_rules={"pulls": "RS-PUMP-3", **FLIGHT}),
    ),
    scenario(
        "interrupts_root_vs_nested",
        "Only root values events count for the results; nested ones are left out of values",
        f"{SEED}: 'output: Drive the run to completion and return the final state'; "
        "'interrupted / interrupts'",
        ["RS-RES-2", "RS-RES-3", "RS-RES-1", "RS-DELIV-4"],
        program([
            values({"n": 1}),
            values({"sub": 1}, ns=SUB, interrupts=["sub-ask"]),
            values({"n": 2}, interrupts=["root-ask"]),
            values({"n": 3}, interrupts=["second", "third"]),
            values({"sub": 2}, ns=SUB),
        ], [
            subscribe("values", "v", "RS-DELIV-4"),
            drain("v", "RS-DELIV-4"),
            act("interrupted", "RS-RES-2"),
            act("interrupts", "RS-RES-3"),
            act("output", "RS-RES-1"),
        ]),
    ),
    scenario(
        "nested_handle_results",
        "A nested run stream reads its own namespace and reports its own results",
        f"{SEED}: 'graph_aiter … or None for nested run streams whose pump is driven by an "
        "outer run (e.g. AsyncSubgraphRunStream)'",
        ["RS-NEST-1", "RS-NEST-2", "RS-NEST-3", "RS-RES-2", "RS-RES-1"],
        program([
            values({"n": 1}),
            values({"sub": 1}, ns=SUB),
            values({"deep": 1}, ns=SUB + ["deep:2"]),
            values({"sub": 2}, ns=SUB, interrupts=["sub-ask"]),
            values({"n": 2}),
        ], [
            act("nested", "RS-NEST-1", path=SUB, **{"as": "sub"}),
            subscribe("values", "sv", "RS-NEST-2", run="sub"),
            counters("RS-NEST-1"),
            drain("sv", "RS-NEST-2"),
            act("output", "RS-NEST-3", run="sub"),
            act("interrupted", "RS-NEST-3", run="sub"),
            act("interrupted", "RS-RES-2"),
            act("output", "RS-RES-1"),
        ], counter_rules={"pulls": "RS-NEST-1", "max_active": "RS-NEST-1"}),
    ),
    scenario(
        "lazy_subscription",
        "A projection subscribed late gets only later events; one subscribed after the end "
        "gets nothing",
        f"{GUIDE}: lazy subscription",
        ["RS-DELIV-3", "RS-DELIV-2", "RS-DELIV-5"],
        program(numbered(4) + [event("updates", {"u": 1})], [
            subscribe("main", "m", "RS-DELIV-2"),
            take("m", 2, "RS-DELIV-2"),
            subscribe("values", "v", "RS-DELIV-3"),
            drain("v", "RS-DELIV-3"),
            drain("m", "RS-DELIV-2"),
            subscribe("updates", "late", "RS-DELIV-3"),
            drain("late", "RS-DELIV-3"),
        ], projections=[{"name": "updates", "method": "updates"}]),
    ),
    scenario(
        "tee_fan_out_with_error",
        "Three tee branches each see every item, then the same error, whatever the order",
        f"{SEED}: 'Projections are single-consumer — … Use projection.tee(n) for fan-out'",
        ["RS-PROJ-2", "RS-PROJ-3", "RS-ERR-1", "RS-ERR-2"],
        program(numbered(2), [
            tee("values", ["a", "b", "c"], "RS-PROJ-2"),
            drain("c", "RS-PROJ-3"),
            take("b", 1, "RS-PROJ-2"),
            drain("a", "RS-PROJ-3"),
            drain("b", "RS-PROJ-3"),
            act("output", "RS-ERR-2"),
        ], error_at=2, error=BOOM),
    ),
    scenario(
        "failing_source_after_buffered_items",
        "A failing source: buffered items first, then the same error, on every cursor and "
        "result",
        f"{GUIDE}: errors after the buffer; {SEED}: results of a failed run",
        ["RS-ERR-1", "RS-ERR-2", "RS-PUMP-3"],
        program(numbered(3), [
            subscribe("values", "v", "RS-ERR-1"),
            subscribe("main", "m", "RS-ERR-1"),
            take("v", 1, "RS-ERR-1"),
            drain("m", "RS-ERR-1"),
            counters("RS-PUMP-3"),
            drain("v", "RS-ERR-1"),
            *results("RS-ERR-2"),
            act("output", "RS-ERR-2"),
        ], error_at=3, error=BOOM),
    ),
    scenario(
        "abort_mid_run_then_results",
        "abort() while a reader's pull is held open: the pull is cancelled, the source closed "
        "once, the reader ends, the results report what was seen",
        f"{SEED}: 'abort: Stop the run early … Idempotent'; {GUIDE}: abort cancels an "
        "in-flight pull",
        ["RS-ABORT-3", "RS-ABORT-2", "RS-ABORT-4", "RS-ABORT-1", "RS-RES-6", "RS-ABORT-6"],
        program(numbered(4), [
            act("hold", index=2),
            subscribe("values", "v", "RS-ABORT-2"),
            take("v", 2, "RS-ABORT-2"),
            spawn(take("v", 1), "reader"),
            act("held", "RS-ABORT-3", index=2),
            act("abort", "RS-ABORT-1"),
            act("join", "RS-ABORT-2", task="reader", finishes=True),
            counters(),
            *results("RS-RES-6"),
            act("abort", "RS-ABORT-1"),
            drain("v", "RS-ABORT-2"),
        ], counter_rules={"closed": "RS-ABORT-4", "cancelled": "RS-ABORT-3",
                          "pulls": "RS-RES-6", "pending_tasks": "RS-ABORT-6"}),
    ),
    scenario(
        "abort_ignored_cancellation",
        "A source that ignores the cancellation of its pull: its late item reaches no one",
        f"{SEED}: 'Marks the stream exhausted'; {GUIDE}: nothing after abort",
        ["RS-ABORT-7", "RS-ABORT-2", "RS-ABORT-3", "RS-ABORT-4"],
        program(numbered(3), [
            act("hold", index=1),
            subscribe("values", "v", "RS-ABORT-7"),
            subscribe("main", "m", "RS-ABORT-7"),
            take("v", 1, "RS-ABORT-7"),
            spawn(take("v", 1), "reader"),
            act("held", "RS-ABORT-3", index=1),
            act("abort", "RS-ABORT-3"),
            act("join", "RS-ABORT-7", task="reader", finishes="RS-ABORT-2"),
            drain("m", "RS-ABORT-7"),
            act("output", "RS-ABORT-7"),
        ], stubborn=True, counter_rules={"cancelled": "RS-ABORT-3", "closed": "RS-ABORT-4"}),
    ),
    scenario(
        "main_log_sequence",
        "The main log carries every event with method, namespace, data, interrupts and an "
        "increasing seq",
        f"{GUIDE}: the main log yields protocol events with method, params and seq",
        ["RS-DELIV-2", "RS-DELIV-5"],
        program([
            values({"n": 1}),
            event("updates", {"node": "a"}),
            values({"sub": 1}, ns=SUB, interrupts=["sub-ask"]),
            event("custom", {"progress": 0.5}, ns=SUB),
            values({"n": 2}, interrupts=[]),
            values({"n": 3}, interrupts=["ask"]),
        ], [
            subscribe("main", "m", "RS-DELIV-2"),
            drain("m", "RS-DELIV-2"),
            drain("m", "RS-DELIV-5"),
        ]),
    ),
    scenario(
        "declared_projection_routing",
        "Declared projections receive exactly their method and namespace",
        f"{GUIDE}: declared routing; {SEED}: 'extensions: Mapping[str, Any]'",
        ["RS-EXT-4", "RS-DELIV-1"],
        program([
            event("updates", {"root": 1}),
            event("updates", {"sub": 1}, ns=SUB),
            event("custom", {"c": 1}, ns=SUB),
            values({"n": 1}),
            event("updates", {"root": 2}),
            event("custom", {"c": 2}),
        ], [
            subscribe("updates", "u", "RS-EXT-4"),
            subscribe("sub_updates", "su", "RS-EXT-4"),
            subscribe("custom", "c", "RS-EXT-4"),
            drain("u", "RS-EXT-4"),
            drain("su", "RS-EXT-4"),
            drain("c", "RS-EXT-4"),
        ], projections=[
            {"name": "updates", "method": "updates"},
            {"name": "sub_updates", "method": "updates", "namespace": SUB},
            {"name": "custom", "method": "custom", "namespace": None, "native": False},
        ]),
    ),
    scenario(
        "second_subscription_error",
        "A second subscription, or a tee after one, raises RuntimeError pointing to tee; a bad "
        "tee(n) leaves the projection free",
        f"{SEED}: 'a second aiter(run.values) raises. Use projection.tee(n) for fan-out'",
        ["RS-PROJ-1", "RS-PROJ-6", "RS-PROJ-4"],
        program(numbered(2) + [event("updates", {"u": 1})], [
            subscribe("values", "v", "RS-PROJ-1"),
            subscribe("values", "v2", "RS-PROJ-1", terms=["tee"]),
            tee("values", ["t1", "t2"], "RS-PROJ-6", terms=["tee"]),
            subscribe("main", "m", "RS-PROJ-1"),
            subscribe("main", "m2", "RS-PROJ-1"),
            act("tee", "RS-PROJ-4", target="updates", n=0, **{"as": []}),
            subscribe("updates", "u", "RS-PROJ-4"),
            drain("v", "RS-PROJ-1"),
            drain("u", "RS-PROJ-4"),
        ], projections=[{"name": "updates", "method": "updates"}]),
    ),
    scenario(
        "async_with_break",
        "Leaving `async with` early aborts the run; the source generator is closed",
        f"{SEED}: 'Use as an async context manager to guarantee clean shutdown on early exit'",
        ["RS-ABORT-8", "RS-ABORT-2", "RS-RES-6"],
        program(numbered(4), [
            act("async_with", "RS-ABORT-8", target="values", n=2, exit="break",
                **{"as": "w"}),
            counters("RS-ABORT-8"),
            drain("w", "RS-ABORT-2"),
            act("output", "RS-RES-6"),
        ], generator=True, counter_rules={"closed": "RS-ABORT-8"}),
    ),
    scenario(
        "async_with_exception",
        "An exception inside `async with` propagates unchanged and aborts the run",
        f"{SEED}: async context manager",
        ["RS-ABORT-8", "RS-PUMP-3"],
        program(numbered(3), [
            act("async_with", "RS-ABORT-8", target="values", n=1, exit="raise",
                **{"as": "w"}),
            counters(),
        ], counter_rules={"closed": "RS-ABORT-8", "pulls": "RS-PUMP-3"}),
    ),
    scenario(
        "bounded_projection_drained_slowly",
        "A projection of maxlen 1 read slowly while output() drives: the source waits for "
        "the reader, then the run completes",
        f"{SEED}: 'when a subscribed log's buffer reaches maxlen, apush awaits the subscriber "
        "to drain, which holds back the pump'",
        ["RS-BP-2", "RS-BP-3", "RS-BP-1"],
        program(numbered(4), [
            subscribe("slow", "s", "RS-BP-1"),
            spawn(act("output"), "result"),
            counters("RS-BP-2"),
            take("s", 1, "RS-BP-1"),
            counters("RS-BP-3"),
            take("s", 1, "RS-BP-1"),
            counters("RS-BP-3"),
            drain("s", "RS-BP-3"),
            join("result", "RS-BP-3"),
        ], projections=[{"name": "slow", "method": "values", "maxlen": 1}],
            counter_rules={"pulls": "RS-BP-3"}),
    ),
    scenario(
        "fatal_source_error_ends_run",
        "A BaseException from the source reaches the reader that pulled and ends the run",
        f"{GUIDE}: fatal errors end the run",
        ["RS-ERR-5"],
        program(numbered(3), [
            subscribe("values", "v", "RS-ERR-5"),
            take("v", 2, "RS-ERR-5"),
            counters("RS-ERR-5"),
            act("output", "RS-ERR-5"),
            drain("v", "RS-ERR-5"),
            counters("RS-ERR-5"),
        ], error_at=1, error={"type": "Fatal", "message": "fatal failure"}),
    ),
]


def by_id() -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in SCENARIOS}

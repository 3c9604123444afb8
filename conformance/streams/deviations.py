"""What reproduces each run-stream deviation of langgraph: a stream program or a probe.

Read by :mod:`conformance.transcripts.record_deviations`, which records the observations
into ``conformance/transcripts/deviations/langgraph/<RULE-ID>.json``. A stream program
(:mod:`conformance.streams.programs`, built with the golden transcripts' action builders)
is used wherever one shows the deviation; the probes (:mod:`conformance.streams.probes`)
cover the literal ``tee`` spelling, cancelling a consumer's task and the sync lane.
"""

from __future__ import annotations

from typing import Any

from conformance.streams.source import event, values
from conformance.streams.scenarios import (
    by_id, act, counters, drain, join, numbered, program, spawn, subscribe, take, tee,
)

CONTRACT = "streams"
BOUNDED = [{"name": "bounded", "method": "values", "maxlen": 1}]
FATAL = {"type": "Fatal", "message": "fatal failure"}


def stream_program(prog: dict[str, Any]) -> dict[str, Any]:
    """A definition replaying a stream program (they run on the async lane)."""
    return {"contract": CONTRACT, "lanes": ["async"], "program": prog}


def stream_probe(lane: str, name: str, **args: Any) -> dict[str, Any]:
    return {"contract": CONTRACT, "lanes": [lane], "probe": {"name": name, "args": args}}


#: A reader waiting on the held pull of {"n": 2}, after {"n": 1} was read.
HELD = [act("hold", index=1), subscribe("values", "v"), take("v", 1),
        spawn(take("v", 1), "reader"), act("held", index=1)]

#: Rule -> the contract, lanes and a minimal stream program or probe showing the deviation
#: (a list: one per manifest entry, when the rule's entries need different programs).
LANGGRAPH: dict[str, dict[str, Any]] = {
    "RS-PROJ-5": stream_probe("async", "tee_spelled_tee", n=2),
    # The main log drives while `bounded` (maxlen 1) is subscribed and unread: the pulls
    # counted before it reads anything show how many items it was made to hold.
    "RS-BP-1": stream_program(program(numbered(4), [
        subscribe("bounded", "b"), subscribe("main", "m"), spawn(drain("m"), "driver"),
        counters("RS-BP-1"), drain("b"), join("driver", "RS-BP-1"),
    ], projections=BOUNDED)),
    # output() drives past the full, unread `bounded`; one item taken should resume it.
    "RS-BP-2": stream_program(program(numbered(4), [
        subscribe("bounded", "b"), spawn(act("output"), "result"), counters("RS-BP-2"),
        take("b", 1), counters("RS-BP-2"), drain("b"), join("result", "RS-BP-2"),
    ], projections=BOUNDED)),
    # A fast tee branch drains while the slow one reads nothing.
    "RS-BP-6": stream_program(program(numbered(4), [
        tee("bounded", ["fast", "slow"]), spawn(drain("fast"), "fast reader"),
        counters("RS-BP-6"), drain("slow"), join("fast reader", "RS-BP-6"),
    ], projections=BOUNDED)),
    # `bounded` holds {"n": 1} unread; the main log's reader then wants {"n": 3}, whose
    # pull should wait behind the push of {"n": 2}; abort() must drop that push.
    "RS-BP-4": stream_probe("async", "declare_maxlen", maxlen=1.5),
    # (the same program for both entries: before 1.2.6 abort() also leaves the source open)
    "RS-ABORT-5": stream_program(program(numbered(4), [
        subscribe("bounded", "b"), subscribe("main", "m"), take("m", 2),
        spawn(take("m", 1), "reader"), counters("RS-ABORT-5"), act("abort"),
        join("reader", "RS-ABORT-5"), drain("b"),
    ], projections=BOUNDED)),
    # -- releases before 1.2.6: abort() neither cancels the pull in flight nor closes the
    # source (run_stream.py:428-443; RS-ABORT-1 holds there, the unclosed source is
    # RS-ABORT-4's); RS-EXT-3 before 1.2.12
    # A reader waits on the held pull of {"n": 2}; right after abort() it must have ended.
    "RS-ABORT-2": stream_program(program(numbered(3), [
        *HELD, act("abort"), act("join", "RS-ABORT-2", task="reader", now=True),
        act("release", index=1), join("reader", "RS-ABORT-2"), drain("v")])),
    "RS-ABORT-3": [
        stream_probe("async", "abort_from_the_pull"),
        stream_program(program(numbered(3), [
            *HELD, act("abort"), counters("RS-ABORT-3"), act("release", index=1),
            join("reader", "RS-ABORT-3")])),
    ],
    "RS-ABORT-4": stream_program(program(numbered(3), [
        act("abort"), act("abort"), counters("RS-ABORT-4")])),
    "RS-ABORT-8": stream_program(program(numbered(4), [
        act("async_with", target="values", n=2, exit="break", **{"as": "w"}),
        counters("RS-ABORT-8"), drain("w")], generator=True)),
    "RS-ABORT-9": stream_program(program(numbered(3), [
        act("hold", index=1), subscribe("main", "m"), take("m", 1),
        spawn(take("m", 1), "reader"), act("held", index=1),
        act("abort", **{"from": "cancelled task"}),
        act("join", "RS-ABORT-9", task="reader", now=True),
        act("release", index=1), join("reader", "RS-ABORT-9")])),
    # output() drives the run and waits on the held pull of {"n": 2} when abort() comes:
    # right after abort() it must have returned {"n": 1}, what was observed before.
    "RS-RES-6": stream_program(program(numbered(3), [
        act("hold", index=1), spawn(act("output"), "result"), act("held", index=1),
        act("abort"), act("join", "RS-RES-6", task="result", now=True),
        act("release", index=1), join("result", "RS-RES-6")])),
    "RS-SYNC-4": stream_probe("sync", "sync_abort"),
    "RS-EXT-3": stream_probe("async", "unknown_projection"),
    # >=1.2.6: the held pull of {"n": 2} swallows abort()'s cancellation and returns its
    # item. <1.2.6: abort() leaves the held pull alone; once its gate opens, the item
    # counts for output().
    "RS-ABORT-7": [
        stream_program(program(numbered(3), [
            *HELD, act("abort"), join("reader", "RS-ABORT-7"), drain("v"), act("output"),
        ], stubborn=True)),
        stream_program(program(numbered(3), [
            *HELD, act("abort"), act("release", index=1), join("reader", "RS-ABORT-7"),
            drain("v"), act("output")])),
    ],
    "RS-ERR-3": stream_probe("async", "cancel_pumping_consumer", generator=True),
    "RS-ERR-4": stream_program(program(numbered(3), [
        subscribe("bounded", "b"), take("b", 1), act("close", cursor="b"),
        subscribe("bounded", "again", "RS-ERR-4", terms=["already has a subscriber"]),
    ], projections=BOUNDED)),
    # The source raises Fatal at its second pull; output() afterwards must not pull again.
    "RS-ERR-5": stream_program(program(numbered(3), [
        subscribe("values", "v"), take("v", 2), counters("RS-ERR-5"), act("output"),
        counters("RS-ERR-5"),
    ], error_at=1, error=FATAL)),
    "RS-RES-7": stream_program(program(
        [values({"n": 1}, interrupts=["a"]), values({"n": 2}, interrupts=["a", "b"])],
        [act("interrupts", "RS-RES-7")])),
    "RS-SYNC-2": stream_probe("sync", "sync_tee_failing_source", n=2),
    "RS-SYNC-5": stream_probe("sync", "sync_full_log", maxlen=1),
}


# -- LangGraph.js (@langchain/langgraph over the Node driver) -------------------------------

#: Root updates and custom events, read through a declared projection and the main log.
UPDATES = [{"name": "node_updates", "method": "updates"}]
RESHAPED = stream_program(program(
    [values({"n": 1}), event("updates", {"step": 1}), event("custom", {"step": 2})],
    [subscribe("node_updates", "u"), subscribe("main", "m"), drain("u"), drain("m")],
    projections=UPDATES))
#: A run nobody reads: the pulls counted once the loop went idle.
UNREAD = stream_program(program(numbered(3), [counters("RS-PUMP-1")]))
#: One item read: the pulls counted then.
ONE_READ = stream_program(program(numbered(3), [
    subscribe("values", "v"), take("v", 1), counters("RS-PUMP-3")]))
NO_TEE = stream_probe("async", "tee_spelled_tee", n=2)

LANGGRAPH_JS: dict[str, dict[str, Any]] = {
    "RS-PUMP-1": UNREAD,
    "RS-PUMP-2": ONE_READ,
    "RS-PUMP-3": ONE_READ,
    "RS-RES-4": UNREAD,
    "RS-DELIV-1": RESHAPED,
    "RS-DELIV-2": RESHAPED,
    "RS-DELIV-5": RESHAPED,
    "RS-EXT-4": RESHAPED,
    # subscribed once the run ended: a log that kept nothing for nobody yields nothing
    "RS-DELIV-3": stream_program(program(numbered(3), [
        act("output"), subscribe("values", "late"), drain("late")])),
    "RS-BP-5": stream_program(program(numbered(3), [
        act("output"), subscribe("bounded", "late"), drain("late")], projections=BOUNDED)),
    "RS-PROJ-1": stream_program(program(numbered(2), [
        subscribe("values", "v"), subscribe("values", "v2", "RS-PROJ-1", terms=["tee"]),
        drain("v"), drain("v2")])),
    "RS-PROJ-5": NO_TEE,
    "RS-BP-1": LANGGRAPH["RS-BP-1"],
    "RS-BP-2": LANGGRAPH["RS-BP-2"],
    "RS-BP-4": LANGGRAPH["RS-BP-4"],
    "RS-ABORT-2": LANGGRAPH["RS-ABORT-2"],
    "RS-ABORT-3": LANGGRAPH["RS-ABORT-3"][1],
    "RS-ABORT-4": LANGGRAPH["RS-ABORT-4"],
    "RS-ABORT-5": LANGGRAPH["RS-ABORT-5"],
    # the held pull of {"n": 2} is still in flight after abort(): counted active
    "RS-ABORT-6": stream_program(program(numbered(3), [
        *HELD, act("abort"), counters("RS-ABORT-6"), act("release", index=1),
        join("reader", "RS-ABORT-6")])),
    "RS-ABORT-7": LANGGRAPH["RS-ABORT-7"][1],
    "RS-ABORT-8": LANGGRAPH["RS-ABORT-8"],
    "RS-ABORT-9": LANGGRAPH["RS-ABORT-9"],
    "RS-RES-6": LANGGRAPH["RS-RES-6"],
    "RS-RES-7": LANGGRAPH["RS-RES-7"],
    "RS-ERR-2": stream_program(program(numbered(3), [
        act("output"), act("interrupted"), act("interrupts")], error_at=1)),
    "RS-ERR-4": LANGGRAPH["RS-ERR-4"],
    # the golden scenario: a reader other than the one whose pull raised Fatal
    "RS-ERR-5": stream_program(by_id()["fatal_source_error_ends_run"]["program"]),
    # an interrupt list that is empty, then one in a nested namespace only
    "RS-RES-2": stream_program(program(
        [values({"n": 1}, interrupts=[]), values({"sub": 1}, ["sub:1"], ["nested"])],
        [act("interrupted")])),
    "RS-RES-3": stream_program(program(
        [values({"sub": 1}, ["sub:1"], ["nested"]), values({"n": 1}, interrupts=["root"])],
        [act("interrupts")])),
    "RS-EXT-1": stream_probe("async", "extensions_view"),
    "RS-EXT-2": stream_probe("async", "extensions_view"),
    "RS-EXT-3": LANGGRAPH["RS-EXT-3"],
}

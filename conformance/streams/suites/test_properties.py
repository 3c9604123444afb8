"""Laws over random scripts read by random crowds of consumers in random interleavings.

Each example draws a script (methods, namespaces — nested ones too — and interrupts), a
set of consumers (projection cursors, the main log, tee branches with a random ``n``) and
an interleaving: at each step either one idle consumer starts reading its next item (a
task) or the pull the source holds open is released; the loop is settled after every
step. Every pull is held on a gate, so several consumers really do wait on one pull.
Finally every gate opens and each consumer reads to its end.

Each example also draws a schedule for the controlled loop (``conformance.scheduling``):
which of the callbacks ready at once runs first, so readers woken by one event wake in
every order, not only asyncio's.

Each test checks one law against the model (``conformance.streams.scripts.routed``).
Every example is also recorded as a stream program (subscriptions, reads as tasks,
releases, a settle after each step): with ``--runcert-counterexamples=DIR`` a failing
example is written there as a replayable stream transcript.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.adapter import RS_ASYNC, ProjectionSpec
from conformance.aio import run, within
from conformance.checks import check, check_equal, escape_verdict
from conformance.counterexamples import Exporter, Tape
from conformance.scheduling import Schedule, schedules
from conformance.streams.drive import END, declared, anext_or_end, settle
from conformance.streams.scripts import (
    ALL_VALUES, CUSTOM_ANY, SUB_VALUES, UPDATES, VALUES, routed, scripted_entries, scripts,
)
from conformance.streams.source import ScriptedSource, ScriptEvent

pytestmark = pytest.mark.requires(RS_ASYNC)

LAWS = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
DECLARED = [UPDATES, CUSTOM_ANY, SUB_VALUES, ALL_VALUES]
SPECS = [VALUES, *DECLARED]
MAIN_LOG = "main log"

# How each projection is read in one example: not at all, by one cursor, or by a tee.
modes = st.one_of(st.none(), st.just(1), st.integers(1, 3).map(lambda n: ("tee", n)))


@st.composite
def crowds(draw: st.DrawFn, main_log: bool | None = None,
           tee: bool = False) -> dict[str, Any]:
    """Who reads: projection name -> mode (cursor or ("tee", n)), plus maybe the main log."""
    crowd = {spec.name: mode for spec in SPECS if (mode := draw(modes)) is not None}
    if tee and not any(isinstance(mode, tuple) for mode in crowd.values()):
        crowd[draw(st.sampled_from([spec.name for spec in SPECS]))] = ("tee", draw(
            st.integers(1, 3)))
    if main_log if main_log is not None else draw(st.booleans()):
        crowd[MAIN_LOG] = 1
    if not crowd:
        crowd[MAIN_LOG] = 1
    return crowd


@dataclass
class Reader:
    """One consumer and what it received."""

    label: str
    source: str  # projection name or MAIN_LOG
    cursor: Any
    branch_of: int | None = None  # n of the tee this reader is a branch of
    items: list[Any] = field(default_factory=list)
    ended: bool = False
    reading: asyncio.Task[Any] | None = None
    tape_task: str = ""  # the read's task on the tape
    error: Exception | None = None  # what a read raised (the runs here never fail)
    error_after_end: bool = False  # it raised once the source had ended

    def read(self, tape: Tape) -> None:
        """Start reading the next item, as a task."""
        self.reading = asyncio.create_task(anext_or_end(self.cursor))
        self.tape_task = tape.spawn({"do": "take", "cursor": self.label, "n": 1})

    def collect(self, tape: Tape, source: ScriptedSource) -> None:
        """Record the item, the end or the error of a finished read."""
        if self.reading is None or not self.reading.done():
            return
        reading, self.reading = self.reading, None
        tape.join(self.tape_task)
        try:
            item = reading.result()
        except Exception as error:  # noqa: BLE001 - judged by the laws (check_endings)
            escape_verdict(error)
            self.failed(error, source)
            return
        if item is END:
            self.ended = True
        else:
            self.items.append(item)

    def failed(self, error: Exception, source: ScriptedSource) -> None:
        self.error, self.error_after_end, self.ended = error, source_ended(source), True

    async def finish(self, tape: Tape, source: ScriptedSource) -> None:
        if self.reading is not None:
            await asyncio.wait({self.reading})
            self.collect(tape, source)
        try:
            while not self.ended:
                item = await anext_or_end(self.cursor)
                self.ended = item is END
                if not self.ended:
                    self.items.append(item)
        except Exception as error:  # noqa: BLE001 - judged by the laws (check_endings)
            escape_verdict(error)
            self.failed(error, source)


def source_ended(source: ScriptedSource) -> bool:
    """The source has answered a pull with its end."""
    count = source.count
    return source.position >= len(source.events) and count.pulls > count.completed + count.active


def subscribe(run_stream: Any, crowd: dict[str, Any],
              fan_out: Callable[[Any, int], Any], tape: Tape) -> list[Reader]:
    readers = []
    for name, mode in crowd.items():
        target = run_stream if name == MAIN_LOG else declared(run_stream, name)
        taped = {"target": "main" if name == MAIN_LOG else name}
        if isinstance(mode, tuple):
            n = mode[1]
            branches = [Reader(f"{name} tee({n}) branch {i}", name, branch, n)
                        for i, branch in enumerate(fan_out(target, n))]
            readers += branches
            tape.act({"do": "tee", **taped, "n": n, "as": [r.label for r in branches]})
        else:
            readers.append(Reader(name, name, aiter(target)))
            tape.act({"do": "subscribe", **taped, "as": name})
    return readers


@dataclass
class Outcome:
    source: ScriptedSource
    readers: list[Reader]
    active_seen: list[int]  # pulls in progress after each step


async def simulate(open_run: Callable[..., Any], fan_out: Callable[[Any, int], Any],
                   script: list[ScriptEvent], crowd: dict[str, Any],
                   data: st.DataObject, tape: Tape) -> Outcome:
    source = ScriptedSource(script)
    gates = range(len(script) + 1)  # every pull, the one that finds the end too
    for k in gates:
        source.hold(k)
    tape.open(script, DECLARED, list(gates))
    run_stream = open_run(source, DECLARED)
    readers = subscribe(run_stream, crowd, fan_out, tape)
    active_seen = []
    for _ in range(3 * (len(script) + 2)):
        idle = [r for r in readers if not r.ended and r.reading is None]
        moves = [r.label for r in idle] + (["release"] if source.count.active else [])
        if not moves:
            break
        move = data.draw(st.sampled_from(moves), label="step")
        if move == "release":
            tape.act({"do": "release", "index": source.position})
            source.release(source.position)
        else:
            next(r for r in idle if r.label == move).read(tape)
        await settle()
        tape.act({"do": "counters"})  # settles, then observes the source
        for reader in readers:
            reader.collect(tape, source)
        active_seen.append(source.count.active)
    for k in gates:
        source.release(k)
        tape.act({"do": "release", "index": k})
    await within(asyncio.gather(*(r.finish(tape, source) for r in readers)),
                 "the readers' last reads")
    tape.actions += [{"do": "drain", "cursor": r.label} for r in readers]
    return Outcome(source, readers, active_seen)


def play(open_run: Callable[..., Any], fan_out: Callable[[Any, int], Any],
         script: list[ScriptEvent], crowd: dict[str, Any], data: st.DataObject,
         tape: Tape) -> Outcome:
    """One example on the controlled loop: the schedule orders the readers' tasks and
    the implementation's callbacks between the steps (``conformance.scheduling``)."""
    schedule = Schedule.replay(data.draw(schedules(), label="schedule"))
    try:
        return run(lambda: simulate(open_run, fan_out, script, crowd, data, tape),
                   schedule=schedule)
    finally:
        tape.schedule = schedule.recorded()


def one_pull_at_a_time(outcome: Outcome) -> None:
    """Every law presumes single flight, so each judges it first: two pulls at once both
    get the event at the scripted source's position (it moves only when a pull returns),
    and an item a consumer then receives twice is the second pull's finding."""
    check("RS-FLIGHT-1", outcome.source.count.max_active <= 1,
          f"expected at most 1 pull in progress at any time, saw "
          f"{outcome.source.count.max_active}")


def spec_of(reader: Reader) -> ProjectionSpec:
    return next(s for s in SPECS if s.name == reader.source)


def check_endings(outcome: Outcome) -> None:
    """The runs here never fail: a reader that raised once the source had ended did not
    end cleanly (RS-DELIV-5; a tee branch, RS-PROJ-3). One that raised before that is
    the law's own failure, as it would be without this check."""
    for reader in outcome.readers:
        if reader.error is None:
            continue
        if not reader.error_after_end:
            raise reader.error
        check("RS-PROJ-3" if reader.branch_of is not None else "RS-DELIV-5", False,
              f"{reader.label} raised {reader.error!r} once the source had ended, instead of "
              f"ending")


def expected(reader: Reader, script: list[ScriptEvent]) -> list[Any]:
    return routed(script, spec_of(reader))


def check_selection(reader: Reader, script: list[ScriptEvent]) -> None:
    """Items that are the data of script events the projection does not select are its
    filter's finding (RS-DELIV-4 for ``values``, RS-EXT-4 for a declared projection),
    judged before order and count: the laws here compare against the model's routing."""
    spec = spec_of(reader)
    selected = routed(script, spec)
    foreign = [item for item in reader.items
               if item not in selected and any(item == e["data"] for e in script)]
    where = "any namespace" if spec.namespace is None else list(spec.namespace)
    check("RS-DELIV-4" if spec is VALUES else "RS-EXT-4", not foreign,
          f"{reader.label} received {foreign}, the data of events its projection "
          f"({spec.method!r} @ {where}) does not select")


@pytest.mark.rule("RS-DELIV-1")
@LAWS
@given(script=scripts(), crowd=crowds(), data=st.data())
def test_every_consumer_sees_its_events_in_order(open_run: Callable[..., Any],
                                                 fan_out: Callable[[Any, int], Any],
                                                 script: list[ScriptEvent],
                                                 crowd: dict[str, Any],
                                                 data: st.DataObject,
                                                 counterexamples: Exporter) -> None:
    tape = Tape()
    with counterexamples.streams(tape):
        outcome = play(open_run, fan_out, script, crowd, data, tape)
        one_pull_at_a_time(outcome)
        check_endings(outcome)
        for reader in outcome.readers:
            if reader.branch_of is not None:
                continue  # tee branches: RS-PROJ-2
            if reader.source == MAIN_LOG:
                check_equal("RS-DELIV-1", scripted_entries(reader.items), script,
                            "main-log entries against the source events")
            else:
                check_selection(reader, script)
                check_equal("RS-DELIV-1", reader.items, expected(reader, script),
                            f"items of {reader.label}")


@pytest.mark.rule("RS-DELIV-2")
@LAWS
@given(script=scripts(), crowd=crowds(main_log=True), data=st.data())
def test_main_log_seq_strictly_increases(open_run: Callable[..., Any],
                                         fan_out: Callable[[Any, int], Any],
                                         script: list[ScriptEvent], crowd: dict[str, Any],
                                         data: st.DataObject,
                                         counterexamples: Exporter) -> None:
    tape = Tape()
    with counterexamples.streams(tape):
        outcome = play(open_run, fan_out, script, crowd, data, tape)
        one_pull_at_a_time(outcome)
        check_endings(outcome)
        log = next(r for r in outcome.readers if r.source == MAIN_LOG).items
        seqs = [entry.get("seq") for entry in log]
        check("RS-DELIV-2", all(isinstance(s, int) for s in seqs),
              f"expected an int seq on every main-log entry, got {seqs}")
        check("RS-DELIV-2", all(a < b for a, b in zip(seqs, seqs[1:])),
              f"expected strictly increasing seq along the main log, got {seqs}")


@pytest.mark.rule("RS-FLIGHT-1")
@LAWS
@given(script=scripts(), crowd=crowds(), data=st.data())
def test_never_two_pulls_at_once(open_run: Callable[..., Any],
                                 fan_out: Callable[[Any, int], Any],
                                 script: list[ScriptEvent], crowd: dict[str, Any],
                                 data: st.DataObject,
                                 counterexamples: Exporter) -> None:
    tape = Tape()
    with counterexamples.streams(tape):
        outcome = play(open_run, fan_out, script, crowd, data, tape)
        check("RS-FLIGHT-1", all(active <= 1 for active in outcome.active_seen),
              f"expected at most 1 pull in progress after every step, saw "
              f"{outcome.active_seen}")
        one_pull_at_a_time(outcome)
        check_endings(outcome)


@pytest.mark.rule("RS-PROJ-2")
@LAWS
@given(script=scripts(), crowd=crowds(tee=True), data=st.data())
def test_tee_branches_see_the_full_sequence(open_run: Callable[..., Any],
                                            fan_out: Callable[[Any, int], Any],
                                            script: list[ScriptEvent], crowd: dict[str, Any],
                                            data: st.DataObject,
                                            counterexamples: Exporter) -> None:
    tape = Tape()
    with counterexamples.streams(tape):
        outcome = play(open_run, fan_out, script, crowd, data, tape)
        one_pull_at_a_time(outcome)
        check_endings(outcome)
        branches = [r for r in outcome.readers if r.branch_of is not None]
        check("RS-PROJ-2", branches, f"the crowd {crowd} was drawn with at least one tee")
        for reader in branches:
            check_selection(reader, script)
            check_equal("RS-PROJ-2", reader.items, expected(reader, script),
                        f"items of {reader.label}")

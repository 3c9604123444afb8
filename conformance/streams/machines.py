"""Hypothesis state machines over an async run stream: backpressure and abort.

Each example opens a run stream on a FRESH controlled event loop
(``conformance.scheduling``) over a gated ``ScriptedSource``:
every pull, the final one (the end) included, waits on a gate that only the ``produce``
rule opens. Rules only *start* things (a consumer's next item as a task, an abort, a
result call); after each rule the loop is stepped until every task is blocked
(``settle``), so the effect of each rule is visible in counts (GUIDE §5).

The rules fix the order of operations; the example's ``schedule`` (drawn with it, FIFO
in part of the examples) fixes the order in which the callbacks that are ready at
once run while the loop is stepped, so readers woken by one event, two aborts or a
result call and a read also run in orders asyncio's FIFO never gives. A failing example
shrinks its schedule like its steps, and notes the choices the loop made.

The model is plain: the script indices each consumer should receive, one candidate
sequence per possible subscription point (a consumer that subscribes while an event is
still being routed may or may not get that event), compared item by item.

Buffers are observed without peeking. After a settle, every event pulled before the last
one has been routed completely (a pull starts only after the previous event's pushes are
done), and so has the last one when a further pull is in flight or the source has ended.
What a consumer holds is then ``routed to it - taken by it``.

Every step is also recorded as a stream program (``conformance.counterexamples.Tape``):
with an exporter bound, a failing example is written as a replayable stream transcript.

Bind the implementation with ``bind(adapter, exporter)`` and run ``Machine.TestCase``.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar

from hypothesis import event as note_event
from hypothesis import note, target
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle, RuleBasedStateMachine, initialize, invariant, multiple, precondition, rule,
)

from conformance import aio
from conformance.adapter import Adapter, ProjectionSpec
from conformance.checks import ImplementationTimeout, RuleViolation, check, violate
from conformance.counterexamples import Exporter, Tape
from conformance.scheduling import ControlledLoop, Schedule, schedules
from conformance.streams.drive import END, declared, factories, fan_out
from conformance.streams.source import ScriptedSource
from conformance.streams.scripts import METHODS, step

__all__ = ["AbortMachine", "BackpressureMachine", "Consumer", "Log", "bind", "exporting"]

SETTLE_ROUNDS = 50  # at most this many settle() calls until nothing moves any more
CLEANUP_LIMIT = 1.0  # seconds an abort may take while tearing down a failed example


@contextmanager
def bind(adapter: Adapter, exporter: Exporter | None = None) -> Iterator[None]:
    """Run the machines of this module against ``adapter`` inside the block; a failing
    example is exported by ``exporter`` (when it is enabled)."""
    previous = RunMachine.adapter, RunMachine.exporter
    RunMachine.adapter, RunMachine.exporter = adapter, exporter
    try:
        yield
    finally:
        RunMachine.adapter, RunMachine.exporter = previous


def exporting(case: type[Any]) -> type[Any]:
    """``case`` (a machine's ``TestCase``) with its failures exported as transcripts.

    Hypothesis runs the shrunk failing example last and raises its error, so the tape of
    the last example is that example's steps.
    """
    run_test = case.runTest

    def runTest(self: Any) -> None:  # noqa: N802 - unittest's name
        RunMachine.last_tape = None
        try:
            run_test(self)
        except RuleViolation as violation:
            tape, exporter = RunMachine.last_tape, RunMachine.exporter
            if exporter is not None and tape is not None:
                exporter.export_stream(violation, tape)
            raise

    case.runTest = runTest
    return case


# -- what can be subscribed --------------------------------------------------------------------

@dataclass(frozen=True)
class Log:
    """A log a machine can subscribe to: the main log (``spec=None``) or a projection."""

    name: str
    spec: ProjectionSpec | None = None

    def routes(self, event: dict[str, Any]) -> bool:
        if self.spec is None:
            return True
        return event["method"] == self.spec.method and (
            self.spec.namespace is None or event["namespace"] == list(self.spec.namespace))

    @property
    def target(self) -> str:
        """How a stream program names it."""
        return "main" if self.spec is None else self.name

    def subscribe(self, run: Any) -> Any:
        if self.spec is None:
            return aiter(run)
        return aiter(run.values if self.name == "values" else declared(run, self.name))

    def index_of(self, item: Any) -> int | None:
        """The script index an item stands for (None: an entry the kit did not script)."""
        if self.spec is not None:
            data = item
        elif isinstance(item, dict) and item.get("method") in METHODS:
            data = item.get("params", {}).get("data")
        else:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("step"), int):
            violate("RS-DELIV-1", f"{self.name} yielded {data!r}, the data of no scripted "
                                  f"event (a consumer receives the events' data unchanged)")
        return data["step"]  # type: ignore[no-any-return]


@dataclass(eq=False)
class Consumer:
    """One reader (a cursor or a tee branch) and what the model expects of it."""

    label: str
    log: Log
    iterator: Any
    starts: tuple[int, ...]  # the possible first script index (lazy subscription)
    cap: int | None = None  # most items it may hold; None: unbounded
    bound_rule: str = "RS-BP-1"
    order_rule: str = "RS-DELIV-1"  # what it receives: a tee branch's is RS-PROJ-2
    end_rule: str = "RS-DELIV-5"  # how it ends with the run: a tee branch's is RS-PROJ-3
    received: list[int] = field(default_factory=list)
    ended: bool = False
    error: BaseException | None = None
    error_at_end: bool = False  # it raised once the source had ended (no abort before)
    task: asyncio.Task[Any] | None = None
    blocked: int | None = None  # an item whose push was blocked at abort (RS-ABORT-5)

    def __repr__(self) -> str:
        return self.label

    def candidates(self, script: Sequence[dict[str, Any]]) -> list[list[int]]:
        return [[i for i in range(s, len(script)) if self.log.routes(script[i])]
                for s in self.starts]

    def consistent(self, script: Sequence[dict[str, Any]]) -> list[list[int]]:
        """The candidate sequences what it received so far is a prefix of."""
        n = len(self.received)
        return [c for c in self.candidates(script) if c[:n] == self.received]

    def routed(self, script: Sequence[dict[str, Any]], upto: int, most: bool = False) -> int:
        """How many of the events before ``upto`` reached it (fewest, or most, possible)."""
        counts = [sum(1 for i in c if i < upto) for c in self.consistent(script)] or [0]
        return max(counts) if most else min(counts)

    def held(self, script: Sequence[dict[str, Any]], upto: int) -> int:
        return self.routed(script, upto) - len(self.received)


# -- the base machine: a fresh loop, a gated source, consumers ---------------------------------

async def _next_or_end(iterator: Any) -> Any:
    try:
        return await iterator.__anext__()
    except StopAsyncIteration:
        return END


class RunMachine(RuleBasedStateMachine):
    """What both machines share. Subclasses declare ``LOGS`` and open the run."""

    adapter: ClassVar[Adapter | None] = None
    exporter: ClassVar[Exporter | None] = None
    last_tape: ClassVar[Tape | None] = None  # the steps of the example run last
    cursors = Bundle("cursors")

    def __init__(self) -> None:
        super().__init__()
        if RunMachine.adapter is None:
            raise RuntimeError("bind(adapter) before running a run-stream machine")
        self.loop = ControlledLoop()  # FIFO until the example draws a schedule
        self.script: list[dict[str, Any]] = []
        self.source = ScriptedSource([])
        self.run: Any = None
        self.logs: dict[str, Log] = {}
        self.consumers: list[Consumer] = []
        self.subscribed: set[str] = set()
        self.released = 0  # gates opened so far (gate len(script) is the end)
        self.own_tasks: list[asyncio.Task[Any]] = []
        self.steps = 0  # rules run (each ends with a settle)
        self.maxlen: dict[str, int] = {}  # bounded logs (set when the run is opened)
        self.tape = Tape()  # the steps so far, as a stream program
        self.taped: dict[asyncio.Task[Any], str] = {}  # task -> its name on the tape

    # -- the loop --------------------------------------------------------------------------
    def use_schedule(self, schedule: list[int]) -> None:
        """Let ``schedule`` (drawn by Hypothesis) choose which ready callback runs next;
        ``[]`` keeps asyncio's FIFO order. Part of the examples explore interleavings, and
        a failure that needs none shrinks to FIFO (see ``conformance.scheduling``)."""
        self.loop.schedule = Schedule.replay(schedule)

    def spawn(self, coroutine: Coroutine[Any, Any, Any], name: str,
              action: dict[str, Any] | None = None) -> asyncio.Task[Any]:
        """Start ``coroutine`` as a task; ``action`` is what it does, for the tape."""
        task = self.loop.create_task(coroutine, name=name)
        self.own_tasks.append(task)
        if action is not None:
            self.taped[task] = self.tape.spawn(action)
        return task

    def start_read(self, consumer: Consumer, name: str) -> None:
        consumer.task = self.spawn(_next_or_end(consumer.iterator), name,
                                   {"do": "take", "cursor": consumer.label, "n": 1})

    def release(self, index: int) -> None:
        self.source.release(index)
        self.tape.act({"do": "release", "index": index})

    def settle(self) -> None:
        """Step the loop until nothing moves any more, then collect finished reads."""
        self.steps += 1
        self.loop.run_driver(self._quiesce())
        self.tape.act({"do": "counters"})  # settles, then observes the source
        for consumer in self.consumers:
            self._harvest(consumer)

    async def _quiesce(self) -> None:
        last = None
        for _ in range(SETTLE_ROUNDS):
            await aio.settle()
            now = self._fingerprint()
            if now == last:
                return
            last = now

    def _fingerprint(self) -> tuple[Any, ...]:
        count = self.source.count
        tasks = asyncio.all_tasks(self.loop)
        return (count.pulls, count.completed, count.active, count.closed, count.cancelled,
                len(tasks), sum(t.done() for t in tasks))

    def _harvest(self, consumer: Consumer) -> None:
        task = consumer.task
        if task is None or not task.done():
            return
        consumer.task = None
        if task in self.taped:
            self.tape.join(self.taped.pop(task))
        if task.cancelled() or task.exception() is not None:
            consumer.error = task.exception() if not task.cancelled() else (
                asyncio.CancelledError())
            consumer.error_at_end = self.source_ended and not self.aborted_yet()
        elif task.result() is END:
            consumer.ended = True
        else:
            index = consumer.log.index_of(task.result())
            if index is not None:
                consumer.received.append(index)

    def aborted_yet(self) -> bool:
        """Whether the example has called abort() (only the abort machine does)."""
        return False

    def check_ending(self, consumer: Consumer) -> None:
        """A consumer that raised once the source had ended did not end cleanly."""
        if consumer.error is not None and consumer.error_at_end:
            check(consumer.end_rule, False,
                  f"{consumer.label} raised {consumer.error!r} once the source had ended, "
                  f"instead of ending")

    # -- the source ------------------------------------------------------------------------
    def open(self, methods: Sequence[str], projections: Sequence[ProjectionSpec],
             stubborn: bool = False) -> None:
        self.script = [_scripted(k, m) for k, m in enumerate(methods)]
        self.source = ScriptedSource(self.script, stubborn=stubborn)
        for k in range(len(self.script) + 1):
            self.source.hold(k)
        self.tape.open(self.script, list(projections), list(range(len(self.script) + 1)),
                       stubborn)
        self.logs = {"main log": Log("main log"), "values": Log("values", VALUES_SPEC)}
        self.logs.update({p.name: Log(p.name, p) for p in projections})
        assert self.adapter is not None
        self.run = self.loop.run_driver(self._built(list(projections)))

    async def _built(self, projections: list[ProjectionSpec]) -> Any:
        """The run stream, built inside the running loop as a user's code builds one: an
        implementation that starts work in its constructor starts it on this loop, where
        the machine's steps see it (and RS-PUMP-1 judges it), not in a loop of its own."""
        assert self.adapter is not None
        return factories(self.adapter).open_run(self.source, projections)

    @property
    def source_ended(self) -> bool:
        """The source has answered a pull with its end."""
        count = self.source.count
        lost = count.cancelled - count.delivered_after_cancel  # cancelled pulls with no item
        return self.source.position >= len(self.script) and (
            count.pulls - lost > count.completed + count.active)

    def surely_routed(self) -> int:
        """Events known to be routed completely: all but a last one whose pushes may wait."""
        count = self.source.count
        if count.active or self.source_ended:
            return count.completed
        return max(count.completed - 1, 0)

    def starts_now(self) -> tuple[int, ...]:
        """Where a subscription made now may begin (the last event may still be routed)."""
        count = self.source.count
        return tuple(sorted({self.surely_routed(), count.completed}))

    # -- shared rules ------------------------------------------------------------------------
    @precondition(lambda self: self.released <= len(self.script))
    @rule(n=st.integers(1, 3))
    def produce(self, n: int) -> None:
        """Open the gates of the next ``n`` pulls (the last gate lets the source end)."""
        for _ in range(min(n, len(self.script) + 1 - self.released)):
            self.release(self.released)
            self.released += 1
        self.settle()

    @rule(consumer=cursors)
    def consume(self, consumer: Consumer) -> None:
        """Ask ``consumer`` for its next item, as a task that may block."""
        if consumer.task is None and not consumer.ended and consumer.error is None:
            self.start_read(consumer, f"consume {consumer.label}")
        self.settle()

    @rule(consumer=cursors, n=st.integers(2, 4))
    def read(self, consumer: Consumer, n: int) -> None:
        """Up to ``n`` rounds of produce-then-consume for ``consumer``; stops once its
        read stays blocked (reaches the states that need many small steps)."""
        for _ in range(n):
            if consumer.task is not None or consumer.ended or consumer.error is not None:
                return
            if self.released <= len(self.script):
                self.release(self.released)
                self.released += 1
            self.consume(consumer)

    def subscribe_log(self, name: str, cap: int | None) -> Any:
        if name in self.subscribed:
            return multiple()
        self.subscribed.add(name)
        log = self.logs[name]
        consumer = Consumer(name, log, log.subscribe(self.run), self.starts_now(), cap)
        self.tape.act({"do": "subscribe", "target": log.target, "as": name})
        self.consumers.append(consumer)
        self.settle()
        return consumer

    def subscribe_first(self, readers: Sequence[str]) -> Any:
        """The readers an example starts with (each as if subscribed by a step)."""
        return multiple(*(self.subscribe_log(name, self.maxlen.get(name)) for name in readers))

    # -- shared invariants -------------------------------------------------------------------
    @invariant()
    def single_flight(self) -> None:
        check("RS-FLIGHT-1", self.source.count.max_active <= 1,
              f"two pulls were in progress at once (max_active="
              f"{self.source.count.max_active})")

    def check_prefixes(self) -> None:
        """Each consumer's items are a prefix of one of its model sequences (its
        ``order_rule``: a tee branch's items are RS-PROJ-2's, a cursor's RS-DELIV-1's).

        Single flight is judged first: two pulls at once both get the event at the
        scripted source's position (it moves only when a pull returns), so an item
        received twice after that is the second pull's finding (RS-FLIGHT-1), not a
        routing one."""
        self.single_flight()
        for consumer in self.consumers:
            if not consumer.consistent(self.script):
                check(consumer.order_rule, False,
                      f"{consumer.label} received steps {consumer.received}; the model "
                      f"expects a prefix of one of {consumer.candidates(self.script)}")

    # -- teardown ----------------------------------------------------------------------------
    def teardown(self) -> None:
        failing = sys.exc_info()[1] is not None
        RunMachine.last_tape = self.tape
        try:
            if not failing and self.run is not None:
                self.finish()
        except BaseException:
            failing = True
            raise
        finally:
            schedule = self.tape.schedule = self.loop.schedule.recorded()
            if schedule:
                note(f"schedule: {schedule} (choices of the controlled loop)")
            note_event(f"scheduler choices made: {len(self.loop.schedule.choices)}")
            self._close_loop(failing)

    def finish(self) -> None:
        """Checks once the example's steps are over (only when no step failed)."""

    def _close_loop(self, failing: bool) -> None:
        loop = self.loop
        try:
            if self.run is not None:
                loop.run_driver(_bounded(self.run.abort(), CLEANUP_LIMIT, failing))
            loop.run_driver(_cancel_pending(CLEANUP_LIMIT, failing))
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()


async def _bounded(awaitable: Any, limit: float, failing: bool) -> None:
    """Await the teardown's ``abort()`` for at most ``limit`` seconds.

    After a failed step whatever it does is ignored: the failure is reported already.
    After a passing example it is part of the run: a hang is a timeout and an error
    propagates, rather than a pass that hid them.
    """
    try:
        async with asyncio.timeout(limit) as bound:
            await awaitable
    except BaseException as exc:
        if failing:
            return
        if isinstance(exc, TimeoutError) and bound.expired():
            raise ImplementationTimeout(
                f"timeout: abort() at the end of the example did not return within "
                f"{limit:g}s") from None
        raise


async def _cancel_pending(limit: float, failing: bool) -> None:
    """Cancel the tasks still pending and give them ``limit`` seconds to stop.

    A task the implementation runs may swallow its cancellation and wait again (a result
    method that goes on pulling a gated source): it is left behind rather than waited
    for, silently after a failed step, as a timeout after a passing example.
    """
    me = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not me and not t.done()]
    for task in tasks:
        task.cancel()
    if not tasks:
        return
    _, pending = await asyncio.wait(tasks, timeout=limit)
    if pending and not failing:
        raise ImplementationTimeout(
            f"timeout: tasks still running {limit:g}s after the end of the example was "
            f"cancelled: {sorted(t.get_name() for t in pending)}")


def _reordered(result: Any, allowed: Sequence[Any]) -> bool:
    """``result`` holds exactly the items of one of ``allowed``, in another order."""
    return isinstance(result, list) and any(
        len(result) == len(each) and all(x in each for x in result)
        and all(x in result for x in each) for each in allowed)


VALUES_SPEC = ProjectionSpec("values", "values")  # the built-in projection, for the model


def _scripted(k: int, kind: str) -> dict[str, Any]:
    """Event ``k`` of a machine's script; ``values!`` is a root values with an interrupt."""
    if kind == "values!":
        return step(k, "values", interrupts=[f"ask{k}"])
    return step(k, kind)


# -- the backpressure machine --------------------------------------------------------------------

BOUNDED = ("b1", "b2", "b3")  # bounded projections: root values, root updates, any values
LOGS = ("main log", "values", *BOUNDED)


class BackpressureMachine(RunMachine):
    """Produce, subscribe, consume and tee against bounded projections.

    Invariants: no subscribed log holds more than its ``maxlen`` (RS-BP-1), tee branches
    at most the projection's log plus their own ``maxlen`` (RS-BP-6), no pull is in
    flight while a push into a full log is pending (RS-BP-2), every consumer's items are
    a prefix of its model (RS-DELIV-1; RS-PROJ-2 for tee branches), one pull at a time
    (RS-FLIGHT-1). When the steps are over, every gate opens and every reader reads to
    the end: the run completes and each reader got exactly its model (RS-BP-3, and
    RS-DELIV-1 or RS-PROJ-2).
    """

    @initialize(target=RunMachine.cursors,
                methods=st.lists(st.sampled_from(["values", "updates"]), min_size=1,
                                 max_size=8),
                maxlens=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 2)),
                readers=st.lists(st.sampled_from(LOGS), unique=True, max_size=3),
                schedule=schedules())
    def open_run(self, methods: list[str], maxlens: tuple[int, int, int],
                 readers: list[str], schedule: list[int]) -> Any:
        self.use_schedule(schedule)
        self.maxlen = dict(zip(BOUNDED, maxlens, strict=True))
        self.output_task: asyncio.Task[Any] | None = None
        self.most_full = 0  # most bounded readers seen full at once
        self.open(methods, [
            ProjectionSpec("b1", "values", maxlen=maxlens[0]),
            ProjectionSpec("b2", "updates", maxlen=maxlens[1]),
            ProjectionSpec("b3", "values", None, maxlen=maxlens[2]),
        ])
        return self.subscribe_first(readers)

    @rule(target=RunMachine.cursors, log=st.sampled_from(LOGS))
    def subscribe(self, log: str) -> Any:
        return self.subscribe_log(log, self.maxlen.get(log))

    @rule(target=RunMachine.cursors, log=st.sampled_from(["values", *BOUNDED]),
          n=st.integers(1, 3))
    def tee(self, log: str, n: int) -> Any:
        """Fan a projection nobody subscribed yet out into ``n`` branches."""
        if log in self.subscribed:
            return multiple()
        self.subscribed.add(log)
        assert self.adapter is not None
        branches = fan_out(self.adapter, declared(self.run, log)
                           if log != "values" else self.run.values, n)
        maxlen = self.maxlen.get(log)
        cap = None if maxlen is None else 2 * maxlen  # the log's buffer + the branch's
        starts = self.starts_now()
        made = [Consumer(f"{log}[{i}]", self.logs[log], branch, starts, cap, "RS-BP-6",
                         "RS-PROJ-2", "RS-PROJ-3") for i, branch in enumerate(branches)]
        self.tape.act({"do": "tee", "target": log, "n": n, "as": [c.label for c in made]})
        self.consumers += made
        self.settle()
        return multiple(*made)

    @precondition(lambda self: self.output_task is None)
    @rule()
    def drive_output(self) -> None:
        """Await ``output()`` in a task: it drives the run as far as backpressure allows."""
        self.output_task = self.spawn(self.run.output(), "output()", {"do": "output"})
        self.settle()

    @invariant()
    def delivered_in_order(self) -> None:
        self.check_prefixes()
        for consumer in self.consumers:
            self.check_ending(consumer)
            check(consumer.order_rule, consumer.error is None,
                  f"{consumer.label} raised {consumer.error!r} in a run that never fails")

    @invariant()
    def bounded(self) -> None:
        count = self.source.count
        upto = self.surely_routed()
        full = 0
        for consumer in self.consumers:
            if consumer.cap is None or consumer.ended:
                continue
            held = consumer.held(self.script, upto)
            full += held >= consumer.cap
            if count.active:
                check("RS-BP-2", held <= consumer.cap,
                      f"pull {count.pulls - 1} started while {consumer.label} was full: it "
                      f"was routed {held + len(consumer.received)} items and took "
                      f"{len(consumer.received)}, bound {consumer.cap}")
            else:
                check(consumer.bound_rule, held <= consumer.cap,
                      f"{consumer.label} holds {held} items (routed "
                      f"{held + len(consumer.received)}, taken {len(consumer.received)}), "
                      f"bound {consumer.cap}")
        self.most_full = max(self.most_full, full)

    def finish(self) -> None:
        """Open every gate and read everything: the run completes, each got its model."""
        note_event(f"bounded readers full at once: {self.most_full}")
        target(float(self.most_full), label="bounded readers full at once")
        for k in range(self.released, len(self.script) + 1):
            self.release(k)
        self.released = len(self.script) + 1
        completed = self.loop.run_driver(self._read_to_end())
        self.settle()
        if not completed:
            self.check_nobody_waits_on_its_own_items()
        if not check("RS-BP-3", completed,
                     f"the run did not complete within {aio.AWAIT_TIMEOUT:g}s once every "
                     f"gate was open and every reader read on (pulls "
                     f"{self.source.count.pulls}, completed {self.source.count.completed} of "
                     f"{len(self.script)})"):
            return
        self.delivered_in_order()  # errors and prefixes first, single flight before them
        for consumer in self.consumers:
            check(consumer.order_rule, consumer.received in consumer.candidates(self.script),
                  f"{consumer.label} received steps {consumer.received} in all; the model "
                  f"expects one of {consumer.candidates(self.script)}")
        if self.output_task is not None:
            last = [e["data"] for e in self.script if e["method"] == "values"]
            check("RS-BP-3", self.output_task.result() == (last[-1] if last else None),
                  f"output() after the full run: {self.output_task.result()!r}")

    def check_nobody_waits_on_its_own_items(self) -> None:
        """A stuck run whose reader still waits with items routed to it and not received is
        a delivery fault (the reader pulls again instead of taking what it holds), not a
        drain that failed to resume the run: blame it on delivery, before RS-BP-3."""
        upto = self.surely_routed()
        for consumer in self.consumers:
            waiting = consumer.task is not None and not consumer.task.done()
            held = consumer.held(self.script, upto)
            check(consumer.order_rule, not (waiting and held > 0),
                  f"{consumer.label} still waited for an item {aio.AWAIT_TIMEOUT:g}s after "
                  f"every gate opened, while {held} item(s) routed to it had not reached it "
                  f"(pulls {self.source.count.pulls}, completed {self.source.count.completed} "
                  f"of {len(self.script)}): a reader holding items takes them before it waits")

    async def _read_to_end(self) -> bool:
        readers: list[Awaitable[Any]] = [self._drain(c) for c in self.consumers if not c.ended]
        if self.output_task is not None:
            readers.append(self.output_task)
        try:
            async with asyncio.timeout(aio.AWAIT_TIMEOUT) as bound:
                await asyncio.gather(*readers)
        except TimeoutError:
            if not bound.expired():
                raise  # the implementation's own TimeoutError: what it raised
            return False
        return True

    async def _drain(self, consumer: Consumer) -> None:
        while not consumer.ended and consumer.error is None:  # an error is judged after
            if consumer.task is None:
                self.start_read(consumer, f"drain {consumer.label}")
            await asyncio.wait({consumer.task})
            self._harvest(consumer)


# -- the abort machine ----------------------------------------------------------------------------

RESULTS = ("output", "interrupted", "interrupts")
ABORT_LOGS = ("main log", "values", "b", "u")
ABORTS = ("once", "twice concurrently", "from a cancelled task")


class AbortMachine(RunMachine):
    """Abort at any point, interleaved with subscribe, consume, produce and result calls.

    Before any pull, during a held pull, while a push waits on a full log, twice, from the
    cleanup of a cancelled task: after the abort every cursor ends cleanly after what it
    had buffered (RS-ABORT-2, RS-ABORT-9), a push blocked on a full log delivers nothing
    (RS-ABORT-5), nothing pulled during or after the abort reaches anyone (RS-ABORT-7), the
    source is closed once if it had not ended and never twice (RS-ABORT-4), no task is
    left pending (RS-ABORT-6), results report the pre-abort state without pulling
    (RS-RES-6). Before the abort, no result call returns until the source ended (RS-RES-5).
    """

    @initialize(target=RunMachine.cursors,
                methods=st.lists(st.sampled_from(["values", "updates", "values!"]),
                                 min_size=0, max_size=6),
                maxlen=st.integers(1, 2), stubborn=st.booleans(),
                readers=st.lists(st.sampled_from(ABORT_LOGS), unique=True, min_size=1,
                                 max_size=3),
                abort_after=st.sampled_from(range(21)), schedule=schedules())
    def open_run(self, methods: list[str], maxlen: int, stubborn: bool,
                 readers: list[str], abort_after: int, schedule: list[int]) -> Any:
        """``abort_after`` steps must pass before the first abort (late aborts find the
        states that need a few steps to build: a held pull, a push blocked on a full log)."""
        self.use_schedule(schedule)
        self.abort_after = abort_after
        self.aborted = False
        self.abort_rule = "RS-ABORT-2"
        self.boundary = 0  # events completed when the first abort began
        self.settled_at_abort = 0  # events surely routed then
        self.ended_at_abort = False
        self.results: list[tuple[str, asyncio.Task[Any]]] = []
        self.maxlen = {"b": maxlen}
        self.open(methods, [ProjectionSpec("b", "values", maxlen=maxlen),
                            ProjectionSpec("u", "updates")], stubborn=stubborn)
        return self.subscribe_first(readers)

    @precondition(lambda self: not self.aborted)
    @rule(target=RunMachine.cursors, log=st.sampled_from(ABORT_LOGS))
    def subscribe(self, log: str) -> Any:
        return self.subscribe_log(log, self.maxlen.get(log))

    @rule(method=st.sampled_from(RESULTS))
    def call_result(self, method: str) -> None:
        """Await a result method in a task (before the abort it waits on the gates)."""
        pulls = self.source.count.pulls
        self.results.append((method, self.spawn(getattr(self.run, method)(), f"{method}()",
                                                {"do": method})))
        self.settle()
        if self.aborted:
            check("RS-RES-6", self.source.count.pulls == pulls,
                  f"{method}() after abort() pulled the source ({pulls} -> "
                  f"{self.source.count.pulls} pulls)")

    @precondition(lambda self: self.steps >= self.abort_after)
    @rule(how=st.sampled_from(ABORTS))
    def abort(self, how: str) -> None:
        first = not self.aborted
        if first:
            self._mark_abort_point(how)
        active, cancelled = self.source.count.active, self.source.count.cancelled
        callers = self._start_abort(how)
        self.settle()
        rule_id = "RS-ABORT-9" if how == ABORTS[2] else "RS-ABORT-1"
        for task in callers:
            check(rule_id, task.done(), f"abort() ({how}) has not returned after a settle")
            if task.done() and not task.cancelled():
                check(rule_id, task.exception() is None,
                      f"abort() ({how}) raised {task.exception()!r}")
        if first and active:
            check("RS-ABORT-3", self.source.count.cancelled > cancelled,
                  "abort() during a held pull: the source saw no cancellation")

    def _mark_abort_point(self, how: str) -> None:
        count = self.source.count
        self.aborted = True
        self.abort_rule = "RS-ABORT-9" if how == ABORTS[2] else "RS-ABORT-2"
        self.boundary = count.completed
        self.settled_at_abort = self.surely_routed()
        self.ended_at_abort = self.source_ended
        for consumer in self.consumers:
            consumer.blocked = self._blocked_item(consumer)
        situation = ("before any pull" if count.pulls == 0 else "during a held pull"
                     if count.active else "after the end" if self.ended_at_abort
                     else "with a push blocked" if any(c.blocked is not None
                                                       for c in self.consumers)
                     else "between pulls")
        note_event(f"abort {situation}")
        target(float(sum(c.blocked is not None for c in self.consumers)),
               label="pushes blocked on a full log at abort()")

    def _blocked_item(self, consumer: Consumer) -> int | None:
        """The last pulled event if its push to ``consumer``'s full log must be waiting."""
        last = self.source.count.completed - 1
        if (consumer.cap is None or self.source.count.active or self.source_ended
                or last < 0 or not consumer.log.routes(self.script[last])):
            return None
        if last < max(consumer.starts) and not consumer.received:
            return None  # it may have subscribed after that push
        return last if consumer.held(self.script, last) >= consumer.cap else None

    def _start_abort(self, how: str) -> list[asyncio.Task[Any]]:
        if how == "once":
            return [self.spawn(self.run.abort(), "abort()", {"do": "abort"})]
        if how == "twice concurrently":
            return [self.spawn(self.run.abort(), "abort() #1", {"do": "abort"}),
                    self.spawn(self.run.abort(), "abort() #2", {"do": "abort"})]
        return [self.spawn(self._abort_on_cancel(), "cancelled task",
                           {"do": "abort", "from": "cancelled task"})]

    async def _abort_on_cancel(self) -> None:
        """A task cancelled while it waits; its cleanup calls abort()."""
        me = asyncio.current_task()
        assert me is not None
        self.loop.call_soon(me.cancel)
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            await self.run.abort()
            raise

    def aborted_yet(self) -> bool:
        return self.aborted

    def finish(self) -> None:
        """An example that never aborted ends with one, judged like any other: cursors
        end, result calls waiting on the gates return without pulling (RS-RES-6)."""
        if not self.aborted:
            self.abort(ABORTS[0])
        self.aborted_cleanly()

    # -- invariants --------------------------------------------------------------------------
    @invariant()
    def delivered_in_order(self) -> None:
        for consumer in self.consumers:
            late = [i for i in consumer.received if i >= self.boundary]
            if self.aborted:
                check("RS-ABORT-7", not late,
                      f"{consumer.label} received steps {late}, pulled during or after "
                      f"abort() (only {self.boundary} events were pulled before it)")
            self.check_ending(consumer)
            if self.aborted:
                check(self.abort_rule, consumer.error is None,
                      f"{consumer.label} raised {consumer.error!r} after abort()")
        self.check_prefixes()

    @precondition(lambda self: not self.aborted)
    @invariant()
    def results_wait_for_the_end(self) -> None:
        """Until the abort, a result call returns only once the source has ended (one
        that raised reports a failure of the run: other rules judge that)."""
        for method, task in self.results:
            returned = task.done() and not task.cancelled() and task.exception() is None
            check("RS-RES-5", not returned or self.source_ended,
                  f"{method}() returned before the source was exhausted ("
                  f"{self.source.count.completed} of {len(self.script)} events pulled)")

    @invariant()
    def closed_at_most_once(self) -> None:
        check("RS-ABORT-4", self.source.count.closed <= 1,
              f"the source was closed {self.source.count.closed} times")

    @precondition(lambda self: self.aborted)
    @invariant()
    def aborted_cleanly(self) -> None:
        if not self.source_ended:  # a stubborn source may answer the cancelled pull with its end
            check("RS-ABORT-4", self.source.count.closed == 1,
                  f"aborted before the source ended: expected aclose() once, got "
                  f"{self.source.count.closed}")
        for consumer in self.consumers:
            self._check_ended(consumer)
        self._check_results()
        leaked = [t.get_name() for t in asyncio.all_tasks(self.loop)
                  if not t.done() and t not in self.own_tasks]
        check("RS-ABORT-6", not leaked, f"tasks still pending after abort(): {leaked}")

    def _check_ended(self, consumer: Consumer) -> None:
        check(self.abort_rule, consumer.task is None,
              f"{consumer.label} did not finish after abort() (still waiting once the loop "
              f"settled)")
        if consumer.blocked is not None:
            check("RS-ABORT-5", consumer.blocked not in consumer.received,
                  f"step {consumer.blocked} was blocked on {consumer.label}'s full log "
                  f"(maxlen {consumer.cap}) at abort(), yet {consumer.label} received it")
        if not consumer.ended:
            return
        least = consumer.routed(self.script, self.settled_at_abort)
        check(self.abort_rule, len(consumer.received) >= least,
              f"{consumer.label} ended after {len(consumer.received)} items "
              f"({consumer.received}); {least} had reached it before abort()")

    def _check_results(self) -> None:
        for method, task in self.results:
            check("RS-RES-6", task.done(),
                  f"{method}() did not finish after abort() (still waiting once the loop "
                  f"settled)")
            if not task.done():
                continue
            error = None if task.cancelled() else task.exception()
            if not check("RS-RES-6", error is None, f"{method}() raised {error!r} after "
                         f"abort()"):
                continue
            allowed = [self._result_before(method, upto)
                       for upto in (self.settled_at_abort, self.boundary)]
            if task.result() in allowed:
                continue
            if method == "interrupts" and _reordered(task.result(), allowed):
                check("RS-RES-3", False,
                      f"interrupts() after abort(): {task.result()!r}; the root interrupts "
                      f"before the abort, in source order: {' or '.join(map(repr, allowed))}")
                continue
            late = [k for k in range(self.boundary, self.source.count.completed)
                    if self._result_before(method, k + 1) == task.result()]
            check("RS-ABORT-7" if late else "RS-RES-6", False,
                  f"{method}() after abort(): {task.result()!r}; before the abort it was "
                  f"{' or '.join(map(repr, allowed))}"
                  + (f" (it counts step {late[0]}, pulled during abort())" if late else ""))

    def _result_before(self, method: str, upto: int) -> Any:
        """What a result method reports for the events before ``upto``."""
        root_values = [e for e in self.script[:upto] if e["method"] == "values"]
        interrupts = [i for e in root_values for i in e.get("interrupts", [])]
        if method == "output":
            return root_values[-1]["data"] if root_values else None
        return bool(interrupts) if method == "interrupted" else interrupts

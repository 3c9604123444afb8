"""Consumers that leave mid-run: what stays with the others (RS-ERR-3, RS-ERR-4, RS-FLIGHT-3,
RS-ABORT-6).

A consumer leaves by cancellation (its task is cancelled while it awaits) or by closing
its cursor. Each test pins one situation the other suites do not reach: a cancelled
result method, one tee branch out of several, a reader leaving while a push waits on its
full log, a reader whose item lands while the step that produced it still waits on
another log, and an abort whose cancelled pull needs several loop turns to unwind.
Every wait is bounded: a consumer left asleep fails the check after ``settle()``
instead of hanging the test where that can be observed, else ``within`` times out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from conformance import aio
from conformance.adapter import RS_ASYNC, ProjectionSpec
from conformance.aio import gather_outcomes, run, settle, within
from conformance.checks import check, check_equal, violate
from conformance.streams.drive import anext_or_end, close_cursor, declared, drain, take, main_log_of
from conformance.streams.scripts import root_values, step
from conformance.streams.source import ScriptedSource, as_generator

pytestmark = pytest.mark.requires(RS_ASYNC)

N = 4
EVERY = [{"step": k} for k in range(N)]
COPY = ProjectionSpec("copy", "values")  # a second projection of the root values
BOUNDED = ProjectionSpec("bounded", "values", maxlen=1)
FanOut = Callable[[Any, int], Any]


def data(item: Any) -> Any:
    """The data of a projection item or of a main-log entry."""
    return item["params"]["data"] if isinstance(item, dict) and "params" in item else item


def returned(task: asyncio.Task[Any]) -> bool:
    """The task returned a value (it neither raised nor was cancelled)."""
    return task.done() and not task.cancelled() and task.exception() is None


def start(awaitable: Any, name: str) -> asyncio.Task[Any]:
    return asyncio.create_task(awaitable, name=name)


async def finish(run_stream: Any, *tasks: asyncio.Task[Any]) -> None:
    """Abort the run and let the test's own tasks end (each wait bounded)."""
    await within(run_stream.abort(), "abort()")
    await within(gather_outcomes(*tasks), "the test's consumers after abort()")


# -- a cancelled result method (RS-ERR-3) -------------------------------------------------------

INTERRUPTED_SCRIPT = [step(0, "values"), step(1, "values", interrupts=["ask"]),
                      step(2, "values"), step(3, "values")]
FULL_RUN = {"output": {"step": 3}, "interrupted": True, "interrupts": ["ask"]}
RESULTS = tuple(FULL_RUN)


@pytest.mark.rule("RS-ERR-3")
@pytest.mark.parametrize("victim", RESULTS)
@pytest.mark.parametrize("role", ["pumper", "waiter"])
def test_cancelled_result_call_spares_the_others(open_run: Callable[..., Any], victim: str,
                                                 role: str) -> None:
    """A task awaiting ``{victim}()`` is cancelled while the pull of step 1 is held (it
    started that pull, or waits on the main log reader's). The main log's reader and the
    other result calls awaited at the time get the complete run; so does a later call."""

    async def main() -> None:
        source = ScriptedSource([dict(e) for e in INTERRUPTED_SCRIPT])
        source.hold(1)
        run_stream = open_run(as_generator(source))
        main_log = main_log_of(run_stream)
        first = [data(i) for i in await take(main_log, 1)]
        tasks: dict[str, asyncio.Task[Any]] = {}
        if role == "pumper":
            tasks[victim] = start(getattr(run_stream, victim)(), f"{victim}()")
            await within(source.held(1), f"{victim}()'s pull of step 1")
            tasks["main log"] = start(drain(main_log), "main log reader")
        else:
            tasks["main log"] = start(drain(main_log), "main log reader")
            await within(source.held(1), "the main log reader's pull of step 1")
            tasks[victim] = start(getattr(run_stream, victim)(), f"{victim}()")
        others = [name for name in RESULTS if name != victim]
        for name in others:
            tasks[name] = start(getattr(run_stream, name)(), f"{name}()")
        await settle()
        early = [f"{name}()" for name in RESULTS if returned(tasks[name])]
        check("RS-RES-5", not early,  # the pull of step 1 is held: the run cannot be over
              f"{', '.join(early)} returned while the pull of step 1 was held")
        tasks[victim].cancel()
        await settle()
        source.release(1)
        outcomes = dict(zip(tasks, await within(gather_outcomes(*tasks.values()),
                                                 "the consumers after the cancellation"),
                            strict=True))
        log = outcomes["main log"]
        got = first + ([data(i) for i in log] if isinstance(log, list) else [log])
        check("RS-ERR-3", got == EVERY,
              f"after cancelling the task awaiting {victim}() ({role}), the main log's reader "
              f"got {got}; expected {EVERY}")
        for name in others:
            check("RS-ERR-3", outcomes[name] == FULL_RUN[name],
                  f"after cancelling the task awaiting {victim}() ({role}), {name}() awaited "
                  f"at the same time gave {outcomes[name]!r}; expected the complete run's "
                  f"{FULL_RUN[name]!r}")
        for name in RESULTS:
            later = await within(getattr(run_stream, name)(), f"a later {name}()")
            check_equal("RS-ERR-3", later, FULL_RUN[name], f"{name}() after the cancellation")
        check_equal("RS-ERR-3", source.count.cancelled, 0,
                    "cancellations the source's pull saw (a consumer's cancellation must not "
                    "reach it)")

    run(main)


# -- one tee branch leaves (RS-ERR-4, RS-ERR-3) -------------------------------------------------

@pytest.mark.rule("RS-ERR-4")
@pytest.mark.parametrize("how", ["aclose", "cancel"])
def test_closing_one_tee_branch_leaves_the_projection_to_the_others(
        open_run: Callable[..., Any], fan_out: FanOut, how: str) -> None:
    """tee(2): each branch reads step 0, then branch 1 leaves (``aclose()``, or its task is
    cancelled while it waits on the pull branch 0 started). The projection stays
    subscribed for branch 0 (the tee still reads it), which receives every item, then the
    end.
    (A cancelled branch whose own pull is in flight: RS-ERR-3's test below.)"""

    async def main() -> None:
        source = ScriptedSource(root_values(N))
        source.hold(1)
        run_stream = open_run(source, [COPY])
        kept, leaving = fan_out(declared(run_stream, "copy"), 2)
        got = [await anext_or_end(kept)]
        await anext_or_end(leaving)
        if how == "aclose":
            await within(leaving.aclose(), "aclose() of a tee branch")
            source.release(1)
        else:
            pulling = start(anext_or_end(kept), "the remaining branch")
            await within(source.held(1), "the remaining branch's pull of step 1")
            task = start(anext_or_end(leaving), "the leaving branch")
            await settle()
            task.cancel()
            await within(gather_outcomes(task), "the cancelled branch")
            source.release(1)
            got += await within(gather_outcomes(pulling), "the remaining branch's read")
        got += await drain(kept)
        check_equal("RS-ERR-4", got, EVERY,
                    f"what the remaining branch received after its sibling left ({how})")

    run(main)


@pytest.mark.rule("RS-ERR-3")
def test_cancelling_the_pulling_tee_branch_loses_nothing(open_run: Callable[..., Any],
                                                        fan_out: FanOut) -> None:
    """tee(2): branch 1's task starts the (held) pull of step 1 and branch 0 waits too;
    branch 1's task is cancelled, then the pull completes: branch 0 gets step 1 and the
    rest, once each."""

    async def main() -> None:
        source = ScriptedSource(root_values(N))
        source.hold(1)
        run_stream = open_run(source, [COPY])
        kept, leaving = fan_out(declared(run_stream, "copy"), 2)
        got = [await anext_or_end(kept)]
        await anext_or_end(leaving)
        victim = start(anext_or_end(leaving), "the pulling branch")
        await within(source.held(1), "the pull of step 1")
        waiting = start(drain(kept), "the other branch")
        await settle()
        victim.cancel()
        await settle()
        source.release(1)
        rest = (await within(gather_outcomes(waiting), "the remaining branch"))[0]
        got += rest if isinstance(rest, list) else [rest]
        check_equal("RS-ERR-3", got, EVERY,
                    "what the remaining branch received after the pulling branch was cancelled")
        await within(gather_outcomes(victim), "the cancelled branch")

    run(main)


@pytest.mark.rule("RS-ERR-4")
def test_closing_the_slow_tee_branch_wakes_the_fast_one(open_run: Callable[..., Any],
                                                       fan_out: FanOut) -> None:
    """tee(2) over a log with maxlen 1: the fast branch reads until it has to wait for the
    slow one, which reads nothing. Closing the slow branch must let the fast one go on to
    the end: a closed branch holds nobody back."""

    async def main() -> None:
        source = ScriptedSource(root_values(N))
        run_stream = open_run(source, [BOUNDED])
        fast_branch, slow_branch = fan_out(declared(run_stream, "bounded"), 2)
        fast = start(drain(fast_branch), "the fast branch")
        await settle()
        if fast.done():  # the fast branch never waited for room: nothing to judge (RS-BP-6)
            await within(slow_branch.aclose(), "aclose() of the slow branch")
            return
        await within(slow_branch.aclose(), "aclose() of the slow branch")
        await settle()
        check("RS-ERR-4", fast.done(),
              f"the fast branch still waits for room after the slow branch was closed "
              f"({source.count.completed} of {N} events pulled)")
        if not fast.done():
            await finish(run_stream, fast)
            return
        check_equal("RS-ERR-4", fast.result(), EVERY, "what the fast branch received")

    run(main)


# -- a reader leaves while a push waits on its log (RS-ERR-4) -----------------------------------

@pytest.mark.rule("RS-ERR-4")
@pytest.mark.parametrize("driver", ["main log", "output"])
def test_reader_leaving_releases_the_push_waiting_on_its_log(open_run: Callable[..., Any],
                                                            driver: str) -> None:
    """bounded (maxlen 1) holds step 0 unread; the {driver} pulls step 1, whose push into
    bounded waits. bounded's reader closes its cursor: the push must give up (nobody reads
    that log any more) and the run go on to its end."""

    async def main() -> None:
        source = ScriptedSource(root_values(N))
        run_stream = open_run(source, [BOUNDED])
        log = aiter(declared(run_stream, "bounded"))
        busy = start(drain(main_log_of(run_stream)) if driver == "main log"
                     else run_stream.output(), driver)
        await settle()
        if busy.done():  # no push ever waited on the full log: nothing to judge (RS-BP-2)
            await close_cursor(log, "RS-ERR-4")
            return
        await close_cursor(log, "RS-ERR-4")
        await settle()
        check("RS-ERR-4", busy.done(),
              f"the {driver} still waits after bounded's reader closed its cursor: the push "
              f"waiting on the full log was not released ({source.count.completed} of {N} "
              f"events pulled)")
        if not busy.done():
            await finish(run_stream, busy)
            return
        if driver == "main log":
            check_equal("RS-ERR-4", [data(e) for e in busy.result()], EVERY, "the main log")
        else:
            check_equal("RS-ERR-4", busy.result(), EVERY[-1], "output()")

    run(main)


# -- a reader whose item is ready while its step still routes (RS-FLIGHT-3) --------------------

@pytest.mark.rule("RS-FLIGHT-3")
@pytest.mark.parametrize("role", ["pumper", "waiter"])
def test_ready_reader_returns_while_its_step_waits_elsewhere(open_run: Callable[..., Any],
                                                            role: str) -> None:
    """values' reader waits for step 1, which is routed to values and then to bounded
    (maxlen 1, holding step 0 unread), where its push waits. values' reader must return
    step 1 at once, not when bounded's reader makes room; as the reader that started the
    step ("pumper") or while the main log's reader did ("waiter")."""

    async def main() -> None:
        source = ScriptedSource(root_values(N))
        if role == "waiter":
            source.hold(1)
        run_stream = open_run(source, [BOUNDED])
        values = aiter(run_stream.values)
        log = aiter(declared(run_stream, "bounded"))
        await take(values, 1)  # step 0: now in bounded too, which nobody reads yet
        tasks = []
        if role == "waiter":
            tasks.append(start(drain(main_log_of(run_stream)), "main log reader"))
            await within(source.held(1), "the main log reader's pull of step 1")
        reader = start(anext_or_end(values), "values reader")
        await settle()
        if role == "waiter":
            source.release(1)
        await settle()
        check("RS-FLIGHT-3", reader.done(),
              f"values' reader ({role}) still waits although step 1 was routed to it: it "
              f"waits for the push of step 1 into the full bounded log instead "
              f"({source.count.completed} events pulled)")
        if reader.done():
            check_equal("RS-FLIGHT-3", reader.result(), {"step": 1}, "values' reader")
        await close_cursor(log)
        await finish(run_stream, reader, *tasks)
        await drain(values)  # ended by the abort: nothing left suspended

    run(main)


# -- abort() and a pull that takes several turns to unwind (RS-ABORT-6) -------------------------

async def never_cancelled(source: ScriptedSource, reader: asyncio.Task[Any]) -> None:
    """Stop on RS-ABORT-3 when abort() did not cancel the held pull at all.

    RS-ABORT-6 is about a cancelled pull's unwinding; a pull that is never cancelled
    (not even a few loop turns after abort() returned) is RS-ABORT-3's finding, and
    leaves nothing of RS-ABORT-6 to judge. The pull is released so the reader ends.
    """
    for _ in range(2 * source.unwind_turns + 2):
        if source.count.cancelled:
            break
        await asyncio.sleep(0)
    if source.count.cancelled:
        return
    source.release(1)
    await asyncio.wait({reader}, timeout=aio.AWAIT_TIMEOUT)
    violate("RS-ABORT-3", "abort() during the held pull did not cancel it: the source saw "
            "no cancellation, so how a cancelled pull unwinds cannot be judged")


@pytest.mark.rule("RS-ABORT-6")
@pytest.mark.parametrize("generator", [False, True], ids=["resumable", "generator"])
def test_abort_returns_after_the_cancelled_pull_unwound(open_run: Callable[..., Any],
                                                        generator: bool) -> None:
    """The held pull of step 1 needs 5 loop turns to unwind once cancelled (its cleanup
    awaits). When abort() returns, that pull has finished and no task of the run stream
    is pending, with no settling in between."""

    async def main() -> None:
        source = ScriptedSource(root_values(N), unwind_turns=5)
        source.hold(1)
        run_stream = open_run(as_generator(source) if generator else source)
        main_log = main_log_of(run_stream)
        await take(main_log, 1)
        reader = start(anext_or_end(main_log), "main log reader")
        await within(source.held(1), "the pull of step 1")
        await within(run_stream.abort(), "abort() during the held pull")
        me = asyncio.current_task()
        pending = [t.get_name() for t in asyncio.all_tasks()
                   if t is not me and t is not reader and not t.done()]
        unwound, active = source.unwound, source.count.active
        await never_cancelled(source, reader)
        check("RS-ABORT-6", not pending and unwound == 1 and active == 0,
              f"when abort() returned, the cancelled pull had {'' if unwound else 'not '}"
              f"finished unwinding (pulls in progress: {active}) and tasks were pending: "
              f"{pending}")
        await asyncio.wait({reader}, timeout=aio.AWAIT_TIMEOUT)
        await within(gather_outcomes(reader), "the reader after abort()")

    run(main)

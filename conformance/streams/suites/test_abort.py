"""RS-ABORT: abort() and ``async with``.

Pulls are held on the source's gates (``await source.held(k)`` proves one is in flight)
and gates are never opened before abort() returns, so an abort that waited for the source
would not return. Where a rule says something finishes (abort() returns, a reader waiting
at the abort ends) the test waits for it with ``aio.finishes``: not finishing is that
rule's own failure ("... did not finish within Ns"); every other hang is a timeout.
``conformance.streams.machines.AbortMachine`` explores the interleavings; these tests pin one
situation each.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from conformance import aio
from conformance.adapter import RS_ASYNC, ProjectionSpec
from conformance.aio import UNFINISHED, finishes, gather_outcomes, run, settle, within
from conformance.checks import check, check_equal, escape_verdict, violate
from conformance.streams.drive import (
    main_log_of,
    END, anext_unbounded, close_cursor, declared, drain, drain_unbounded, take,
)
from conformance.streams.scripts import root_values, step
from conformance.streams.source import ScriptedSource, as_generator

pytestmark = pytest.mark.requires(RS_ASYNC)

N = 4
BOUNDED = ProjectionSpec("bounded", "values", maxlen=1)
UPDATES = ProjectionSpec("node_updates", "updates")


def start(cursor: Any, name: str = "reader") -> asyncio.Task[Any]:
    """A reader task; the test bounds it where it joins it (``finishes`` or ``within``)."""
    return asyncio.create_task(anext_unbounded(cursor), name=name)


def data(item: Any) -> Any:
    """The data of a projection item or of a main-log entry."""
    return item["params"]["data"] if isinstance(item, dict) and "params" in item else item


async def abort(run_stream: Any, what: str = "abort()", rule: str | None = None) -> None:
    """``run_stream.abort()``; with ``rule``, a call that does not return violates it."""
    if rule is None:
        await within(run_stream.abort(), what)
    else:
        await finishes(rule, run_stream.abort(), what)


async def ends_cleanly(rule: str, cursor: Any, name: str) -> list[Any]:
    """Drain ``cursor``; an error after abort() is a violation of ``rule``, a cursor that
    does not end one of RS-ABORT-2 (every cursor ends after abort())."""
    try:
        got = await finishes("RS-ABORT-2", drain_unbounded(cursor), f"{name} after abort()")
    except Exception as error:  # noqa: BLE001 - any error is the observation
        escape_verdict(error)
        check(rule, False, f"{name} raised {error!r} after abort() instead of ending")
        return []
    return [] if got is UNFINISHED else got


async def held_reader(source: ScriptedSource, cursor: Any, k: int) -> asyncio.Task[Any]:
    """A reader of ``cursor`` whose pull ``k`` is in flight, held by the source."""
    task = start(cursor)
    await within(source.held(k), f"pull {k} to start")
    await settle()
    return task


# -- RS-ABORT-1 -------------------------------------------------------------------------------

async def abort_many(run_stream: Any) -> None:
    """Sequentially, twice, then two at once: every call returns normally (RS-ABORT-1)."""
    for what in ("abort()", "a second abort()"):
        await abort(run_stream, what, "RS-ABORT-1")
    await finishes("RS-ABORT-1", asyncio.gather(run_stream.abort(), run_stream.abort()),
                   "two concurrent abort() calls")


@pytest.mark.rule("RS-ABORT-1")
@pytest.mark.parametrize("when", ["before the run", "during a held pull", "after the end"])
def test_abort_is_idempotent(open_run: Callable[..., Any], when: str) -> None:
    async def main() -> None:
        source = ScriptedSource(root_values(N))
        run_stream = open_run(source)
        cursor = main_log_of(run_stream)
        reader = None
        if when == "during a held pull":
            source.hold(1)
            await take(cursor, 1)
            reader = await held_reader(source, cursor, 1)
        elif when == "after the end":
            await drain(cursor)
        await abort_many(run_stream)
        check("RS-ABORT-1", source.count.closed <= 1 and source.count.cancelled <= 1,
              f"abort() {when}, four times: the source was closed {source.count.closed} "
              f"times and saw {source.count.cancelled} cancellations; expected once at most")
        if reader is not None:  # a cursor awaiting a pull at the abort ends: RS-ABORT-2
            got = await finishes("RS-ABORT-2", reader, "the reader awaiting the held pull")
            check("RS-ABORT-2", got is END or got is UNFINISHED,
                  f"the reader awaiting the held pull got {got!r} after abort()")

    run(main)


class WithoutAclose:
    """An async iterator over a scripted source that offers no ``aclose()``."""

    def __init__(self, source: ScriptedSource) -> None:
        self._source = source

    def __aiter__(self) -> WithoutAclose:
        return self

    async def __anext__(self) -> Any:
        return await self._source.__anext__()


@pytest.mark.rule("RS-ABORT-1")
def test_abort_of_a_source_without_aclose(open_run: Callable[..., Any]) -> None:
    async def main() -> None:
        source = ScriptedSource(root_values(N))
        run_stream = open_run(WithoutAclose(source))
        cursor = aiter(run_stream.values)
        await take(cursor, 1)
        try:
            await abort(run_stream)
        except Exception as error:  # noqa: BLE001 - the observation is that it raised
            check("RS-ABORT-1", False,
                  f"abort() of a run whose source has no aclose() raised {error!r}")
        await ends_cleanly("RS-ABORT-1", cursor, "values")  # what it had buffered: RS-ABORT-2

    run(main)


# -- RS-ABORT-2 -------------------------------------------------------------------------------

@pytest.mark.rule("RS-ABORT-2")
def test_cursors_end_cleanly_after_their_buffer(open_run: Callable[..., Any]) -> None:
    """values has 2 buffered items, the main log reader awaits a held pull, node_updates
    has nothing: after abort each ends cleanly after exactly what it had."""

    async def main() -> None:
        source = ScriptedSource(root_values(N))
        source.hold(2)
        run_stream = open_run(source, [UPDATES])
        values = aiter(run_stream.values)
        updates = aiter(declared(run_stream, "node_updates"))
        main_log = main_log_of(run_stream)
        await take(main_log, 2)
        waiting = await held_reader(source, main_log, 2)
        await abort(run_stream)
        got = await finishes("RS-ABORT-2", waiting, "the main-log reader awaiting the held pull")
        if got is UNFINISHED:  # the listed deviation, confirmed: every later read of this
            return             # run would wait on the same held pull
        check("RS-ABORT-2", got is END,
              f"the main-log reader awaiting the held pull got {got!r}: expected a clean end")
        check_equal("RS-ABORT-2", await ends_cleanly("RS-ABORT-2", values, "values"),
                    [{"step": 0}, {"step": 1}], "values after abort() (its buffer, then end)")
        check_equal("RS-ABORT-2", await ends_cleanly("RS-ABORT-2", updates, "node_updates"),
                    [], "node_updates after abort()")
        check_equal("RS-ABORT-2", await ends_cleanly("RS-ABORT-2", main_log, "main log"), [],
                    "the main log, read again after its end")

    run(main)


# -- RS-ABORT-3 -------------------------------------------------------------------------------

@pytest.mark.rule("RS-ABORT-3")
@pytest.mark.parametrize("stubborn", [False, True], ids=["plain", "stubborn"])
def test_abort_cancels_the_pull_in_flight(open_run: Callable[..., Any],
                                          stubborn: bool) -> None:
    async def main() -> None:
        source = ScriptedSource(root_values(N), stubborn=stubborn)
        source.hold(0)  # never released: abort must not wait for it
        run_stream = open_run(source)
        reader = await held_reader(source, aiter(run_stream.values), 0)
        await abort(run_stream, "abort() during a held pull", "RS-ABORT-3")
        check_equal("RS-ABORT-3", source.count.cancelled, 1,
                    "cancellations the source saw in its held pull")
        check_equal("RS-ABORT-3", source.count.active, 0, "pulls still in progress")
        # what it got is RS-ABORT-7's; that it ends at all is RS-ABORT-2's
        await finishes("RS-ABORT-2", gather_outcomes(reader),
                       "the reader whose pull was held at abort()")

    run(main)


@pytest.mark.rule("RS-ABORT-3", "RS-ABORT-2")
def test_abort_requested_by_the_pull_itself_cancels_it(open_run: Callable[..., Any]) -> None:
    """The pull of step 1 calls abort() first thing: abort() cancels that very pull, which
    sees the cancellation and runs its cleanup (however the implementation hands the pull
    over to a task, the cancellation must reach it)."""

    async def main() -> None:
        source = ScriptedSource(root_values(N))
        run_stream = open_run(source)
        source.abort_from_pull(run_stream, 1)
        main_log = main_log_of(run_stream)
        await take(main_log, 1)
        reader = start(main_log)
        await asyncio.wait({reader}, timeout=aio.AWAIT_TIMEOUT)
        await settle()
        # Read before the kit cancels a reader still waiting: that cancellation would
        # reach the held pull too, and must not count as abort()'s.
        cancelled = source.count.cancelled
        ended = reader.done()
        await aio.cancel_and_wait([reader])
        waiting = "" if ended else (f"; the reader whose pull aborted the run was still "
                                    f"waiting after {aio.AWAIT_TIMEOUT:g}s")
        check_equal("RS-ABORT-3", cancelled, 1,
                    f"cancellations the self-aborting pull saw{waiting}")
        if cancelled == 1:  # a pull never cancelled keeps its reader waiting: RS-ABORT-3's
            check("RS-ABORT-2", ended, "the reader whose pull aborted the run did not finish "
                  f"within {aio.AWAIT_TIMEOUT:g}s, although that pull was cancelled")

    run(main)


# -- RS-ABORT-4 -------------------------------------------------------------------------------

async def _reach(when: str, source: ScriptedSource, run_stream: Any) -> list[asyncio.Task[Any]]:
    """Bring the run to the point where the test aborts it; the test's reader tasks."""
    cursor = main_log_of(run_stream)
    if when == "mid-run":
        await take(cursor, 2)
    elif when == "during a held pull":
        source.hold(1)
        await take(cursor, 1)
        # ends (END) at the abort: RS-ABORT-2's, not judged here
        return [await held_reader(source, cursor, 1)]
    elif when == "after the end":
        await drain(cursor)
    elif when == "after a failure":
        with pytest.raises(RuntimeError):
            await drain(cursor)
    return []


WHEN = ["before the first pull", "mid-run", "during a held pull", "after the end",
        "after a failure"]
ENDED = ("after the end", "after a failure")


@pytest.mark.rule("RS-ABORT-4")
@pytest.mark.parametrize(("when", "generator"), [
    *((w, False) for w in WHEN),
    *((w, True) for w in WHEN[1:]),  # an unstarted generator's aclose() runs no finally
])
def test_source_closed_exactly_once(open_run: Callable[..., Any], when: str,
                                    generator: bool) -> None:
    """A generator source closes the kit's source in its ``finally``: it counts too (so a
    generator that ended by itself has closed it once, and abort() must add nothing)."""

    async def main() -> None:
        source = ScriptedSource(root_values(N), error_at=2 if when == "after a failure" else None)
        run_stream = open_run(as_generator(source) if generator else source)
        readers = await _reach(when, source, run_stream)
        for _ in range(2):  # twice, and twice at once (an abort() that raises: RS-ABORT-1)
            await within(gather_outcomes(run_stream.abort()), "abort()")
        await within(gather_outcomes(run_stream.abort(), run_stream.abort()), "two aborts")
        await settle()
        await aio.cancel_and_wait(readers)  # the test's own task: no leak of the run's
        if when in ENDED:
            check_equal("RS-ABORT-4", source.count.closed, 1 if generator else 0,
                        f"aclose() calls, aborted {when} of the source (four abort() calls)")
        else:
            check_equal("RS-ABORT-4", source.count.closed, 1,
                        f"aclose() calls, aborted {when} (four abort() calls)")

    run(main)


# -- RS-ABORT-5 -------------------------------------------------------------------------------

@pytest.mark.rule("RS-ABORT-5")
def test_blocked_push_delivers_nothing(open_run: Callable[..., Any]) -> None:
    """bounded (maxlen 1) holds step 0 unread; the main log's reader pulls step 1, whose
    push into bounded waits. After abort, bounded ends after step 0."""

    async def main() -> None:
        source = ScriptedSource(root_values(N))
        run_stream = open_run(source, [BOUNDED])
        log = aiter(declared(run_stream, "bounded"))
        main_log = main_log_of(run_stream)
        check_equal("RS-ABORT-5", [data(i) for i in await take(main_log, 1)],
                    [{"step": 0}], "the main log's first entry")
        driver = asyncio.create_task(drain(main_log), name="main log reader")
        await settle()
        check("RS-ABORT-5", not driver.done() and source.count.pulls == 2,
              f"setup: with bounded full, the main log's reader should wait for the push of "
              f"step 1 into it; it got {driver.result() if driver.done() else 'nothing more'} "
              f"after {source.count.pulls} pulls: no push ever waited on the full log")
        await abort(run_stream, "abort() with a push waiting")
        await within(driver, "the main log's reader after abort()")
        got = await ends_cleanly("RS-ABORT-5", log, "bounded")
        check("RS-ABORT-5", {"step": 1} not in got,
              f"bounded received {got} after abort(); step 1 (the push that waited) must "
              f"reach no consumer")

    run(main)


# -- RS-ABORT-6 -------------------------------------------------------------------------------

@pytest.mark.rule("RS-ABORT-6")
@pytest.mark.parametrize("generator", [False, True], ids=["resumable", "generator"])
def test_no_task_pending_after_abort(open_run: Callable[..., Any], generator: bool) -> None:
    async def main() -> None:
        source = ScriptedSource(root_values(N))
        source.hold(1)
        run_stream = open_run(as_generator(source) if generator else source, [BOUNDED])
        main_log, values = main_log_of(run_stream), aiter(run_stream.values)
        await take(main_log, 1)
        ours = [await held_reader(source, main_log, 1), start(values),
                asyncio.create_task(run_stream.output())]
        await settle()
        await abort(run_stream)
        # The test's own consumers are not the run stream's tasks: one that abort() left
        # waiting on the held pull breaks RS-ABORT-2/3 (judged by their own tests), not this
        # rule, so it is given the usual time, then left out of the count.
        await asyncio.wait(ours, timeout=aio.AWAIT_TIMEOUT)
        await settle()
        me = asyncio.current_task()
        pending = [t.get_name() for t in asyncio.all_tasks()
                   if t is not me and t not in ours and not t.done()]
        check("RS-ABORT-6", not pending, f"tasks pending after abort(): {pending}")
        source.release(1)  # abort() has returned: now a consumer it left waiting may finish
        await within(gather_outcomes(*ours), "the consumers")
        await ends_cleanly("RS-ABORT-2", values, "values")  # finished before run() returns

    run(main)


# -- RS-ABORT-7 -------------------------------------------------------------------------------

@dataclass
class AbortedDuringPull:
    """A run aborted while a main-log reader waits on the held pull of step 1 (a root
    values with an interrupt), after step 0 was read; ``values`` is subscribed."""

    source: ScriptedSource
    run_stream: Any
    values: Any
    reader: asyncio.Task[Any]


async def abort_during_held_pull(open_run: Callable[..., Any], what: str, *,
                                 stubborn: bool = False) -> AbortedDuringPull:
    script = [step(0, "values"), step(1, "values", interrupts=["ask"]), step(2, "values")]
    source = ScriptedSource(script, stubborn=stubborn)
    source.hold(1)
    run_stream = open_run(source)
    values, main_log = aiter(run_stream.values), main_log_of(run_stream)
    await take(main_log, 1)
    reader = await held_reader(source, main_log, 1)
    await abort(run_stream, what)
    return AbortedDuringPull(source, run_stream, values, reader)


async def nothing_after_step_0(aborted: AbortedDuringPull) -> None:
    """RS-ABORT-7: values and every result show step 0 only, not the step pulled during
    the abort (nor its interrupt)."""
    got = await ends_cleanly("RS-ABORT-7", aborted.values, "values")
    check_equal("RS-ABORT-7", got, [{"step": 0}], "values after abort()")
    run_stream = aborted.run_stream
    check_equal("RS-ABORT-7", await within(run_stream.output()), {"step": 0},
                "output() after abort()")
    check_equal("RS-ABORT-7", await within(run_stream.interrupted()), False,
                "interrupted() after abort()")
    check_equal("RS-ABORT-7", await within(run_stream.interrupts()), [],
                "interrupts() after abort()")


@pytest.mark.rule("RS-ABORT-7")
def test_item_of_a_stubborn_pull_is_dropped(open_run: Callable[..., Any]) -> None:
    """The held pull of step 1 swallows the cancellation and returns its item anyway: no
    cursor and no result may see it."""

    async def main() -> None:
        aborted = await abort_during_held_pull(open_run, "abort() during the stubborn pull",
                                               stubborn=True)
        await settle()
        if aborted.source.count.delivered_after_cancel != 1:  # the premise is RS-ABORT-3's
            violate("RS-ABORT-3", "abort() did not cancel the held pull (the stubborn source "
                                  "returned no item after a cancellation): no late item to "
                                  "judge")
        after = await within(aborted.reader, "the waiting reader")
        check("RS-ABORT-7", after is END, f"the waiting main-log reader got {after!r}")
        await nothing_after_step_0(aborted)

    run(main)


@pytest.mark.rule("RS-ABORT-7")
def test_item_of_a_pull_finishing_after_abort_is_dropped(open_run: Callable[..., Any]) -> None:
    """The held pull of step 1 is let go once abort() has returned: whether abort()
    cancelled it (then nothing comes) or left it alone (then step 1 arrives late), no
    cursor and no result may see step 1 or anything after it."""

    async def main() -> None:
        aborted = await abort_during_held_pull(open_run, "abort() during the held pull")
        aborted.source.release(1)
        await settle()
        got = await finishes("RS-ABORT-2", aborted.reader,
                             "the main-log reader waiting at abort()")
        if got is not UNFINISHED:  # that it ends is RS-ABORT-2's; with what, this rule's
            check("RS-ABORT-7", got is END, f"the main-log reader waiting at abort() got "
                                            f"{got!r} once the held pull was let go")
        await nothing_after_step_0(aborted)

    run(main)


# -- RS-ABORT-8 -------------------------------------------------------------------------------

class Boom(Exception):
    pass


def supports_async_with(run_stream: Any) -> bool:
    """Whether the run is an async context manager; a failed RS-ABORT-8 check if not."""
    kind = type(run_stream)
    return check("RS-ABORT-8", hasattr(kind, "__aenter__") and hasattr(kind, "__aexit__"),
                 f"{kind.__name__} has no __aenter__/__aexit__: `async with run` is impossible")


@pytest.mark.rule("RS-ABORT-8")
def test_async_with_aborts_on_break(open_run: Callable[..., Any]) -> None:
    async def main() -> None:
        source = ScriptedSource(root_values(N))
        run_stream = open_run(source)
        values, main_log = aiter(run_stream.values), main_log_of(run_stream)
        if not supports_async_with(run_stream):
            return
        async with run_stream as entered:
            check("RS-ABORT-8", entered is run_stream, "`async with run as r`: r is not run")
            async for _ in main_log:
                break
        check_equal("RS-ABORT-8", source.count.closed, 1, "aclose() after leaving early")
        await ends_cleanly("RS-ABORT-8", values, "values")  # its exact buffer: RS-ABORT-2
        await close_cursor(main_log)  # left early: close it before the loop ends

    run(main)


@pytest.mark.rule("RS-ABORT-8")
def test_async_with_aborts_on_error_and_reraises(open_run: Callable[..., Any]) -> None:
    async def main() -> None:
        source = ScriptedSource(root_values(N))
        run_stream = open_run(source)
        boom = Boom("in the body")
        main_log = main_log_of(run_stream)
        if not supports_async_with(run_stream):
            return
        try:
            async with run_stream:
                await take(main_log, 1)
                raise boom
        except Boom as error:
            check("RS-ABORT-8", error is boom, f"a different exception came out: {error!r}")
        else:
            check("RS-ABORT-8", False, "the exception raised in the block was suppressed")
        check_equal("RS-ABORT-8", source.count.closed, 1, "aclose() after the error")
        await close_cursor(main_log)

    run(main)


# -- RS-ABORT-9 -------------------------------------------------------------------------------

async def _abort_when_cancelled(run_stream: Any, waiting: asyncio.Event) -> None:
    try:
        waiting.set()
        await asyncio.Event().wait()
    finally:
        await run_stream.abort()  # the cleanup of a cancelled request handler


@pytest.mark.rule("RS-ABORT-9")
@pytest.mark.parametrize("caller", ["another task", "a cancelled task's cleanup"])
def test_abort_from_another_task(open_run: Callable[..., Any], caller: str) -> None:
    async def main() -> None:
        source = ScriptedSource(root_values(N))
        source.hold(0)
        run_stream = open_run(source)
        readers = [await held_reader(source, main_log_of(run_stream), 0),
                   start(aiter(run_stream.values))]
        await settle()
        if caller == "another task":  # every abort() call returns: RS-ABORT-1
            await finishes("RS-ABORT-1", asyncio.create_task(run_stream.abort()),
                           "abort() in another task")
        else:
            waiting = asyncio.Event()
            handler = asyncio.create_task(_abort_when_cancelled(run_stream, waiting))
            await within(waiting.wait())
            handler.cancel()
            outcome = await finishes("RS-ABORT-1", gather_outcomes(handler),
                                     "abort() in the cleanup of the cancelled task")
            if outcome is not UNFINISHED:
                check("RS-ABORT-9", isinstance(outcome[0], asyncio.CancelledError),
                      f"the cancelled task's abort() in cleanup ended with {outcome[0]!r}")
        results = {name: await finishes("RS-ABORT-9", gather_outcomes(task),
                                        f"the {name} reader, after abort() from {caller},")
                   for name, task in zip(["main log", "values"], readers, strict=True)}
        for name, result in results.items():  # both joined first: no outcome left unread
            if result is not UNFINISHED:
                check("RS-ABORT-9", result[0] is END,
                      f"the {name} reader after abort() from {caller}: {result[0]!r}")

    run(main)

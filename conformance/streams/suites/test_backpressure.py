"""RS-BP: bounded logs hold the producer back.

A bounded projection is subscribed and left unread while another consumer (the main log,
``output()`` or a faster tee branch) drives the run. Nothing here peeks into buffers:
after ``settle()``, every event pulled except perhaps the last has been pushed (the last
may be the push that waits), so what the bounded log holds is at most
``completed pulls - 1 - items taken``. Every wait is bounded: an implementation without
backpressure fails the check, it never hangs the test.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from conformance.adapter import RS_ASYNC, ProjectionSpec
from conformance.aio import gather_outcomes, run, within
from conformance.checks import check, check_equal
from conformance.streams.drive import END, declared, anext_or_end, drain, settle, take, main_log_of
from conformance.streams.scripts import root_values
from conformance.streams.source import ScriptedSource

pytestmark = pytest.mark.requires(RS_ASYNC)

N = 6  # events of the scripts below: {"step": 0} .. {"step": 5}, all root values


def bounded(maxlen: int | None) -> ProjectionSpec:
    return ProjectionSpec("bounded", "values", maxlen=maxlen)


class Reader:
    """Reads a cursor to its end in a task; ``items`` grows as it goes."""

    def __init__(self, cursor: Any, name: str) -> None:
        self.items: list[Any] = []
        self.task = asyncio.create_task(self._read(cursor), name=name)

    async def _read(self, cursor: Any) -> None:
        async for item in cursor:
            self.items.append(item)


def driver(run_stream: Any, kind: str) -> asyncio.Task[Any]:
    """A consumer that drives the run as far as it may: the main log or ``output()``."""
    if kind == "main log":
        return Reader(main_log_of(run_stream), "main log reader").task
    return asyncio.create_task(run_stream.output(), name="output()")


async def stop(run_stream: Any, *tasks: asyncio.Task[Any]) -> None:
    """Abort the run and let the drivers finish (each wait bounded)."""
    await within(run_stream.abort(), "abort()")
    await within(gather_outcomes(*tasks), "the drivers after abort()")


def held_at_most(source: ScriptedSource, taken: int) -> int:
    """What a log that every event reaches can hold after a settle: each pulled event
    but the last one (whose push may be the one waiting), minus what its reader took."""
    return max(source.count.completed - 1, 0) - taken


@pytest.mark.rule("RS-BP-1")
@pytest.mark.parametrize("maxlen", [1, 2])
def test_bounded_log_never_holds_more_than_maxlen(open_run: Callable[..., Any],
                                                  maxlen: int) -> None:
    async def main() -> None:
        source = ScriptedSource(root_values(N))
        run_stream = open_run(source, [bounded(maxlen)])
        log = aiter(declared(run_stream, "bounded"))
        main_log = driver(run_stream, "main log")
        taken: list[Any] = []
        while True:
            await settle()
            held = held_at_most(source, len(taken))
            check("RS-BP-1", held <= maxlen,
                  f"a log with maxlen {maxlen} holds at least {held} items: the main log's reader "
                  f"pulled {source.count.completed} events while the log's reader took "
                  f"{len(taken)}")
            item = await anext_or_end(log)
            if item is END:
                break
            taken.append(item)
        check_equal("RS-BP-1", taken, [{"step": k} for k in range(N)],
                    "what the bounded log's reader took, one at a time")
        await stop(run_stream, main_log)

    run(main)


MAIN_LOG_THEN_OUTPUT = "main log, then output()"


async def drivers(run_stream: Any, kind: str) -> list[asyncio.Task[Any]]:
    """The consumers of ``kind`` that drive the run, each let run until it waits: one
    driver, or the main log and then ``output()`` (awaited while the pump is paused)."""
    if kind != MAIN_LOG_THEN_OUTPUT:
        return [driver(run_stream, kind)]
    main_log = driver(run_stream, "main log")
    await settle()
    return [main_log, driver(run_stream, "output")]


@pytest.mark.rule("RS-BP-2")
@pytest.mark.parametrize("kind", ["main log", "output", MAIN_LOG_THEN_OUTPUT])
def test_full_log_pauses_the_source(open_run: Callable[..., Any], kind: str) -> None:
    """maxlen=2 subscribed but unread; the {kind} drives: pulls stop at most one event
    past the full log (the push that waits) and resume when the reader takes one. A
    result method awaited while the push waits joins that step: it pulls nothing either."""

    async def main() -> None:
        source = ScriptedSource(root_values(N))
        run_stream = open_run(source, [bounded(2)])
        log = aiter(declared(run_stream, "bounded"))
        busy = await drivers(run_stream, kind)
        await settle()
        stopped = source.count.pulls
        await settle()
        check("RS-BP-2", source.count.pulls == stopped and stopped <= 3,
              f"with the bounded log (maxlen 2) full and unread, the {kind} pulled "
              f"{source.count.pulls} events; expected the pulls to stop at 3 at most "
              f"(2 in the log, 1 waiting to be pushed)")
        check("RS-BP-2", not any(task.done() for task in busy),
              f"the {kind} finished the run although the bounded log was full and unread")
        first = await take(log, 1)
        await settle()
        check("RS-BP-2", source.count.pulls > stopped,
              f"after the bounded log's reader took {first}, no further pull "
              f"(still {source.count.pulls}): the waiting push did not resume")
        await stop(run_stream, *busy)

    run(main)


@pytest.mark.rule("RS-BP-3")
@pytest.mark.parametrize("maxlen", [1, 3])
def test_slow_reader_gets_everything_and_the_run_completes(open_run: Callable[..., Any],
                                                           maxlen: int) -> None:
    async def main() -> None:
        source = ScriptedSource(root_values(N))
        run_stream = open_run(source, [bounded(maxlen)])
        log = aiter(declared(run_stream, "bounded"))
        main_log = Reader(main_log_of(run_stream), "main log reader")
        output = asyncio.create_task(run_stream.output())
        slow = []
        while True:
            held = held_at_most(source, len(slow))
            check("RS-BP-2", held <= maxlen,  # so the drivers wait on the log's room
                  f"the drivers pulled {source.count.completed} events while the slow reader "
                  f"took {len(slow)} from a log with maxlen {maxlen}")
            before = source.count.pulls
            if (item := await anext_or_end(log)) is END:
                break
            await settle()  # the reader is slow: the run catches up between its reads
            slow.append(item)
            if before <= N:  # the end not pulled yet: the drivers were held by the full log
                check("RS-BP-3", source.count.pulls > before,
                      f"the slow reader took {item} from the full log (maxlen {maxlen}) and "
                      f"the run did not advance: still {before} pulls")
        check_equal("RS-BP-3", slow, [{"step": k} for k in range(N)],
                    "what the slow reader of the bounded log received")
        await within(asyncio.gather(main_log.task, output), "the run to complete")
        check_equal("RS-BP-3", len(main_log.items), N, "main-log entries of the full run")
        check_equal("RS-BP-3", output.result(), {"step": N - 1}, "output() of the full run")
        check_equal("RS-BP-3", source.count.pulls, N + 1, "pulls of the full run")

    run(main)


@pytest.mark.rule("RS-BP-4")
@pytest.mark.parametrize("maxlen", [0, -1, 1.5])  # 1.5: positive, but not an integer
def test_maxlen_must_be_positive(open_run: Callable[..., Any], maxlen: Any) -> None:
    source = ScriptedSource(root_values(1))
    try:
        open_run(source, [bounded(maxlen)])
    except ValueError:
        pass
    else:
        check("RS-BP-4", False, f"declaring a log with maxlen={maxlen}: expected ValueError, "
                                f"nothing was raised")
    check_equal("RS-BP-4", source.count.pulls, 0, "pulls while declaring")


@pytest.mark.rule("RS-BP-4")
def test_maxlen_none_is_unbounded(open_run: Callable[..., Any]) -> None:
    async def main() -> None:
        run_stream = open_run(ScriptedSource(root_values(N)), [bounded(None)])
        log = aiter(declared(run_stream, "bounded"))
        output = await within(run_stream.output(), "output() past an unread unbounded log")
        check_equal("RS-BP-4", output, {"step": N - 1}, "output()")
        check_equal("RS-BP-4", await drain(log), [{"step": k} for k in range(N)],
                    "what the unread log with maxlen=None kept")

    run(main)


@pytest.mark.rule("RS-BP-5")
@pytest.mark.parametrize("kind", ["main log", "output"])
def test_unsubscribed_bounded_log_costs_nothing(open_run: Callable[..., Any],
                                                kind: str) -> None:
    async def main() -> None:
        source = ScriptedSource(root_values(N))
        run_stream = open_run(source, [bounded(1)])
        await within(driver(run_stream, kind), f"the {kind} past a declared, unsubscribed "
                                               f"log with maxlen 1")
        check_equal("RS-BP-5", source.count.pulls, N + 1, f"pulls once the {kind} is done")
        late = await drain(aiter(declared(run_stream, "bounded")))
        check_equal("RS-BP-5", late, [], "what the log subscribed after the run kept")

    run(main)


@pytest.mark.rule("RS-BP-6")
@pytest.mark.parametrize("maxlen", [1, 2])
def test_tee_branches_are_bounded(open_run: Callable[..., Any],
                                  fan_out: Callable[[Any, int], Any], maxlen: int) -> None:
    """A fast branch and the main log drive; the slow branch never reads. What the slow
    branch is owed (its own buffer plus the projection's log) stays within 2 x maxlen,
    and the fast branch cannot run more than that far ahead."""

    async def main() -> None:
        source = ScriptedSource(root_values(N))
        run_stream = open_run(source, [bounded(maxlen)])
        fast_branch, slow_branch = fan_out(declared(run_stream, "bounded"), 2)
        fast = Reader(fast_branch, "fast branch")
        main_log = driver(run_stream, "main log")
        await settle()
        owed = held_at_most(source, 0)
        check("RS-BP-6", owed <= 2 * maxlen,
              f"the slow branch of a tee with maxlen {maxlen} is owed at least {owed} items "
              f"(pulled {source.count.completed}, taken 0); at most {2 * maxlen} (branch + log)")
        check("RS-BP-6", len(fast.items) <= 2 * maxlen and not fast.task.done(),
              f"the fast branch read {len(fast.items)} items (done: {fast.task.done()}) "
              f"while the slow branch read none; expected it to wait after {2 * maxlen}")
        before = len(fast.items)
        await take(slow_branch, 1)
        await settle()
        check("RS-BP-6", len(fast.items) > before or fast.task.done(),
              f"the fast branch stayed at {before} items after the slow one took an item")
        rest = await drain(slow_branch)
        await within(fast.task, "the fast branch")
        check_equal("RS-BP-6", fast.items, [{"step": k} for k in range(N)], "fast branch")
        check_equal("RS-BP-6", len(rest) + 1, N, "items of the slow branch")
        await stop(run_stream, main_log)

    run(main)

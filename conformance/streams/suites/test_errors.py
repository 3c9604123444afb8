"""RS-ERR: a failing source, and consumers that go away.

Cancellation tests hold the pull in flight on a gate, cancel a consumer while it is
held, and only then open the gate: what the others receive afterwards shows whether the
cancellation reached the source. Both kinds of source are used: the resumable
``ScriptedSource`` (a cancelled pull leaves its event for the next one) and
``as_generator`` (a cancelled pull ends the generator, as it ends a graph run).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from conformance.adapter import RS_ASYNC, ProjectionSpec
from conformance.aio import cancel_and_wait, gather_outcomes, run, settle, within
from conformance.checks import ImplementationTimeout, check, check_equal
from conformance.streams.drive import END, close_cursor, declared, anext_or_end, drain, take, main_log_of
from conformance.streams.scripts import root_values
from conformance.streams.source import Fatal, ScriptedSource, as_generator

pytestmark = pytest.mark.requires(RS_ASYNC)

N = 4
EVERY = [{"step": k} for k in range(N)]
COPY = ProjectionSpec("copy", "values")  # a second projection of the root values
BOUNDED = ProjectionSpec("bounded", "values", maxlen=1)
RESULTS = ("output", "interrupted", "interrupts")


def data(item: Any) -> Any:
    """The data of a projection item or of a main-log entry."""
    return item["params"]["data"] if isinstance(item, dict) and "params" in item else item


async def outcome(cursor: Any) -> tuple[list[Any], BaseException | None]:
    """Everything ``cursor`` yields, then the exception it raised (None: a clean end)."""
    items: list[Any] = []
    try:
        while (item := await anext_or_end(cursor)) is not END:
            items.append(data(item))
    except Exception as error:  # noqa: BLE001 - the error is the observation
        return items, error
    return items, None


# -- RS-ERR-1 ------------------------------------------------------------------------------

@pytest.mark.rule("RS-ERR-1")
def test_every_cursor_yields_its_buffer_then_the_same_error(
        open_run: Callable[..., Any], fan_out: Callable[[Any, int], Any]) -> None:
    async def main() -> None:
        source = ScriptedSource(root_values(N), error_at=N)
        run_stream = open_run(source, [COPY])
        cursors = {"main log": main_log_of(run_stream), "values": aiter(run_stream.values)}
        for i, branch in enumerate(fan_out(declared(run_stream, "copy"), 2)):
            cursors[f"tee branch {i}"] = branch
        for name, cursor in cursors.items():  # the main log drives; the others buffer
            items, error = await outcome(cursor)
            check_equal("RS-ERR-1", items, EVERY, f"what {name} yielded before the error")
            check("RS-ERR-1", error is source.error,
                  f"{name} ended with {error!r}; expected the source's own {source.error!r}")

    run(main)


# -- RS-ERR-2 ------------------------------------------------------------------------------

@pytest.mark.rule("RS-ERR-2")
def test_results_raise_the_runs_error_every_time(open_run: Callable[..., Any]) -> None:
    async def main() -> None:
        source = ScriptedSource(root_values(N), error_at=2)
        run_stream = open_run(source)
        for attempt in (1, 2):
            for name in RESULTS:
                try:
                    value = await within(getattr(run_stream, name)(), f"{name}()")
                except Exception as error:  # noqa: BLE001
                    check("RS-ERR-2", error is source.error,
                          f"{name}() call {attempt} raised {error!r}; expected the source's "
                          f"own {source.error!r}")
                else:
                    check("RS-ERR-2", False,
                          f"{name}() call {attempt} of a failed run returned {value!r}")

    run(main)


# -- RS-ERR-3 ------------------------------------------------------------------------------

def _source(kind: str, source: ScriptedSource) -> Any:
    return as_generator(source) if kind == "generator" else source


@pytest.mark.rule("RS-ERR-3")
@pytest.mark.parametrize("kind", ["resumable", "generator"])
@pytest.mark.parametrize("cancelled", ["pumper", "waiter"])
def test_cancelling_a_consumer_spares_the_others(open_run: Callable[..., Any], kind: str,
                                                cancelled: str) -> None:
    """The main log's reader starts the pull of step 1 (held); the values reader waits
    too. One of them is cancelled, then the gate opens: the other gets every event and
    output() is the full run's."""

    async def main() -> None:
        source = ScriptedSource(root_values(N))
        source.hold(1)
        run_stream = open_run(_source(kind, source))
        readers = {"main log": main_log_of(run_stream), "values": aiter(run_stream.values)}
        got = {name: [data(i) for i in await take(c, 1)] for name, c in readers.items()}
        tasks = {}
        for name, cursor in readers.items():
            tasks[name] = asyncio.create_task(anext_or_end(cursor))
            if name == "main log":
                await within(source.held(1), "the main log's pull of step 1")
        await settle()
        victim = "main log" if cancelled == "pumper" else "values"
        survivor = "values" if victim == "main log" else "main log"
        tasks[victim].cancel()
        await settle()
        source.release(1)
        first = await within(tasks[survivor], f"the {survivor} reader")
        items, error = await outcome(readers[survivor])
        got[survivor] += ([] if first is END else [data(first)]) + items
        check("RS-ERR-3", error is None and got[survivor] == EVERY,
              f"after cancelling the {victim} reader ({cancelled}) of a {kind} source, the "
              f"{survivor} reader got {got[survivor]}"
              + (f" then {error!r}" if error else "") + f"; expected {EVERY}")
        output = await within(run_stream.output(), "output()")
        check_equal("RS-ERR-3", output, EVERY[-1], "output() after the cancellation")
        await gather_outcomes(tasks[victim])

    run(main)


# -- RS-ERR-4 ------------------------------------------------------------------------------

async def _close(how: str, run_stream: Any, source: ScriptedSource) -> None:
    """Subscribe the bounded log, read one item, then let the cursor go ``how``."""
    if how == "break":
        async for _ in declared(run_stream, "bounded"):
            break  # the cursor is dropped with the loop
        return
    cursor = aiter(declared(run_stream, "bounded"))
    if how == "aclose":
        await take(cursor, 1)
        await close_cursor(cursor, "RS-ERR-4")
        return
    source.hold(0)
    task = asyncio.create_task(anext_or_end(cursor))
    await within(source.held(0), "the cursor's pull")
    task.cancel()
    await gather_outcomes(task)
    source.release(0)


@pytest.mark.rule("RS-ERR-4")
@pytest.mark.parametrize("how", ["aclose", "break", "cancel"])
def test_closed_cursor_never_holds_the_run_back(open_run: Callable[..., Any],
                                               how: str) -> None:
    """A bounded log (maxlen 1) whose cursor went away must not stop the run."""

    async def main() -> None:
        source = ScriptedSource(root_values(N))
        run_stream = open_run(source, [BOUNDED])
        await _close(how, run_stream, source)
        await settle()
        main_log = asyncio.create_task(drain(main_log_of(run_stream)))
        output = asyncio.create_task(run_stream.output())
        done = await _bounded_wait({main_log, output})
        check("RS-ERR-4", done,
              f"the run stalled after the bounded log's cursor was closed ({how}): "
              f"{source.count.completed} of {N} events pulled")
        if done:
            check_equal("RS-ERR-4", output.result(), EVERY[-1], "output()")
            check_equal("RS-ERR-4", [data(e) for e in main_log.result()][-2:], EVERY[-2:],
                        "the main log's last entries")

    run(main)


async def _bounded_wait(tasks: set[asyncio.Task[Any]]) -> bool:
    """Whether ``tasks`` all finish in time; if not they are cancelled (a stalled run).

    Only the time limit is the observation (the rule's failure, a stalled run): an
    error of the tasks propagates as what it is.
    """
    try:
        await within(asyncio.gather(*tasks), "the rest of the run")
    except ImplementationTimeout:
        await within(cancel_and_wait(list(tasks)), "the stalled readers to stop")
        return False
    return True


# -- RS-ERR-5 ------------------------------------------------------------------------------

async def _attempt(awaitable: Any) -> Any:
    """Await; whatever it returns or raises (Fatal included) is the outcome."""
    try:
        return await within(awaitable)
    except (Exception, Fatal) as error:  # noqa: BLE001
        return error


@pytest.mark.rule("RS-ERR-5")
def test_fatal_error_ends_the_run(open_run: Callable[..., Any]) -> None:
    async def main() -> None:
        fatal = Fatal("the source died")
        source = ScriptedSource(root_values(N), error_at=1, error=fatal)
        run_stream = open_run(source)
        main_log = main_log_of(run_stream)
        await take(main_log, 1)
        raised = await _attempt(anext_or_end(main_log))
        check("RS-ERR-5", raised is fatal,
              f"the consumer whose pull raised Fatal got {raised!r}; expected the Fatal")
        pulls = source.count.pulls
        later = {"output()": await _attempt(run_stream.output()),
                 "a new values cursor": await _attempt(anext_or_end(aiter(run_stream.values))),
                 "interrupted()": await _attempt(run_stream.interrupted())}
        check("RS-ERR-5", source.count.pulls == pulls,
              f"after the Fatal error, later calls ({later}) pulled the source again: "
              f"{pulls} -> {source.count.pulls} pulls")

    run(main)


async def _close_tee(run_stream: Any, fan_out: Callable[[Any, int], Any],
                     source: ScriptedSource, how: str) -> list[Any]:
    """Fan the bounded log out and close every branch: read one item on each, then
    ``aclose()`` it ("tee"), or cancel the task of each while the first pull is held
    ("tee cancel"). The branches are returned so the caller keeps them alive: dropping
    them could close them some other way (garbage collection)."""
    branches = list(fan_out(declared(run_stream, "bounded"), 2))
    if how == "tee":
        for branch in branches:
            await take(branch, 1)
        for branch in branches:
            await close_cursor(branch, "RS-ERR-4")
        return branches
    source.hold(0)
    tasks = [asyncio.create_task(anext_or_end(branch)) for branch in branches]
    await within(source.held(0), "the branches' pull")
    for task in tasks:
        task.cancel()
    await gather_outcomes(*tasks)
    source.release(0)
    return branches


@pytest.mark.rule("RS-ERR-4")
@pytest.mark.parametrize("how", ["aclose", "break", "cancel", "tee", "tee cancel"])
def test_closed_cursor_frees_its_projection(open_run: Callable[..., Any],
                                            fan_out: Callable[[Any, int], Any],
                                            how: str) -> None:
    """Once its cursor (or every tee branch) is closed, the projection is free again:
    a new subscriber gets exactly what is routed after it subscribed."""

    async def main() -> None:
        source = ScriptedSource(root_values(N))
        run_stream = open_run(source, [BOUNDED])
        closed = []
        if how.startswith("tee"):
            closed = await _close_tee(run_stream, fan_out, source, how)
        else:
            await _close(how, run_stream, source)
        await settle()
        try:
            again = aiter(declared(run_stream, "bounded"))
        except RuntimeError as error:
            check("RS-ERR-4", False, f"the projection is still subscribed after its cursor "
                                     f"was closed ({how}): {error}")
            await run_stream.abort()
            return
        routed_before = source.count.completed
        check_equal("RS-ERR-4", [data(i) for i in await drain(again)], EVERY[routed_before:],
                    f"what the new subscriber received (closed by {how}, "
                    f"{routed_before} events routed before it subscribed)")
        del closed  # the closed branches were kept alive until here (see _close_tee)

    run(main)

"""RS-RES: output(), interrupted() and interrupts() of an async run stream."""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest

from conformance import aio
from conformance.adapter import RS_ASYNC
from conformance.checks import check, check_equal, escape_verdict
from conformance.streams.drive import drain, settle, take, main_log_of
from conformance.streams.programs import close_cursor
from conformance.streams.source import ScriptedSource, event, values

pytestmark = pytest.mark.requires(RS_ASYNC)

RESULTS = ("output", "interrupted", "interrupts")
SUB = ("sub:1",)


def mixed_script() -> list[dict[str, Any]]:
    """Root values interleaved with nested values and other methods."""
    return [
        values({"n": 1}),
        values({"sub": 1}, ns=SUB),
        event("updates", {"step": 1}),
        values({"n": 2}),
        values({"sub": 2}, ns=SUB),
        event("updates", {"step": 2}),
    ]


async def results_of(run: Any) -> dict[str, Any]:
    """The three results, each awaited under the time limit."""
    return {name: await aio.within(getattr(run, name)(), f"run.{name}()") for name in RESULTS}


@pytest.mark.rule("RS-RES-1")
def test_output_is_the_last_root_values(open_run):
    async def main():
        run = open_run(ScriptedSource(mixed_script()))
        output = await aio.within(run.output(), "run.output()")
        check_equal("RS-RES-1", output, {"n": 2},
                    "output() (last root values; nested values and updates come after it)")

    aio.run(main)


@pytest.mark.rule("RS-RES-1")
def test_output_without_values_is_none(open_run):
    async def main():
        source = ScriptedSource([event("updates", {"step": 1}), values({"sub": 1}, ns=SUB)])
        output = await aio.within(open_run(source).output(), "run.output()")
        check("RS-RES-1", output is None,
              f"output() of a run with no root values: expected None, got {output!r}")

    aio.run(main)


INTERRUPT_CASES = {
    "root-interrupt": ([values({"n": 1}), values({"n": 2}, interrupts=["ask"])], True),
    "nested-only": ([values({"n": 1}), values({"sub": 1}, ns=SUB, interrupts=["ask"])], False),
    "empty-interrupts": ([values({"n": 1}, interrupts=[])], False),
    "none": ([values({"n": 1}), event("updates", {"x": 1})], False),
}


@pytest.mark.rule("RS-RES-2")
@pytest.mark.parametrize("case", sorted(INTERRUPT_CASES))
def test_interrupted_counts_root_interrupts_only(open_run, case):
    script, expected = INTERRUPT_CASES[case]

    async def main():
        got = await aio.within(open_run(ScriptedSource(script)).interrupted(),
                               "run.interrupted()")
        check("RS-RES-2", got is expected,
              f"interrupted() for {case}: expected {expected}, got {got!r}")

    aio.run(main)


@pytest.mark.rule("RS-RES-3")
def test_interrupts_lists_root_payloads_in_order(open_run):
    script = [
        values({"n": 1}, interrupts=["first"]),
        values({"sub": 1}, ns=SUB, interrupts=["nested"]),
        event("updates", {"x": 1}),
        values({"n": 2}, interrupts=["second", "third"]),
    ]

    async def main():
        got = await aio.within(open_run(ScriptedSource(script)).interrupts(),
                               "run.interrupts()")
        check_equal("RS-RES-3", list(got), ["first", "second", "third"],
                    "interrupts() (root payloads in source order, nested left out)")

    aio.run(main)


def _close_unawaited(awaitable: Any) -> bool:
    """Close a coroutine we will not await; True if it was one."""
    if inspect.iscoroutine(awaitable):
        awaitable.close()
        return True
    return False


@pytest.mark.rule("RS-RES-4")
@pytest.mark.parametrize("name", RESULTS)
def test_results_are_methods_returning_awaitables(open_run, name):
    async def main():
        source = ScriptedSource([values({"n": 1}, interrupts=["ask"])])
        run = open_run(source)
        attribute = getattr(run, name)
        check("RS-RES-4", not inspect.isawaitable(attribute),
              f"run.{name} (not called) is itself awaitable: {attribute!r}")
        check("RS-RES-4", callable(attribute),
              f"run.{name} is not a method but the value {attribute!r}")
        if not callable(attribute):
            return
        pending = attribute()
        await settle()
        check("RS-RES-4", inspect.isawaitable(pending),
              f"run.{name}() returned {pending!r}, not an awaitable "
              f"(iscoroutinefunction: {inspect.iscoroutinefunction(attribute)})")
        check_equal("RS-RES-4", source.count.pulls, 0,
                    f"pulls after calling run.{name}() without awaiting it")
        if not _close_unawaited(pending) and inspect.isawaitable(pending):
            await aio.within(pending, f"run.{name}()")
        value = await aio.within(getattr(run, name)(), f"run.{name}()")
        check("RS-RES-4", value == {"output": {"n": 1}, "interrupted": True,
                                    "interrupts": ["ask"]}[name],
              f"awaiting run.{name}() gave {value!r}")

    aio.run(main)


@pytest.mark.rule("RS-RES-5")
def test_output_drives_an_unread_run_to_the_end(open_run):
    script = mixed_script()

    async def main():
        source = ScriptedSource(script)
        source.hold(len(script))  # the pull that finds the end
        run = open_run(source)
        task = asyncio.create_task(run.output())
        await aio.within(source.held(len(script)), "the final pull")
        await settle()
        check("RS-RES-5", not task.done(),
              "output() returned before the source was exhausted")
        check_equal("RS-RES-5", source.position, len(script),
                    "events pulled by output() with nothing subscribed")
        source.release(len(script))
        await aio.within(task, "run.output()")
        check_equal("RS-RES-5", source.count.pulls, len(script) + 1,
                    "pulls once output() returned (every event and the end)")

    aio.run(main)


@pytest.mark.rule("RS-RES-5")
def test_results_awaited_together_each_drive_to_the_end(open_run):
    """The three result methods awaited at once, nothing subscribed: none returns while
    the pull of the end is held, and each gives the complete run's result."""
    script = mixed_script()

    async def main():
        source = ScriptedSource(script)
        source.hold(len(script))  # the pull that finds the end
        run = open_run(source)
        tasks = {name: asyncio.create_task(getattr(run, name)()) for name in RESULTS}
        await aio.within(source.held(len(script)), "the final pull")
        await settle()
        early = [f"{name}()" for name, task in tasks.items() if task.done()]
        check("RS-RES-5", not early,
              f"{', '.join(early)} returned before the source was exhausted, awaited "
              f"together with the other result methods")
        source.release(len(script))
        got = {name: await aio.within(task, f"run.{name}()") for name, task in tasks.items()}
        check_equal("RS-RES-5", got,
                    {"output": {"n": 2}, "interrupted": False, "interrupts": []},
                    "the results awaited together")

    aio.run(main)


@pytest.mark.rule("RS-RES-5")
def test_readers_and_results_share_the_run(open_run):
    script = mixed_script()

    async def main():
        run = open_run(ScriptedSource(script))
        values_cursor, main_cursor = aiter(run.values), main_log_of(run)
        got_values, got_main, output, interrupts = await asyncio.gather(
            drain(values_cursor), drain(main_cursor), run.output(), run.interrupts())
        check_equal("RS-RES-5", got_values, [{"n": 1}, {"n": 2}],
                    "values read while output() and interrupts() ran")
        check_equal("RS-RES-5", [e["method"] for e in got_main],
                    [e["method"] for e in script], "methods of the main log read while "
                    "results ran")
        check_equal("RS-DELIV-1", [e["params"]["data"] for e in got_main],
                    [e["data"] for e in script], "main log read while results ran")
        check_equal("RS-RES-5", (output, list(interrupts)), ({"n": 2}, []),
                    "(output, interrupts) while readers ran")

    aio.run(main)


@pytest.mark.rule("RS-RES-6")
def test_results_after_abort_report_what_was_seen(open_run):
    script = [values({"n": 1}, interrupts=["ask"]), values({"n": 2}), values({"n": 3})]

    async def main():
        source = ScriptedSource(script)
        run = open_run(source)
        cursor = aiter(run.values)
        read = await take(cursor, 2)
        await aio.within(run.abort(), "run.abort()")
        pulls = source.count.pulls
        try:
            got = await results_of(run)
        except Exception as exc:  # noqa: BLE001 - the rule says results do not raise
            check("RS-RES-6", False, f"a result method raised {exc!r} after abort()")
            return
        finally:
            await close_cursor(cursor)
        check_equal("RS-RES-6", read, [{"n": 1}, {"n": 2}], "values read before abort()")
        check_equal("RS-RES-6", got,
                    {"output": {"n": 2}, "interrupted": True, "interrupts": ["ask"]},
                    "results after abort()")
        check_equal("RS-RES-6", source.count.pulls, pulls, "pulls made by results after abort()")

    aio.run(main)


@pytest.mark.rule("RS-RES-6")
def test_results_after_abort_before_any_pull(open_run):
    async def main():
        source = ScriptedSource([values({"n": 1})])
        run = open_run(source)
        await aio.within(run.abort(), "run.abort()")
        try:
            got = await results_of(run)
        except Exception as exc:  # noqa: BLE001
            check("RS-RES-6", False, f"a result method raised {exc!r} after abort()")
            return
        check_equal("RS-RES-6", got, {"output": None, "interrupted": False, "interrupts": []},
                    "results of a run aborted before its first pull")
        check_equal("RS-RES-6", source.count.pulls, 0, "pulls of a run aborted before reading")

    aio.run(main)


@pytest.mark.rule("RS-RES-6")
@pytest.mark.parametrize("method", RESULTS)
def test_result_waiting_at_abort_returns(open_run, method):
    """The result method drives the run and waits on the held pull of the second event
    when abort() comes: it returns what was observed before the abort (the first event).
    That it returns at all is what the rule says, so a call that goes on waiting fails
    RS-RES-6 ("did not finish"), not the time limit."""
    script = [values({"n": 1}, interrupts=["ask"]), values({"n": 2}), values({"n": 3})]
    seen = {"output": {"n": 1}, "interrupted": True, "interrupts": ["ask"]}

    async def main():
        source = ScriptedSource(script)
        source.hold(1)
        run = open_run(source)
        waiting = asyncio.create_task(getattr(run, method)(), name=f"{method}()")
        await aio.within(source.held(1), "the pull of the second event")
        await settle()
        await aio.within(run.abort(), "run.abort()")
        try:
            got = await aio.finishes("RS-RES-6", waiting,
                                     f"{method}(), waiting on the held pull at abort(),")
        except Exception as exc:  # noqa: BLE001 - the rule says results do not raise
            escape_verdict(exc)
            check("RS-RES-6", False, f"{method}() waiting at abort() raised {exc!r}")
            return
        if got is not aio.UNFINISHED:
            check_equal("RS-RES-6", got, seen[method],
                        f"{method}() that was waiting at abort() (one event observed)")

    aio.run(main)


@pytest.mark.rule("RS-RES-7")
def test_repeated_interrupt_listed_once(open_run):
    script = [values({"n": 1}, interrupts=["a"]), values({"n": 2}, interrupts=["a", "b"])]

    async def main():
        got = await aio.within(open_run(ScriptedSource(script)).interrupts(),
                               "run.interrupts()")
        check_equal("RS-RES-7", list(got), ["a", "b"],
                    "interrupts() when 'a' is repeated on a later root values event")

    aio.run(main)


@pytest.mark.rule("RS-RES-7")
def test_interrupts_returns_a_fresh_list(open_run):
    async def main():
        run = open_run(ScriptedSource([values({"n": 1}, interrupts=["a"])]))
        first = await aio.within(run.interrupts(), "run.interrupts()")
        first.append("mutated by the caller")
        second = await aio.within(run.interrupts(), "run.interrupts()")
        check("RS-RES-7", first is not second,
              "interrupts() returned the same list object twice")
        check_equal("RS-RES-7", list(second), ["a"],
                    "interrupts() after the caller mutated an earlier result")

    aio.run(main)

"""RS-NEST: nested run streams, driven by the outer run's pump."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from conformance import aio
from conformance.adapter import RS_NESTED, ProjectionSpec
from conformance.checks import check, check_equal
from conformance.streams import drive
from conformance.streams.drive import declared, drain, settle, take, main_log_of
from conformance.streams.programs import close_cursor
from conformance.streams.source import ScriptedSource, event, values

pytestmark = pytest.mark.requires(RS_NESTED)

SUB = ("sub:1",)


@pytest.fixture
def nested(runcert_adapter):
    """``nested(run, path)``: the implementation's nested run stream of ``path``."""
    factory = drive.factories(runcert_adapter).nested
    assert factory is not None, "an adapter declaring streams.nested must give `nested`"
    return factory


def interleaved() -> list[dict[str, Any]]:
    return [
        values({"root": 1}),
        values({"sub": 1}, ns=SUB),
        values({"root": 2}),
        values({"sub": 2}, ns=SUB),
    ]


@pytest.mark.rule("RS-NEST-1")
def test_reading_nested_pulls_the_outer_source(open_run, nested):
    async def main():
        source = ScriptedSource(interleaved())
        run = open_run(source)
        child = nested(run, SUB)
        cursor = aiter(child.values)
        await settle()
        check_equal("RS-NEST-1", source.count.pulls, 0,
                    "pulls after creating a nested stream and subscribing to it")
        first = await take(cursor, 1)
        await close_cursor(cursor)
        check_equal("RS-NEST-1", first, [{"sub": 1}],
                    "first nested values item (pulled from the outer source)")

    aio.run(main)


@pytest.mark.rule("RS-NEST-1")
def test_nested_and_outer_readers_share_one_pump(open_run, nested):
    script = interleaved()

    async def main():
        source = ScriptedSource(script)
        source.hold(1)
        run = open_run(source)
        child = nested(run, SUB)
        outer_cursor, child_cursor = aiter(run.values), aiter(child.values)
        readers = asyncio.gather(drain(outer_cursor), drain(child_cursor))
        await aio.within(source.held(1), "the pull of event 1")
        await settle()
        check_equal("RS-NEST-1", source.count.active, 1,
                    "pulls in flight while both readers wait on a held pull")
        source.release(1)
        outer_items, child_items = await aio.within(readers, "both readers")
        check_equal("RS-NEST-1", (outer_items, child_items),
                    ([{"root": 1}, {"root": 2}], [{"sub": 1}, {"sub": 2}]),
                    "(outer values, nested values)")
        check_equal("RS-NEST-1", source.count.max_active, 1, "most concurrent pulls")
        check_equal("RS-NEST-1", source.count.pulls, len(script) + 1,
                    "pulls of the whole run (each event once, then the end)")

    aio.run(main)


@pytest.mark.rule("RS-NEST-2")
def test_nested_values_is_its_own_namespace(open_run, nested):
    script = [
        values({"root": 1}),
        values({"sub": 1}, ns=SUB),
        values({"deeper": 1}, ns=SUB + ("deep:2",)),
        values({"other": 1}, ns=("other:3",)),
        event("updates", {"sub": "update"}, ns=SUB),
        values({"sub": 2}, ns=SUB),
    ]

    async def main():
        run = open_run(ScriptedSource(script))
        child = nested(run, SUB)
        got = await drain(aiter(child.values))
        check_equal("RS-NEST-2", got, [{"sub": 1}, {"sub": 2}],
                    "nested values (root, deeper, sibling and updates events left out)")

    aio.run(main)


NEST_RESULTS_SCRIPT = [
    values({"sub": 1}, ns=SUB),
    values({"root": 1}, interrupts=["root-ask"]),
    values({"calm": 1}, ns=("calm:2",)),
    values({"sub": 2}, ns=SUB, interrupts=["sub-ask"]),
    values({"root": 2}),
]


@pytest.mark.rule("RS-NEST-3")
def test_nested_output_drives_the_outer_run(open_run, nested):
    async def main():
        source = ScriptedSource(NEST_RESULTS_SCRIPT)
        child = nested(open_run(source), SUB)
        output = await aio.within(child.output(), "nested output()")
        check_equal("RS-NEST-3", output, {"sub": 2}, "nested output() (last nested values)")
        check_equal("RS-NEST-3", source.count.pulls, len(NEST_RESULTS_SCRIPT) + 1,
                    "outer pulls when nested output() returned (the run completed)")

    aio.run(main)


@pytest.mark.rule("RS-NEST-3")
def test_nested_interrupted_follows_its_namespace(open_run, nested):
    async def main():
        run = open_run(ScriptedSource(NEST_RESULTS_SCRIPT))
        interrupted_child, calm_child = nested(run, SUB), nested(run, ("calm:2",))
        interrupted = await aio.within(interrupted_child.interrupted(),
                                       "nested interrupted()")
        calm = await aio.within(calm_child.interrupted(), "nested interrupted()")
        check("RS-NEST-3", interrupted is True,
              f"interrupted() of the nested run whose values carried an interrupt: {interrupted!r}")
        check("RS-NEST-3", calm is False,
              f"interrupted() of a nested run with no interrupt of its own (the root and a "
              f"sibling were interrupted): expected False, got {calm!r}")

    aio.run(main)


# -- the outer run's routing, failure and abort, seen through nested streams ----------------

EVERY_VALUES = ProjectionSpec("every_values", "values", None)  # values of any namespace
SUB_VALUES = ProjectionSpec("sub_values", "values", SUB)  # the nested namespace, from the root


@pytest.mark.rule("RS-EXT-4")
def test_root_projections_keep_nested_events(open_run, nested):
    """A nested stream of SUB takes nothing away from the root's projections of SUB."""
    script = interleaved()

    async def main():
        run = open_run(ScriptedSource(script), [EVERY_VALUES, SUB_VALUES])
        child = nested(run, SUB)
        cursors = {"every_values": aiter(declared(run, "every_values")),
                   "sub_values": aiter(declared(run, "sub_values")),
                   "nested values": aiter(child.values)}
        got = await drive.round_robin(cursors)
        sub = [e["data"] for e in script if e["namespace"] == list(SUB)]
        check_equal("RS-EXT-4", got, {"every_values": [e["data"] for e in script],
                                      "sub_values": sub, "nested values": sub},
                    "root projections of any namespace and of SUB, with a nested stream of SUB")

    aio.run(main)


def failing_outer() -> ScriptedSource:
    return ScriptedSource([values({"sub": 1}, ns=SUB), values({"root": 1})], error_at=2)


async def raised(awaitable: Any) -> BaseException | None:
    """The exception ``awaitable`` raised (None if it returned)."""
    try:
        await aio.within(awaitable)
    except Exception as error:  # noqa: BLE001 - the error is the observation
        return error
    return None


@pytest.mark.rule("RS-ERR-1")
def test_nested_cursor_raises_the_outer_runs_error(open_run, nested):
    async def main():
        source = failing_outer()
        child = nested(open_run(source), SUB)
        cursor = aiter(child.values)
        first = await take(cursor, 1)
        error = await raised(cursor.__anext__())
        check_equal("RS-ERR-1", first, [{"sub": 1}], "the nested cursor's item before the error")
        check("RS-ERR-1", error is source.error,
              f"the nested cursor raised {error!r} after the outer source failed; "
              f"expected the source's error {source.error!r}")

    aio.run(main)


@pytest.mark.rule("RS-ERR-2")
def test_nested_output_raises_the_outer_runs_error(open_run, nested):
    async def main():
        source = failing_outer()
        child = nested(open_run(source), SUB)
        error = await raised(child.output())
        check("RS-ERR-2", error is source.error,
              f"nested output() of a failed outer run raised {error!r}; "
              f"expected the source's error {source.error!r}")

    aio.run(main)


@pytest.mark.rule("RS-RES-6")
def test_aborted_nested_stream_keeps_its_results(open_run, nested):
    """Aborting a nested stream freezes its results, while the outer run goes on."""

    async def main():
        source = ScriptedSource(interleaved())
        run = open_run(source)
        child = nested(run, SUB)
        cursor = aiter(child.values)
        await take(cursor, 1)
        await aio.within(child.abort(), "the nested stream's abort()")
        await close_cursor(cursor)
        outer = await aio.within(run.output(), "the outer output()")
        check_equal("RS-RES-6", outer, {"root": 2}, "outer output() after the nested abort")
        after = await aio.within(child.output(), "nested output() after its abort()")
        check_equal("RS-RES-6", after, {"sub": 1},
                    "nested output() after its abort() (the outer run went on to {'sub': 2})")

    aio.run(main)


@pytest.mark.rule("RS-ABORT-2")
def test_nested_abort_ends_a_reader_waiting_on_the_outer_pump(open_run, nested):
    """The nested reader waits on an outer step that may be held back by a full root log
    nobody reads (backpressure); aborting the nested stream must still end that reader."""
    script = [values({"root": 0}), values({"root": 1}), values({"sub": 0}, ns=SUB)]

    async def main():
        source = ScriptedSource(script)
        run = open_run(source, [ProjectionSpec("bounded", "values", maxlen=1)])
        unread = aiter(declared(run, "bounded"))  # subscribed, never read
        child = nested(run, SUB)
        cursor = aiter(child.values)
        reader = asyncio.create_task(drive.anext_unbounded(cursor))
        await settle()
        first = reader.result() if reader.done() else None
        await aio.within(child.abort(), "the nested stream's abort()")
        got = await aio.finishes("RS-ABORT-2", reader,
                                 "the nested reader waiting at the nested abort()")
        check("RS-ABORT-2",
              got is aio.UNFINISHED or got is drive.END or got == first == {"sub": 0},
              f"the nested reader waiting at the abort got {got!r}; expected the end "
              f"(or the nested item it had received before the abort)")
        check_equal("RS-ABORT-2", await drain(cursor), [], "the nested cursor after abort()")
        await close_cursor(unread)
        await aio.within(run.abort(), "the outer abort()")

    aio.run(main)


@pytest.mark.rule("RS-NEST-4")
def test_nested_abort_leaves_the_outer_run_going(open_run, nested):
    """A root projection of every namespace (``all``, maxlen 1, not read yet) holds the
    routing of the second nested event back; the nested stream is aborted meanwhile, then
    ``all`` is read: the outer run must carry on to its end, untouched."""
    script = [values({"sub": 1}, ns=SUB), values({"sub": 2}, ns=SUB), values({"root": 3})]

    async def main():
        source = ScriptedSource(script)
        run = open_run(source, [ProjectionSpec("all", "values", namespace=None, maxlen=1)])
        every = aiter(declared(run, "all"))
        main_log = main_log_of(run)
        child = nested(run, SUB)
        nested_cursor = aiter(child.values)
        check_equal("RS-NEST-4", await take(nested_cursor, 1), [{"sub": 1}],
                    "the nested stream's first item")
        driver = asyncio.create_task(drain(main_log))  # drives; held back by `all`
        await settle()
        await aio.within(child.abort(), "the nested stream's abort()")
        got = await aio.within(drain(every), "reading `all` after the nested abort()")
        log = await aio.within(driver, "the outer main log after the nested abort()")
        check_equal("RS-NEST-4", [e["params"]["data"] for e in log],
                    [{"sub": 1}, {"sub": 2}, {"root": 3}], "the outer main log")
        check_equal("RS-NEST-4", got, [{"sub": 1}, {"sub": 2}, {"root": 3}],
                    "what the root projection of every namespace received")
        check_equal("RS-NEST-4", await aio.within(run.output(), "outer output()"),
                    {"root": 3}, "the outer run's output()")
        check_equal("RS-NEST-4", source.count.closed, 0, "closes of the outer source")
        await close_cursor(nested_cursor)

    aio.run(main)

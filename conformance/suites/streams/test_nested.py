"""RS-NEST: nested run streams, driven by the outer run's pump."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from conformance import aio
from conformance.adapter import RS_NESTED
from conformance.checks import check, check_equal
from conformance.streams import drive
from conformance.streams.drive import drain, settle, take
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

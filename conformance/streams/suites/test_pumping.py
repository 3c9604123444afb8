"""RS-PUMP: caller-driven pumping — the source advances only while someone awaits."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from conformance.adapter import RS_ASYNC
from conformance.aio import run
from conformance.checks import check, check_equal
from conformance.streams.drive import anext_or_end, declared, drain, settle, take, main_log_of
from conformance.streams.scripts import ALL_VALUES, UPDATES, abort_and_finish, root_values
from conformance.streams.source import ScriptedSource

pytestmark = pytest.mark.requires(RS_ASYNC)

IDLE_ROUNDS = 200  # loop steps a test lets pass while nobody reads


def pending_tasks() -> list[asyncio.Task[Any]]:
    """Tasks of this loop, other than the caller's, that have not finished."""
    me = asyncio.current_task()
    return [t for t in asyncio.all_tasks() if t is not me and not t.done()]


@pytest.mark.rule("RS-PUMP-1")
def test_building_and_subscribing_pull_nothing(open_run: Callable[..., Any]) -> None:
    async def main() -> None:
        source = ScriptedSource(root_values(3))
        run_stream = open_run(source, [UPDATES, ALL_VALUES])
        await settle(IDLE_ROUNDS)
        check_equal("RS-PUMP-1", source.count.pulls, 0, "pulls after building the run")
        cursors = [aiter(run_stream.values), aiter(declared(run_stream, "node_updates")),
                   main_log_of(run_stream)]
        await settle(IDLE_ROUNDS)
        check_equal("RS-PUMP-1", source.count.pulls, 0,
                    "pulls after subscribing values, a declared projection and the main log")
        await abort_and_finish(run_stream, *cursors)

    run(main)


@pytest.mark.rule("RS-PUMP-1")
def test_unread_run_pulls_nothing(open_run: Callable[..., Any]) -> None:
    async def main() -> None:
        source = ScriptedSource(root_values(3))
        run_stream = open_run(source)
        for _ in range(5):
            await settle(IDLE_ROUNDS)
            check_equal("RS-PUMP-1", source.count.pulls, 0, "pulls of a run nobody reads")
        await run_stream.abort()

    run(main)


def _cursor(kind: str, run_stream: Any, fan_out: Callable[[Any, int], Any]) -> Any:
    if kind == "projection":
        return aiter(run_stream.values)
    if kind == "main log":
        return main_log_of(run_stream)
    return fan_out(run_stream.values, 2)[0]


@pytest.mark.rule("RS-PUMP-2")
@pytest.mark.parametrize("kind", ["projection", "main log", "tee branch"])
def test_no_pull_after_consumers_return(open_run: Callable[..., Any],
                                        fan_out: Callable[[Any, int], Any], kind: str) -> None:
    async def main() -> None:
        source = ScriptedSource(root_values(4))
        run_stream = open_run(source)
        cursor = _cursor(kind, run_stream, fan_out)

        async def read_two() -> tuple[list[Any], int]:
            got = await take(cursor, 2)
            return got, source.count.pulls  # counted the moment the consumer is served

        got, pulls = await asyncio.create_task(read_two())
        check_equal("RS-PUMP-2", len(got), 2, f"items the {kind} consumer read")
        await settle(IDLE_ROUNDS)
        check_equal("RS-PUMP-2", source.count.pulls, pulls,
                    f"pulls once the {kind} consumer returned and the loop went idle")
        left = pending_tasks()
        check("RS-PUMP-2", not left,
              f"expected no pending task once every consumer returned, found {left!r}")
        await abort_and_finish(run_stream, cursor)

    run(main)


@pytest.mark.rule("RS-PUMP-2")
def test_no_pull_after_a_held_pull_completes(open_run: Callable[..., Any]) -> None:
    """A consumer whose item arrived mid-pull returns; nothing goes on pulling after it."""

    async def main() -> None:
        source = ScriptedSource(root_values(4))
        source.hold(1)
        run_stream = open_run(source)
        cursor = aiter(run_stream.values)
        await take(cursor, 1)
        reader = asyncio.create_task(anext_or_end(cursor))
        await source.held(1)
        source.release(1)
        await reader
        pulls = source.count.pulls
        await settle(IDLE_ROUNDS)
        check_equal("RS-PUMP-2", source.count.pulls, pulls,
                    "pulls after the consumer returned and the loop went idle")
        check_equal("RS-PUMP-2", source.count.active, 0, "pulls still in progress")
        left = pending_tasks()
        check("RS-PUMP-2", not left, f"expected no pending task, found {left!r}")
        await abort_and_finish(run_stream, cursor)

    run(main)


def _every_event_reader(kind: str, run_stream: Any) -> Any:
    """A cursor that receives every event of a root-values script."""
    if kind == "values":
        return aiter(run_stream.values)
    if kind == "declared":
        return aiter(declared(run_stream, "all_values"))
    return main_log_of(run_stream)


@pytest.mark.rule("RS-PUMP-3")
@pytest.mark.parametrize("kind", ["values", "declared", "main log"])
def test_kth_item_costs_k_pulls(open_run: Callable[..., Any], kind: str) -> None:
    async def main() -> None:
        n = 4
        source = ScriptedSource(root_values(n))
        run_stream = open_run(source, [ALL_VALUES])
        cursor = _every_event_reader(kind, run_stream)
        for k in range(1, n + 1):
            got = await take(cursor, 1)
            check_equal("RS-PUMP-3", len(got), 1, f"item {k} of the {kind} cursor")
            await settle()
            check_equal("RS-PUMP-3", source.count.pulls, k, f"pulls after reading item {k}")
        rest = await drain(cursor)
        check_equal("RS-PUMP-3", rest, [], "items after the last one")
        check_equal("RS-PUMP-3", source.count.pulls, n + 1, "pulls once the end was reached")

    run(main)

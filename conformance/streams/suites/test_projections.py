"""RS-PROJ: projections take one consumer; tee(n) fans one out.

RS-PROJ-5 calls ``projection.tee(n)`` literally (the documented spelling); every other
test fans out through the adapter's hook (the ``fan_out`` fixture).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from conformance.adapter import RS_ASYNC
from conformance.aio import run, within
from conformance.checks import RuleViolation, check, check_equal
from conformance.streams.drive import END, declared, anext_or_end, drain, round_robin, take, main_log_of
from conformance.streams.scripts import (
    ALL_VALUES, UPDATES, VALUES, abort_and_finish, mixed, root_values, routed,
)
from conformance.streams.source import ScriptedSource

pytestmark = pytest.mark.requires(RS_ASYNC)

FanOut = Callable[[Any, int], Any]


def raised(call: Callable[[], Any]) -> BaseException | None:
    """The exception ``call()`` raised (None if it returned)."""
    try:
        call()
    except RuleViolation:  # the kit's own finding on another rule (no tee): not the error
        raise
    except Exception as error:  # noqa: BLE001 - the caller checks its type
        return error
    return None


def points_to_tee(error: BaseException | None) -> bool:
    return isinstance(error, RuntimeError) and "tee" in str(error)


def target(kind: str, run_stream: Any) -> Any:
    """What a test subscribes to: a projection or the run itself (its main log)."""
    return {"values": lambda: run_stream.values,
            "declared": lambda: run_stream.node_updates,
            "main log": lambda: run_stream}[kind]()


# -- RS-PROJ-1 ------------------------------------------------------------------------------

@pytest.mark.rule("RS-PROJ-1")
@pytest.mark.parametrize("kind", ["values", "declared", "main log"])
def test_second_subscription_raises(open_run: Callable[..., Any], kind: str) -> None:
    async def main() -> None:
        script = mixed()
        run_stream = open_run(ScriptedSource(script), [UPDATES])
        first = aiter(target(kind, run_stream))
        head = await take(first, 1)
        error = raised(lambda: aiter(target(kind, run_stream)))
        check("RS-PROJ-1", points_to_tee(error),
              f"second subscription to {kind}: expected a RuntimeError naming tee, got {error!r}")
        rest = await drain(first)
        expected = len(script) if kind == "main log" else len(routed(script, {
            "values": VALUES, "declared": UPDATES}[kind]))
        check_equal("RS-PROJ-1", len(head + rest), expected,
                    f"items the first {kind} subscription read, after the second one failed")

    run(main)


@pytest.mark.rule("RS-PROJ-1")
def test_second_subscription_raises_before_reading(open_run: Callable[..., Any]) -> None:
    async def main() -> None:
        source = ScriptedSource(root_values(3))
        run_stream = open_run(source)
        first = aiter(run_stream.values)
        error = raised(lambda: aiter(run_stream.values))
        check("RS-PROJ-1", points_to_tee(error),
              f"second subscription before any read: expected a RuntimeError naming tee, "
              f"got {error!r}")
        check_equal("RS-PROJ-1", await drain(first), routed(source.events, VALUES),
                    "items of the first subscription")

    run(main)


# -- RS-PROJ-2 ------------------------------------------------------------------------------

async def read_branches(branches: list[Any], order: str) -> list[list[Any]]:
    """Read every branch to its end: one after another (forwards or backwards), one item
    from each in turn, or all at once in concurrent tasks."""
    if order == "concurrent":
        return list(await within(asyncio.gather(*(drain(b) for b in branches))))
    got: list[list[Any]] = [[] for _ in branches]
    if order in ("forwards", "backwards"):
        indices = range(len(branches)) if order == "forwards" else reversed(range(len(branches)))
        for i in indices:
            got[i] = await drain(branches[i])
        return got
    by_index = await round_robin(dict(enumerate(branches)))
    return [by_index[i] for i in range(len(branches))]


@pytest.mark.rule("RS-PROJ-2")
@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("order", ["forwards", "backwards", "round robin", "concurrent"])
def test_tee_branches_see_every_item(open_run: Callable[..., Any], fan_out: FanOut,
                                     n: int, order: str) -> None:
    async def main() -> None:
        script = mixed()
        run_stream = open_run(ScriptedSource(script), [ALL_VALUES])
        branches = list(fan_out(declared(run_stream, "all_values"), n))
        check_equal("RS-PROJ-2", len(branches), n, f"branches of tee({n})")
        got = await read_branches(branches, order)
        for i, items in enumerate(got):
            check_equal("RS-PROJ-2", items, routed(script, ALL_VALUES),
                        f"items of branch {i} of {n}, read {order}")

    run(main)


@pytest.mark.rule("RS-PROJ-2")
def test_tee_after_events_flowed(open_run: Callable[..., Any], fan_out: FanOut) -> None:
    """Branches of a tee made mid-run each see every item routed after the tee."""

    async def main() -> None:
        script = root_values(6)
        run_stream = open_run(ScriptedSource(script))
        main_log = main_log_of(run_stream)
        await take(main_log, 2)
        branches = list(fan_out(run_stream.values, 2))
        got = await read_branches(branches, "round robin")
        for i, items in enumerate(got):
            check_equal("RS-PROJ-2", items, routed(script[2:], VALUES),
                        f"items of branch {i} of a tee made after 2 events")
        await drain(main_log)

    run(main)


# -- RS-PROJ-3 ------------------------------------------------------------------------------

@pytest.mark.rule("RS-PROJ-3")
@pytest.mark.parametrize("order", ["forwards", "backwards", "concurrent"])
def test_tee_branches_end_cleanly(open_run: Callable[..., Any], fan_out: FanOut,
                                  order: str) -> None:
    async def main() -> None:
        script = root_values(3)
        branches = list(fan_out(open_run(ScriptedSource(script)).values, 3))
        for i, items in enumerate(await read_branches(branches, order)):
            check_equal("RS-PROJ-3", items, routed(script, VALUES),
                        f"branch {i}: items before its clean end (read {order})")
        for i, branch in enumerate(branches):
            check("RS-PROJ-3", await anext_or_end(branch) is END,
                  f"branch {i}: expected it to stay ended after the run ended")

    run(main)


@pytest.mark.rule("RS-PROJ-3")
def test_tee_of_a_projection_nothing_reaches_ends_cleanly(open_run: Callable[..., Any],
                                                          fan_out: FanOut) -> None:
    """A tee over a declared projection no event of the run matches: each branch ends
    cleanly, with nothing, when the run ends."""

    async def main() -> None:
        run_stream = open_run(ScriptedSource(root_values(3)), [UPDATES])
        branches = list(fan_out(declared(run_stream, "node_updates"), 2))
        for i, items in enumerate(await read_branches(branches, "concurrent")):
            check_equal("RS-PROJ-3", items, [],
                        f"branch {i}: items of a projection no event matched, before its end")

    run(main)


async def outcome(branch: Any) -> tuple[list[Any], BaseException | None]:
    """The items a branch yields, and the exception it then raises (None: clean end)."""
    items: list[Any] = []
    try:
        while (item := await anext_or_end(branch)) is not END:
            items.append(item)
    except Exception as error:  # noqa: BLE001 - compared with the run's error
        return items, error
    return items, None


@pytest.mark.rule("RS-PROJ-3")
@pytest.mark.parametrize("order", ["forwards", "backwards", "concurrent"])
def test_tee_branches_raise_the_run_error(open_run: Callable[..., Any], fan_out: FanOut,
                                          order: str) -> None:
    async def main() -> None:
        source = ScriptedSource(root_values(3), error_at=3)
        branches = list(fan_out(open_run(source).values, 3))
        indices = list(range(3)) if order != "backwards" else [2, 1, 0]
        if order == "concurrent":
            results = await within(asyncio.gather(*(outcome(b) for b in branches)))
        else:
            by_index = {i: await outcome(branches[i]) for i in indices}
            results = [by_index[i] for i in range(3)]
        for i, (items, error) in enumerate(results):
            check_equal("RS-PROJ-3", items, routed(source.events, VALUES),
                        f"branch {i}: items before the failure (read {order})")
            check("RS-PROJ-3", error is source.error,
                  f"branch {i}: expected the run's error object {source.error!r} after its "
                  f"items, got {error!r}")

    run(main)


# -- RS-PROJ-4 ------------------------------------------------------------------------------

@pytest.mark.rule("RS-PROJ-4")
@pytest.mark.parametrize("n", [0, -1])
def test_tee_needs_n_at_least_one(open_run: Callable[..., Any], fan_out: FanOut,
                                  n: int) -> None:
    async def main() -> None:
        source = ScriptedSource(root_values(3))
        run_stream = open_run(source)
        error = raised(lambda: fan_out(run_stream.values, n))
        check("RS-PROJ-4", isinstance(error, ValueError),
              f"tee({n}): expected ValueError, got {error!r}")
        try:
            later = aiter(run_stream.values)
        except Exception as refused:  # noqa: BLE001 - reported as the rule's failure
            check("RS-PROJ-4", False,
                  f"subscribing after tee({n}) failed: expected it to work, got {refused!r}")
            return
        check_equal("RS-PROJ-4", await drain(later), routed(source.events, VALUES),
                    f"items read after tee({n}) failed")

    run(main)


# -- RS-PROJ-5 ------------------------------------------------------------------------------

@pytest.mark.rule("RS-PROJ-5")
@pytest.mark.parametrize("kind", ["values", "declared"])
def test_tee_is_spelled_tee(open_run: Callable[..., Any], kind: str) -> None:
    async def main() -> None:
        script = root_values(2)
        run_stream = open_run(ScriptedSource(script), [ALL_VALUES])
        projection = run_stream.values if kind == "values" else run_stream.all_values
        try:
            branches = list(projection.tee(2))  # the documented spelling, literally
        except Exception as error:  # noqa: BLE001 - reported as the rule's failure
            check("RS-PROJ-5", False,
                  f"{kind}.tee(2): expected 2 async iterators, raised {error!r}")
            return await run_stream.abort()
        ok = len(branches) == 2 and all(
            hasattr(b, "__anext__") and hasattr(b, "__aiter__") for b in branches)
        check("RS-PROJ-5", ok, f"{kind}.tee(2): expected 2 async iterators, got {branches!r}")
        for i, branch in enumerate(branches):
            check_equal("RS-PROJ-5", await drain(branch), routed(script, VALUES),
                        f"items of {kind}.tee(2) branch {i}")

    run(main)


# -- RS-PROJ-6 ------------------------------------------------------------------------------

@pytest.mark.rule("RS-PROJ-6")
@pytest.mark.parametrize("first", ["aiter", "tee"])
def test_no_tee_after_subscription(open_run: Callable[..., Any], fan_out: FanOut,
                                   first: str) -> None:
    async def main() -> None:
        script = root_values(3)
        run_stream = open_run(ScriptedSource(script))
        readers = [aiter(run_stream.values)] if first == "aiter" else list(
            fan_out(run_stream.values, 2))
        error = raised(lambda: fan_out(run_stream.values, 2))
        check("RS-PROJ-6", points_to_tee(error),
              f"tee(2) after {first}: expected the single-consumer RuntimeError naming tee, "
              f"got {error!r}")
        for i, reader in enumerate(readers):
            check_equal("RS-PROJ-6", await drain(reader), routed(script, VALUES),
                        f"items of the first subscription ({first}, reader {i})")
        await abort_and_finish(run_stream)

    run(main)

"""RS-FLIGHT: concurrent consumers share one pump, one pull at a time.

Every test is causal: pulls are held on the source's gates, ``await source.held(k)``
proves a pull is in flight, ``settle()`` lets every waiting consumer run, and only then
are the counters compared.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from conformance.adapter import RS_ASYNC
from conformance.aio import run, within
from conformance.checks import check, check_equal
from conformance.streams.drive import anext_or_end, declared, drain, settle, main_log_of
from conformance.streams.scripts import ALL_VALUES, UPDATES, abort_and_finish, root_values, step
from conformance.streams.source import ScriptedSource

pytestmark = pytest.mark.requires(RS_ASYNC)


def first_data(item: Any) -> Any:
    """The data of a projection item or of a main-log entry."""
    return item["params"]["data"] if isinstance(item, dict) and "params" in item else item


def start(cursor: Any) -> asyncio.Task[Any]:
    return asyncio.create_task(anext_or_end(cursor))


async def drain_all(run_stream: Any, fan_out: Callable[[Any, int], Any]) -> list[Any]:
    """Every kind of consumer at once: projections, the main log, tee branches, output()."""
    cursors = [aiter(run_stream.values), main_log_of(run_stream),
               aiter(declared(run_stream, "node_updates")),
               *fan_out(declared(run_stream, "all_values"), 2)]
    return await asyncio.gather(*(drain(c) for c in cursors), run_stream.output())


@pytest.mark.rule("RS-FLIGHT-1")
def test_never_two_pulls_at_once(open_run: Callable[..., Any],
                                 fan_out: Callable[[Any, int], Any]) -> None:
    async def main() -> None:
        script = [step(0, "values"), step(1, "updates"), step(2, "values"),
                  step(3, "updates"), step(4, "values")]
        source = ScriptedSource(script)
        for k in range(len(script) + 1):
            source.hold(k)
        run_stream = open_run(source, [UPDATES, ALL_VALUES])
        consumers = asyncio.create_task(drain_all(run_stream, fan_out))
        for k in range(len(script) + 1):  # output() drives every pull, the end included
            await within(source.held(k), f"pull {k} to start")
            await settle()
            check_equal("RS-FLIGHT-1", source.count.active, 1,
                        f"pulls in progress while pull {k} is held, six consumers waiting")
            source.release(k)
        await within(consumers, "the consumers")
        check("RS-FLIGHT-1", source.count.max_active <= 1,
              f"expected at most 1 pull in progress at any time, saw {source.count.max_active}")

    run(main)


@pytest.mark.rule("RS-FLIGHT-1")
def test_never_two_pulls_at_once_unheld(open_run: Callable[..., Any],
                                        fan_out: Callable[[Any, int], Any]) -> None:
    """The same crowd over a source whose pulls complete at once."""

    async def main() -> None:
        source = ScriptedSource([step(k, ("values", "updates")[k % 2]) for k in range(8)])
        run_stream = open_run(source, [UPDATES, ALL_VALUES])
        await within(drain_all(run_stream, fan_out), "the consumers")
        check("RS-FLIGHT-1", source.count.max_active <= 1,
              f"expected at most 1 pull in progress at any time, saw {source.count.max_active}")

    run(main)


@pytest.mark.rule("RS-FLIGHT-2")
def test_one_pull_serves_all_waiters(open_run: Callable[..., Any],
                                     fan_out: Callable[[Any, int], Any]) -> None:
    async def main() -> None:
        source = ScriptedSource(root_values(1))
        source.hold(0)
        run_stream = open_run(source, [ALL_VALUES])
        cursors = {"values": aiter(run_stream.values), "main log": main_log_of(run_stream)}
        for i, branch in enumerate(fan_out(declared(run_stream, "all_values"), 3)):
            cursors[f"tee branch {i}"] = branch
        tasks = {name: start(cursor) for name, cursor in cursors.items()}
        await within(source.held(0), "the first pull to start")
        await settle()
        check_equal("RS-FLIGHT-2", source.count.active, 1,
                    f"pulls in flight with {len(tasks)} consumers waiting")
        check_equal("RS-FLIGHT-2", source.count.pulls, 1,
                    f"pulls started with {len(tasks)} consumers waiting")
        source.release(0)
        for name, task in tasks.items():
            got = await within(task, f"the {name} consumer")
            check_equal("RS-FLIGHT-2", first_data(got), {"step": 0},
                        f"what the {name} consumer received from the one pull")
        await settle()
        check_equal("RS-FLIGHT-2", source.count.pulls, 1,
                    "pulls once every waiter received the event (none pulled again)")
        await abort_and_finish(run_stream, *cursors.values())

    run(main)


def _passive(kind: str, run_stream: Any, fan_out: Callable[[Any, int], Any]) -> list[Any]:
    """The consumers that wait passively for event 0 (a values event of the root)."""
    if kind == "values":
        return [aiter(run_stream.values)]
    if kind == "main log":
        return [main_log_of(run_stream)]
    return list(fan_out(run_stream.values, 2))  # both branches of a tee


@pytest.mark.rule("RS-FLIGHT-3")
@pytest.mark.parametrize("kind", ["values", "main log", "tee branches"])
def test_passive_consumer_returns_before_next_pull(open_run: Callable[..., Any],
                                                   fan_out: Callable[[Any, int], Any],
                                                   kind: str) -> None:
    """A driver whose projection gets only event 1 pumps event 0 for the passive ones;
    while the driver's next pull is held, the passive consumers must already be done."""

    async def main() -> None:
        source = ScriptedSource([step(0, "values"), step(1, "updates")])
        source.hold(0)
        source.hold(1)
        run_stream = open_run(source, [UPDATES])
        driver = start(aiter(run_stream.node_updates))
        await within(source.held(0), "the driver's pull")
        passive_cursors = _passive(kind, run_stream, fan_out)
        passive = [start(c) for c in passive_cursors]
        await settle()
        source.release(0)
        await within(source.held(1), "the driver's next pull")
        await settle()
        for i, task in enumerate(passive):
            done = task.done()
            check("RS-FLIGHT-3", done,
                  f"{kind} consumer {i}: expected it to have returned event 0 while the "
                  f"next pull is held, it is still waiting")
            if done:  # what it returned is a matter of delivery, not of waking
                check_equal("RS-DELIV-1", first_data(task.result()), {"step": 0},
                            f"what {kind} consumer {i} returned")
        source.release(1)
        check_equal("RS-DELIV-1", await within(driver), {"step": 1}, "the driver's item")
        await asyncio.gather(*passive)
        await abort_and_finish(run_stream, *passive_cursors)

    run(main)

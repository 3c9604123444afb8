"""CB-ISO: concurrent requests never see each other's events."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from conformance import aio
from conformance.callbacks import lanes
from conformance.adapter import CB_ASYNC, CB_SYNC
from conformance.checks import check, check_equal
from conformance.callbacks.lanes import call, configure

from conformance.callbacks.suites.test_events import end, start

REQUESTS = 4
EVENTS_PER_REQUEST = 7  # three starts, one token, three ends


class Sync:
    """How a request waits for the others and yields, on one lane."""

    def __init__(self, lane: str) -> None:
        self.lane = lane
        self.barrier: Any = None

    async def together(self) -> None:
        """Wait until every request has started (so they really overlap)."""
        if self.lane == "async":
            await aio.within(self.barrier.wait(), "the other requests")
        else:
            self.barrier.wait()  # threading.Barrier with a timeout: never hangs

    async def pause(self) -> None:
        """Let the other requests run (threads interleave on their own)."""
        if self.lane == "async":
            await asyncio.sleep(0)


Request = Callable[[int, Sync], Awaitable[Any]]


def run_requests(lane: str, request: Request) -> list[Any]:
    """Run REQUESTS copies of ``request`` concurrently: tasks on one loop, or threads."""
    sync = Sync(lane)
    if lane == "async":
        async def main():
            sync.barrier = asyncio.Barrier(REQUESTS)
            return await asyncio.gather(*(request(i, sync) for i in range(REQUESTS)))

        return list(aio.run(main))
    sync.barrier = threading.Barrier(REQUESTS, timeout=2)
    with ThreadPoolExecutor(REQUESTS) as pool:
        return list(pool.map(lambda i: lanes.run("sync", lambda: request(i, sync)),
                             range(REQUESTS)))


async def nested_runs(manager: Any, sync: Sync, component: Any = None) -> list[Any]:
    """chain( tool( llm ) ), pausing between steps; the run ids, outermost first.

    ``component(parent_manager)`` optionally runs inside the chain.
    """
    await sync.together()
    root = await start(manager, "chain")
    await sync.pause()
    if component is not None:
        await component(root.get_child())
    tool = await start(root.get_child(), "tool")
    await sync.pause()
    llm = await start(tool.get_child(), "llm")
    await call(llm.on_llm_new_token("tok"))
    await sync.pause()
    await end(llm, "llm")
    await end(tool, "tool")
    await sync.pause()
    await end(root, "chain")
    return [root.run_id, tool.run_id, llm.run_id]


def check_isolated(rule: str, log: Any, run_ids: list[list[Any]],
                   suffixes: tuple[str, ...] = ("",)) -> None:
    for i, own in enumerate(run_ids):
        for label in (f"request-{i}{suffix}" for suffix in suffixes):
            events = log.of(label)
            foreign = [e.name for e in events if e.run_id not in own]
            check_equal(rule, foreign, [], f"{label}'s handler: events of other requests")
            check_equal(rule, len(events), EVENTS_PER_REQUEST,
                        f"{label}'s handler: events of its own request")


def _isolation(cb, handler, log, lane, rule):
    handlers = [handler(f"request-{i}") for i in range(REQUESTS)]

    async def request(i, sync):
        return await nested_runs(configure(cb, lane, inheritable_callbacks=[handlers[i]]), sync)

    check_isolated(rule, log, run_requests(lane, request))


def _yield_thread(event: Any) -> None:
    time.sleep(0.001)  # gives up the GIL: the other requests' threads run meanwhile


@pytest.mark.rule("CB-ISO-1")
@pytest.mark.requires(CB_ASYNC)
def test_concurrent_async_requests_isolated(cb, handler, log):
    _isolation(cb, handler, log, "async", "CB-ISO-1")


@pytest.mark.rule("CB-ISO-2")
@pytest.mark.requires(CB_SYNC)
def test_concurrent_threaded_requests_isolated(cb, handler, log):
    _isolation(cb, handler, log, "sync", "CB-ISO-2")


@pytest.mark.rule("CB-ISO-2")
@pytest.mark.requires(CB_SYNC)
def test_threads_interleaving_within_a_dispatch_isolated(cb, handler, log):
    """Each request has two handlers that pause in every call, so a thread is switched
    out between two handler calls of one event: state the sync dispatch shares between
    threads (a reused keyword dict, a cached list) crosses requests here."""
    pairs = [[handler(f"request-{i}{suffix}", hooks={"*": _yield_thread})
              for suffix in ("", "-second")] for i in range(REQUESTS)]

    async def request(i, sync):
        return await nested_runs(configure(cb, "sync", inheritable_callbacks=pairs[i]), sync)

    check_isolated("CB-ISO-2", log, run_requests("sync", request), ("", "-second"))


@pytest.mark.rule("CB-ISO-3")
def test_shared_constructor_handler_stays_linked(cb, handler, log, lane):
    shared = handler("shared")  # the constructor handler of one component object
    handlers = [handler(f"request-{i}") for i in range(REQUESTS)]

    async def component(parent_manager):
        manager = configure(cb, lane, inheritable_callbacks=parent_manager,
                            local_callbacks=[shared])
        await end(await start(manager, "retriever"), "retriever")

    async def request(i, sync):
        manager = configure(cb, lane, inheritable_callbacks=[handlers[i]])
        return await nested_runs(manager, sync, component)

    roots = [ids[0] for ids in run_requests(lane, request)]
    starts = log.named("on_retriever_start", "shared")
    check_equal("CB-ISO-3", len(starts), REQUESTS, "component runs seen by its own handler")
    check_equal("CB-ISO-3", sorted(map(str, (e.parent_run_id for e in starts))),
                sorted(map(str, roots)), "parents of the component runs (each request's root)")
    for i, root in enumerate(roots):
        mine = [e for e in log.of(f"request-{i}") if e.name == "on_retriever_start"]
        check("CB-ISO-3", len(mine) == 1 and mine[0].parent_run_id == root,
              f"request-{i}'s handler saw component runs {[e.parent_run_id for e in mine]}, "
              f"expected one under its root {root}")

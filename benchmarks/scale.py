"""Scale: many concurrent requests, each with its own handler, on one async manager class."""

from __future__ import annotations

import asyncio
import time
import tracemalloc
from dataclasses import dataclass
from typing import Any

from conformance.adapter import CallbackFactories

TEXTS = 3  # on_text events per request, with a loop step between them
EVENTS_PER_REQUEST = 4 + TEXTS  # two chain runs (start + end each) and the texts


def recorder(factories: CallbackFactories) -> type:
    """An async handler that keeps (event, request seen in the payload, run id)."""
    async def on_chain_start(self: Any, serialized: Any, inputs: Any, **kw: Any) -> None:
        self.seen.append(("chain_start", inputs["request"], kw["run_id"]))

    async def on_chain_end(self: Any, outputs: Any, **kw: Any) -> None:
        self.seen.append(("chain_end", outputs["request"], kw["run_id"]))

    async def on_text(self: Any, text: str, **kw: Any) -> None:
        self.seen.append(("text", int(text), kw["run_id"]))

    return type("RequestRecorder", (factories.async_handler,), {
        "on_chain_start": on_chain_start, "on_chain_end": on_chain_end, "on_text": on_text})


async def request(f: CallbackFactories, cls: type, i: int) -> tuple[Any, set[Any]]:
    """One request: its own handler, a chain run with a child chain, interleaved steps."""
    handler = cls()
    handler.seen = []
    payload = {"request": i}
    run = await f.async_callback_manager.configure([handler]).on_chain_start({}, payload)
    await asyncio.sleep(0)
    child = await run.get_child().on_chain_start({}, payload)
    for _ in range(TEXTS):
        await child.on_text(str(i))
        await asyncio.sleep(0)
    await child.on_chain_end(payload)
    await run.on_chain_end(payload)
    return handler, {run.run_id, child.run_id}


def crossed(results: list[tuple[Any, set[Any]]]) -> tuple[int, int]:
    """(events that belong to another request, requests that did not see all of theirs)."""
    foreign = incomplete = 0
    for i, (handler, own_runs) in enumerate(results):
        foreign += sum(1 for _, req, run_id in handler.seen if req != i or run_id not in own_runs)
        incomplete += len(handler.seen) != EVENTS_PER_REQUEST
    return foreign, incomplete


@dataclass(frozen=True)
class ScaleResult:
    requests: int
    seconds: float
    peak: int
    foreign_events: int
    incomplete_requests: int


def run(f: CallbackFactories, requests: int) -> ScaleResult:
    """Time the burst, then repeat it under tracemalloc for its peak memory."""
    cls = recorder(f)

    async def burst() -> list[tuple[Any, set[Any]]]:
        return list(await asyncio.gather(*(request(f, cls, i) for i in range(requests))))

    async def timed() -> tuple[float, list[tuple[Any, set[Any]]]]:
        start = time.perf_counter()
        results = await burst()
        return time.perf_counter() - start, results

    seconds, results = asyncio.run(timed())
    foreign, incomplete = crossed(results)
    del results
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        asyncio.run(burst())
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return ScaleResult(requests, seconds, peak, foreign, incomplete)

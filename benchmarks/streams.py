"""Run-stream pump: one scripted source through each library's run stream."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any

from conformance.adapter import ProjectionSpec, StreamFactories

from .timing import Case, Row, Stats, interleave

EXTRA = [ProjectionSpec(name, "values") for name in ("p1", "p2", "p3")]


class ValuesSource:
    """``n`` own-namespace ``values`` events, made on demand (no list held in memory)."""

    def __init__(self, n: int) -> None:
        self._n = n
        self._i = 0

    def __aiter__(self) -> ValuesSource:
        return self

    async def __anext__(self) -> dict[str, Any]:
        if self._i >= self._n:
            raise StopAsyncIteration
        self._i += 1
        return {"method": "values", "namespace": [], "data": self._i}


async def count(cursor: AsyncIterator[Any]) -> int:
    seen = 0
    async for _ in cursor:
        seen += 1
    return seen


# -- the shapes of consumption --------------------------------------------------------------

async def one_projection(f: StreamFactories, n: int) -> list[int]:
    run = f.open_run(ValuesSource(n), [])
    return [await count(aiter(run.values))]


async def several_projections(f: StreamFactories, n: int) -> list[int]:
    """One task reads four subscribed projections round-robin."""
    run = f.open_run(ValuesSource(n), EXTRA)
    cursors = [aiter(run.values)] + [aiter(run.extensions[p.name]) for p in EXTRA]
    counts = [0] * len(cursors)
    while True:
        try:
            for i, cursor in enumerate(cursors):
                await anext(cursor)
                counts[i] += 1
        except StopAsyncIteration:
            return counts


async def tee(f: StreamFactories, n: int) -> list[int]:
    run = f.open_run(ValuesSource(n), [])
    branches = f.fan_out(run.values, 2)
    return list(await asyncio.gather(*map(count, branches)))


async def concurrent(f: StreamFactories, n: int) -> list[int]:
    """Five tasks: the main log and four projections, each drained by its own task."""
    run = f.open_run(ValuesSource(n), EXTRA)
    cursors = [aiter(run), aiter(run.values)] + [aiter(run.extensions[p.name]) for p in EXTRA]
    return list(await asyncio.gather(*map(count, cursors)))


async def bare_generator(n: int) -> list[int]:
    async def gen() -> AsyncIterator[dict[str, Any]]:
        for i in range(n):
            yield {"method": "values", "namespace": [], "data": i + 1}
    return [await count(gen())]


class _FloorRun:
    """The least a caller-driven run stream can do per event for one reader: pull the
    source when the buffer is empty, build the protocol event with its sequence number,
    buffer it, hand the data back. No single flight, no cancellation safety, no routing:
    a bound, not an implementation."""

    def __init__(self, source: ValuesSource) -> None:
        self._source, self._buffer, self._seq = source, deque[dict[str, Any]](), 0

    def __aiter__(self) -> _FloorRun:
        return self

    async def __anext__(self) -> Any:
        if not self._buffer:
            event = await self._source.__anext__()
            self._seq += 1
            self._buffer.append({"type": "event", "method": event["method"], "seq": self._seq,
                                 "params": {"namespace": list(event["namespace"]),
                                            "data": event["data"]}})
        return self._buffer.popleft()["params"]["data"]


async def floor_run(n: int) -> list[int]:
    return [await count(_FloorRun(ValuesSource(n)))]


def floor(n: int, repeats: int) -> tuple[Stats, Stats]:
    """(floor, bare generator): how far above a bare generator any run stream starts."""
    cases = {"floor": timed_shape(lambda: floor_run(n), n),
             "bare": timed_shape(lambda: bare_generator(n), n)}
    stats = interleave(cases, {"floor": n, "bare": n}, repeats)
    return stats["floor"], stats["bare"]


def timed_shape(shape: Callable[[], Any], n: int) -> Case:
    async def measured() -> float:
        start = time.perf_counter()
        counts = await shape()
        seconds = time.perf_counter() - start
        if set(counts) != {n}:
            raise RuntimeError(f"expected {n} items per consumer, got {counts}")
        return seconds
    return lambda: asyncio.run(measured())


SHAPES = {
    "one projection": one_projection,
    "4 projections, one reader (round-robin)": several_projections,
    "tee(2), two readers": tee,
    "5 concurrent readers (main log + 4 projections)": concurrent,
}


def run(reference: StreamFactories, real: StreamFactories, *, n: int,
        repeats: int) -> list[Row]:
    rows = []
    for label, shape in SHAPES.items():
        cases = {
            "reference": timed_shape(lambda s=shape: s(reference, n), n),
            "real": timed_shape(lambda s=shape: s(real, n), n),
            "base": timed_shape(lambda: bare_generator(n), n),
        }
        stats = interleave(cases, dict.fromkeys(cases, n), repeats)
        rows.append(Row(label, stats["reference"], stats["real"], stats["base"],
                        "bare async generator"))
    return rows

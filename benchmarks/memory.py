"""Peak memory of a run whose projection is read slowly, or not at all."""

from __future__ import annotations

import asyncio
import os
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from conformance.adapter import ProjectionSpec, StreamFactories

from .streams import ValuesSource, count

MAXLEN = 100
LAG = ProjectionSpec("lag", "values", maxlen=MAXLEN)
LAG_STEPS = 6  # loop steps the slow reader yields after each item
RSS_EVERY = 4096  # the slow reader samples the resident set every this many items
_PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    """The process's resident set, in bytes (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE


def buffered(channel: Any) -> int:
    """Items a channel holds (private attributes: read for the report only)."""
    state = getattr(channel, "_state", None)
    return len(state.buffer) if state is not None else len(channel._items)


@dataclass(frozen=True)
class Sample:
    events: int          # events the main log delivered
    peak: int            # tracemalloc peak, bytes above the start
    max_buffered: int    # most items the lagging projection ever held
    seconds: float
    rss_growth: int      # resident set growth over the run, sampled by the slow reader


class Watch:
    """What the lagging reader observes: the most buffered items, the peak resident set."""

    def __init__(self) -> None:
        self.most = 0
        self.rss_start = self.rss_peak = rss()

    def sample(self, channel: Any, items: int) -> None:
        self.most = max(self.most, buffered(channel) + 1)  # +1: the item just taken
        if items % RSS_EVERY == 0:
            self.rss_peak = max(self.rss_peak, rss())


async def _slow_reader(cursor: AsyncIterator[Any], channel: Any, watch: Watch) -> None:
    """Reads one item, then yields ``LAG_STEPS`` loop steps before the next."""
    items = 0
    async for _ in cursor:
        items += 1
        watch.sample(channel, items)
        for _ in range(LAG_STEPS):
            await asyncio.sleep(0)


async def slow_projection(f: StreamFactories, n: int, watch: Watch) -> int:
    """The main log drained at full speed while ``lag`` (maxlen 100) is read slowly."""
    run = f.open_run(ValuesSource(n), [LAG])
    channel = run.extensions["lag"]
    drained, _ = await asyncio.gather(count(aiter(run)),
                                      _slow_reader(aiter(channel), channel, watch))
    return drained


async def unread_projection(f: StreamFactories, n: int, watch: Watch) -> int:
    """The main log drained while ``lag`` is subscribed and never read.

    A run that holds its pump back for a full projection (backpressure) stops
    delivering: detected as no progress over 1000 loop steps, then aborted.
    """
    run = f.open_run(ValuesSource(n), [LAG])
    channel = run.extensions["lag"]
    _cursor = aiter(channel)  # subscribed, never read
    progress = [0]

    async def drain() -> None:
        async for _ in run:
            progress[0] += 1

    task = asyncio.get_running_loop().create_task(drain())
    last, still = -1, 0
    while not task.done() and still < 1000:
        await asyncio.sleep(0)
        still = still + 1 if progress[0] == last else 0
        last = progress[0]
    if not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await run.abort()
    watch.sample(channel, 1)
    watch.most -= 1  # nothing was taken
    del _cursor
    return progress[0]


Shape = Callable[[StreamFactories, int, Watch], Awaitable[int]]


def measure(shape: Shape, f: StreamFactories, n: int, *, traced: bool = True) -> Sample:
    """One run of ``shape``; its tracemalloc peak (0 when ``traced`` is False: too slow
    for 10^6 events, the resident-set growth stands in)."""
    async def main() -> Sample:
        if traced:
            tracemalloc.start()
        try:
            start_mem = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            watch = Watch()
            start = time.perf_counter()
            events = await shape(f, n, watch)
            seconds = time.perf_counter() - start
            peak = tracemalloc.get_traced_memory()[1] - start_mem if traced else 0
        finally:
            tracemalloc.stop()
        watch.rss_peak = max(watch.rss_peak, rss())
        return Sample(events, peak, watch.most, seconds, watch.rss_peak - watch.rss_start)
    return asyncio.run(main())

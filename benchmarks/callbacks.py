"""Callback dispatch: the same scenarios through each library's public manager API."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from conformance.adapter import CallbackFactories

from .timing import Case, Row, Stats, interleave, timed

DEPTH = 50


def counting_handlers(factories: CallbackFactories, n: int, *, is_async: bool) -> list[Any]:
    """``n`` handlers of the library's own base class that count every event."""
    if is_async:
        async def count(self: Any, *args: Any, **kwargs: Any) -> None:
            self.count += 1
        base = factories.async_handler
    else:
        def count(self: Any, *args: Any, **kwargs: Any) -> None:  # type: ignore[misc]
            self.count += 1
        base = factories.base_handler
    methods = {name: count for name in (
        "on_chain_start", "on_chain_end", "on_llm_start", "on_llm_new_token", "on_text")}
    cls = type("Counter", (base,), {"count": 0, **methods})
    return [cls() for _ in range(n)]


def _checked(handlers: list[Any], expected: int) -> None:
    """Every handler saw every event (a benchmark of a broken dispatch is worthless)."""
    counts = {h.count for h in handlers}
    if counts != {expected}:
        raise RuntimeError(f"expected {expected} events per handler, got {sorted(counts)}")


# -- sync manager --------------------------------------------------------------------------

def _nest(manager: Any, depth: int) -> None:
    run = manager.on_chain_start({}, {})
    if depth > 1:
        _nest(run.get_child(), depth - 1)
    run.on_chain_end({})


def sync_deep(f: CallbackFactories, trees: int) -> Case:
    def work() -> None:
        for _ in range(trees):
            _nest(f.callback_manager.configure(handlers), DEPTH)
    handlers = counting_handlers(f, 1, is_async=False)
    return _sync_case(work, handlers, trees * 2 * DEPTH)


def sync_tokens(f: CallbackFactories, events: int) -> Case:
    def work() -> None:
        run = f.callback_manager.configure(handlers).on_llm_start({}, ["prompt"])[0]
        for _ in range(events):
            run.on_llm_new_token("tok")
    handlers = counting_handlers(f, 1, is_async=False)
    return _sync_case(work, handlers, events + 1)


def sync_many_handlers(f: CallbackFactories, n_handlers: int, events: int) -> Case:
    def work() -> None:
        run = f.callback_manager.configure(handlers).on_chain_start({}, {})
        for _ in range(events):
            run.on_text("text")
    handlers = counting_handlers(f, n_handlers, is_async=False)
    return _sync_case(work, handlers, events + 1)


def _sync_case(work: Callable[[], None], handlers: list[Any], per_handler: int) -> Case:
    def case() -> float:
        for h in handlers:
            h.count = 0
        seconds = timed(work)
        _checked(handlers, per_handler)
        return seconds
    return case


# -- async manager -------------------------------------------------------------------------

async def _anest(manager: Any, depth: int) -> None:
    run = await manager.on_chain_start({}, {})
    if depth > 1:
        await _anest(run.get_child(), depth - 1)
    await run.on_chain_end({})


def async_deep(f: CallbackFactories, trees: int) -> Case:
    async def work() -> None:
        for _ in range(trees):
            await _anest(f.async_callback_manager.configure(handlers), DEPTH)
    handlers = counting_handlers(f, 1, is_async=True)
    return _async_case(work, handlers, trees * 2 * DEPTH)


def async_tokens(f: CallbackFactories, events: int, *, sync_handlers: bool = False) -> Case:
    async def work() -> None:
        manager = f.async_callback_manager.configure(handlers)
        run = (await manager.on_llm_start({}, ["prompt"]))[0]
        for _ in range(events):
            await run.on_llm_new_token("tok")
    handlers = counting_handlers(f, 1, is_async=not sync_handlers)
    return _async_case(work, handlers, events + 1)


def async_many_handlers(f: CallbackFactories, n_handlers: int, events: int) -> Case:
    async def work() -> None:
        run = await f.async_callback_manager.configure(handlers).on_chain_start({}, {})
        for _ in range(events):
            await run.on_text("text")
    handlers = counting_handlers(f, n_handlers, is_async=True)
    return _async_case(work, handlers, events + 1)


def _async_case(work: Callable[[], Any], handlers: list[Any], per_handler: int) -> Case:
    async def measured() -> float:
        start = time.perf_counter()
        await work()
        return time.perf_counter() - start

    def case() -> float:
        for h in handlers:
            h.count = 0
        seconds = asyncio.run(measured())  # the loop's start-up is outside the timing
        _checked(handlers, per_handler)
        return seconds
    return case


# -- baselines: a bare method call (or await) per handler per event ------------------------

class _Bare:
    count = 0

    def on_text(self, text: str, **kwargs: Any) -> None:
        self.count += 1


class _ABare:
    count = 0

    async def on_text(self, text: str, **kwargs: Any) -> None:
        self.count += 1


def bare_call(calls: int) -> Case:
    def work() -> None:
        run_id, h = uuid4(), _Bare()
        for _ in range(calls):
            h.on_text("text", run_id=run_id, parent_run_id=None, tags=[])
    return lambda: timed(work)


def bare_await(calls: int) -> Case:
    async def measured() -> float:
        run_id, h = uuid4(), _ABare()
        start = time.perf_counter()
        for _ in range(calls):
            await h.on_text("text", run_id=run_id, parent_run_id=None, tags=[])
        return time.perf_counter() - start
    return lambda: asyncio.run(measured())


# -- the floor: what any manager must do per handler per event ----------------------------

class _Floor:
    """The least a run manager can do: its event method's frame, then the handler call
    with the run's identity and a private copy of the tags (CB-TAG-5). No flags, no
    error handling, no dedup: a lower bound, not an implementation."""

    def __init__(self, handler: Any) -> None:
        self.handlers, self.run_id, self.parent_run_id, self.tags = [handler], uuid4(), None, []

    def on_text(self, text: str, **kwargs: Any) -> None:
        for handler in self.handlers:
            handler.on_text(text, run_id=self.run_id, parent_run_id=self.parent_run_id,
                            tags=self.tags.copy(), **kwargs)

    async def aon_text(self, text: str, **kwargs: Any) -> None:
        for handler in self.handlers:
            await handler.on_text(text, run_id=self.run_id, parent_run_id=self.parent_run_id,
                                  tags=self.tags.copy(), **kwargs)


def floor_call(calls: int) -> Case:
    def work() -> None:
        run = _Floor(_Bare())
        for _ in range(calls):
            run.on_text("text")
    return lambda: timed(work)


def floor_await(calls: int) -> Case:
    async def measured() -> float:
        run = _Floor(_ABare())
        start = time.perf_counter()
        for _ in range(calls):
            await run.aon_text("text")
        return time.perf_counter() - start
    return lambda: asyncio.run(measured())


def floors(quick: bool, repeats: int) -> dict[str, tuple[Stats, Stats]]:
    """(floor, bare) per lane: how far below a bare call no manager can go."""
    calls = 500 if quick else 20_000
    out = {}
    for lane, floor, bare in (("sync", floor_call, bare_call), ("async", floor_await, bare_await)):
        stats = interleave({"floor": floor(calls), "bare": bare(calls)},
                           {"floor": calls, "bare": calls}, repeats)
        out[lane] = (stats["floor"], stats["bare"])
    return out


# -- the table -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    """One row: a case builder, its dispatches (events x handlers), its baseline."""

    label: str
    build: Callable[[CallbackFactories], Case]
    dispatches: int
    baseline: str  # "bare call" or "bare await"


def scenarios(quick: bool) -> list[Scenario]:
    trees, tokens, fan, fan_events, slow = (1, 500, 50, 20, 20) if quick else (
        20, 10_000, 50, 1_000, 1_000)
    return [
        Scenario(f"sync: deep tree (depth {DEPTH}) x{trees}", lambda f: sync_deep(f, trees),
                 trees * 2 * DEPTH, "bare call"),
        Scenario(f"sync: {tokens} tokens on one run", lambda f: sync_tokens(f, tokens),
                 tokens + 1, "bare call"),
        Scenario(f"sync: {fan} handlers x {fan_events} on_text",
                 lambda f: sync_many_handlers(f, fan, fan_events),
                 fan * (fan_events + 1), "bare call"),
        Scenario(f"async: deep tree (depth {DEPTH}) x{trees}", lambda f: async_deep(f, trees),
                 trees * 2 * DEPTH, "bare await"),
        Scenario(f"async: {tokens} tokens on one run", lambda f: async_tokens(f, tokens),
                 tokens + 1, "bare await"),
        Scenario(f"async: {fan} handlers x {fan_events} on_text",
                 lambda f: async_many_handlers(f, fan, fan_events),
                 fan * (fan_events + 1), "bare await"),
        Scenario(f"async manager, sync handler (executor): {slow} tokens",
                 lambda f: async_tokens(f, slow, sync_handlers=True),
                 slow + 1, "bare call"),
    ]


def run(reference: CallbackFactories, real: CallbackFactories, *, quick: bool,
        repeats: int) -> list[Row]:
    """Every scenario: reference, real library and baseline interleaved in one process."""
    rows = []
    for sc in scenarios(quick):
        base_case = bare_call(sc.dispatches) if sc.baseline == "bare call" else bare_await(
            sc.dispatches)
        cases = {"reference": sc.build(reference), "real": sc.build(real), "base": base_case}
        stats = interleave(cases, dict.fromkeys(cases, sc.dispatches), repeats)
        rows.append(Row(sc.label, stats["reference"], stats["real"], stats["base"],
                        sc.baseline))
    return rows

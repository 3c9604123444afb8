"""The instrumented scripted source every stream suite feeds run streams with.

It counts pulls, detects a concurrent ``__anext__``, can hold any pull open on a gate,
raise at a chosen point, carry interrupts and namespaces, and observes ``aclose()`` and
cancellation. Events are implementation-neutral protocol events (``ScriptEvent``):
``{"method": ..., "namespace": [...], "data": ..., "interrupts"?: [...]}``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

ScriptEvent = dict[str, Any]


def values(data: Any, ns: Sequence[str] = (), interrupts: Sequence[Any] | None = None) -> ScriptEvent:
    """A ``values`` event (state snapshot) of namespace ``ns``."""
    event: ScriptEvent = {"method": "values", "namespace": list(ns), "data": data}
    if interrupts is not None:
        event["interrupts"] = list(interrupts)
    return event


def event(method: str, data: Any, ns: Sequence[str] = ()) -> ScriptEvent:
    """Any other protocol event (``updates``, a custom channel ...)."""
    return {"method": method, "namespace": list(ns), "data": data}


class Fatal(BaseException):
    """A source failure that is not an ``Exception`` (RS-ERR-5)."""


@dataclass
class Counters:
    """What the source observed; shared by the async and sync sources."""

    pulls: int = 0  # __anext__ / __next__ calls entered
    completed: int = 0  # calls that returned an item
    active: int = 0  # calls in progress now
    max_active: int = 0  # most calls ever in progress at once (1 = single flight)
    closed: int = 0  # aclose()/close() calls
    cancelled: int = 0  # pulls that observed a cancellation
    delivered_after_cancel: int = 0  # items returned after ignoring a cancellation


@dataclass
class ScriptedSource:
    """An async iterator over ``events`` that records how it is driven.

    ``error_at=k`` raises ``error`` (default ``RuntimeError('scripted failure')``) at pull
    ``k`` (0-based event index) instead of yielding. ``hold(k)`` makes the pull of event
    ``k`` wait on a gate until ``release(k)``; a cancelled pull leaves its event for the
    next pull (the source is resumable, unlike an async generator: see ``as_generator``). ``stubborn=True`` makes a held pull swallow its cancellation and still
    return its item. ``unwind_turns=n`` makes a cancelled held pull take ``n`` more loop
    turns to unwind (cleanup that awaits, as a graph step closing its resources does)
    before it raises; ``unwound`` counts the cancelled pulls that have finished unwinding.
    ``abort_from_pull(run, k)`` makes the held pull of event ``k`` call ``run.abort()``
    first (a node, or a handler running inside it, stopping the run it belongs to).
    """

    events: list[ScriptEvent]
    error_at: int | None = None
    error: BaseException | None = None
    stubborn: bool = False
    unwind_turns: int = 0
    unwound: int = 0
    aborts: Any = None  # the run whose abort() the pull of ``abort_at`` calls
    abort_at: int | None = None
    count: Counters = field(default_factory=Counters)
    position: int = 0  # index of the next event to deliver
    _gates: dict[int, asyncio.Event] = field(default_factory=dict)
    _waiting: dict[int, asyncio.Event] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.error_at is not None and self.error is None:
            self.error = RuntimeError("scripted failure")

    # -- gates -------------------------------------------------------------------------
    def hold(self, index: int) -> None:
        """Pull ``index`` will wait until ``release(index)``."""
        self._gates.setdefault(index, asyncio.Event())
        self._waiting.setdefault(index, asyncio.Event())

    def release(self, index: int) -> None:
        self._gates[index].set()

    def abort_from_pull(self, run: Any, index: int) -> None:
        """The held pull of event ``index`` calls ``run.abort()`` before waiting."""
        self.hold(index)
        self.aborts, self.abort_at = run, index

    async def held(self, index: int) -> None:
        """Wait until pull ``index`` has started and is waiting on its gate."""
        await self._waiting[index].wait()

    # -- the iterator protocol -----------------------------------------------------------
    def __aiter__(self) -> ScriptedSource:
        return self

    async def __anext__(self) -> ScriptEvent:
        index = self.position  # a cancelled pull does not consume its event
        self.count.pulls += 1
        self.count.active += 1
        self.count.max_active = max(self.count.max_active, self.count.active)
        try:
            if index in self._gates:
                await self._wait_gate(index)
            if index == self.error_at:
                assert self.error is not None
                raise self.error
            if index >= len(self.events):
                raise StopAsyncIteration
            self.position += 1
            self.count.completed += 1
            return self.events[index]
        finally:
            self.count.active -= 1

    async def _wait_gate(self, index: int) -> None:
        self._waiting[index].set()
        try:
            if index == self.abort_at:
                await self.aborts.abort()
            await self._gates[index].wait()
        except asyncio.CancelledError:
            self.count.cancelled += 1
            for _ in range(self.unwind_turns):  # cleanup that takes several loop turns
                await asyncio.sleep(0)
            self.unwound += 1
            if not self.stubborn:
                raise
            self.count.delivered_after_cancel += 1  # swallow it and deliver anyway

    async def aclose(self) -> None:
        self.count.closed += 1


async def as_generator(source: ScriptedSource) -> AsyncIterator[ScriptEvent]:
    """The same script as a real async generator (as graph runners produce).

    Cancelling a pull throws into the generator and ends it, unlike ScriptedSource;
    ``aclose()`` is counted on the wrapped source.
    """
    try:
        async for item in source:
            yield item
    finally:
        await source.aclose()


@dataclass
class SyncScriptedSource:
    """The sync lane's scripted source: counts pulls and ``close()`` calls."""

    events: list[ScriptEvent]
    error_at: int | None = None
    error: BaseException | None = None
    count: Counters = field(default_factory=Counters)

    def __iter__(self) -> Iterator[ScriptEvent]:
        return self

    def __next__(self) -> ScriptEvent:
        index = self.count.pulls
        self.count.pulls += 1
        if index == self.error_at:
            raise self.error or RuntimeError("scripted failure")
        if index >= len(self.events):
            raise StopIteration
        self.count.completed += 1
        return self.events[index]

    def close(self) -> None:
        self.count.closed += 1

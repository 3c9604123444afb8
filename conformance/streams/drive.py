"""Driving a run stream from the kit: open it, read it, step the loop.

Every await on the implementation goes through ``conformance.aio.within`` so a hang
becomes a timeout of the rule under test; the ``*_unbounded`` readers leave the limit to
whoever joins them (``aio.within``, or ``aio.finishes`` where the rule says they end).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Hashable, Mapping, Sequence
from typing import Any

from conformance.adapter import Adapter, ProjectionSpec, StreamFactories
from conformance.aio import settle, within
from conformance.checks import require_method, violate

__all__ = ["MainLog", "SCRIPTED_METHODS", "close_cursor", "main_log_of", "declared", "fan_out", "anext_or_end", "anext_unbounded", "drain", "drain_unbounded", "factories",
           "open_run", "round_robin", "settle", "take", "END"]

END = object()  # what anext_or_end returns when the cursor has ended

#: The methods of the events the kit scripts.
SCRIPTED_METHODS = ("values", "updates", "custom")


class MainLog:
    """A cursor of the main log as the suites read it: entries of methods the kit never
    scripts are passed over.

    RS-DELIV-2 asks for one entry per source event the log keeps; an implementation may
    add entries of its own channels (LangGraph's named channels, LangGraph.js' lifecycle
    events) between them. They are no item of the script, so a test reading the main log
    item by item must not take them for one. Everything else is the cursor's own.
    """

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def __aiter__(self) -> MainLog:
        return self

    async def __anext__(self) -> Any:
        while True:
            entry = await self.cursor.__anext__()
            if not isinstance(entry, Mapping) or entry.get("method") in SCRIPTED_METHODS:
                return entry

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cursor, name)  # aclose() when the cursor has one


def main_log_of(run: Any) -> MainLog:
    """A new cursor of ``run``'s main log (``aiter(run)``), read as :class:`MainLog` says."""
    return MainLog(aiter(run))


def factories(adapter: Adapter) -> StreamFactories:
    if adapter.streams is None:
        raise LookupError(f"{adapter.name} declares no run streams")
    return adapter.streams


def open_run(adapter: Adapter, source: Any, projections: Sequence[ProjectionSpec] = ()) -> Any:
    """An async run stream of the implementation over the kit's ``source``."""
    return factories(adapter).open_run(source, list(projections))


def declared(run: Any, name: str) -> Any:
    """The projection declared as ``name``, as the suites read it: ``run.extensions[name]``.

    RS-EXT-2 says a native projection is both ``run.<name>`` and ``run.extensions[name]``.
    An implementation that keeps one under a single spelling fails RS-EXT-1 / RS-EXT-2 on
    their own tests; here the other spelling stands in, so that a rule that merely reads
    the projection is judged on what it is about, not on where the projection lives.
    """
    try:
        return run.extensions[name]
    except KeyError:
        found = getattr(run, name, None)
        if found is None:
            violate("RS-EXT-2", f"the declared projection {name!r} is neither "
                                f"run.extensions[{name!r}] nor run.{name}")
        return found


def fan_out(adapter: Adapter, projection: Any, n: int) -> Any:
    """``n`` tee branches of ``projection``, through the adapter's spelling.

    A projection with no tee at all fails RS-PROJ-5 (tee is spelled tee) here, so a test
    of another rule that fans out stops on that finding instead of an ``AttributeError``
    blamed on its own rule.
    """
    streams = factories(adapter)
    if streams.tee is None and not callable(getattr(projection, "tee", None)):
        violate("RS-PROJ-5", f"{type(projection).__name__} has no tee(n): no fan-out to "
                             f"build {n} branches with")
    return streams.fan_out(projection, n)


async def close_cursor(cursor: Any, rule: str | None = None) -> None:
    """Close ``cursor`` with ``aclose()``.

    With ``rule``, closing is what the test is about: a cursor without ``aclose()`` fails
    that rule. Without it (a scenario tidying up after its checks), such a cursor is left
    to the garbage collector, as ``async for`` leaves a plain async iterator.
    """
    if rule is not None:
        aclose = require_method(rule, cursor, "aclose")
    else:
        aclose = getattr(cursor, "aclose", None)
    if aclose is not None:
        await within(aclose(), "a cursor's aclose()")


async def anext_or_end(cursor: AsyncIterator[Any]) -> Any:
    """The cursor's next item, or END when it has ended cleanly.

    ``cursor`` must be an iterator (``aiter(projection)``): subscribing is the test's
    explicit act, never a side effect of a helper.
    """
    try:
        return await within(cursor.__anext__(), "a cursor's __anext__")
    except StopAsyncIteration:
        return END


async def anext_unbounded(cursor: AsyncIterator[Any]) -> Any:
    """Like :func:`anext_or_end` without a time limit of its own: for a task the test
    bounds where it joins it (``aio.finishes`` or ``aio.within``), so that the join's
    limit, counted from the act under test, is the one that decides."""
    try:
        return await cursor.__anext__()
    except StopAsyncIteration:
        return END


async def drain_unbounded(cursor: AsyncIterator[Any]) -> list[Any]:
    """:func:`drain` without a time limit of its own (see :func:`anext_unbounded`)."""
    items = []
    while (item := await anext_unbounded(cursor)) is not END:
        items.append(item)
    return items


async def take(cursor: AsyncIterator[Any], n: int) -> list[Any]:
    """Exactly ``n`` items (fewer if the cursor ends first)."""
    items = []
    for _ in range(n):
        item = await anext_or_end(cursor)
        if item is END:
            break
        items.append(item)
    return items


async def drain(cursor: AsyncIterator[Any]) -> list[Any]:
    """Every remaining item until the cursor ends (an error propagates)."""
    items = []
    while (item := await anext_or_end(cursor)) is not END:
        items.append(item)
    return items


async def round_robin(cursors: Mapping[Hashable, AsyncIterator[Any]]) -> dict[Hashable, list[Any]]:
    """Take one item from each cursor in turn until every one has ended."""
    got: dict[Hashable, list[Any]] = {key: [] for key in cursors}
    live = list(cursors)
    while live:
        for key in list(live):
            item = await anext_or_end(cursors[key])
            if item is END:
                live.remove(key)
            else:
                got[key].append(item)
    return got

"""Deviation probes of the run-stream contract: what a stream program cannot express.

A stream program (:mod:`conformance.streams.programs`) fans out through the adapter's hook,
cannot cancel a consumer's task, reads no attribute of the run and runs on the async lane
only. These probes cover the rest: the literal ``projection.tee(n)`` spelling, cancelling
the consumer whose pull is in flight, an unknown projection attribute, and the sync lane. Like the callback probes (:mod:`conformance.callbacks.probes`) they reach
the implementation only through the adapter's public stream factories and return small,
deterministic observations (items, counters, outcome names), never object reprs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

from conformance import aio
from conformance.adapter import Adapter, ProjectionSpec
from conformance.errors import ProgramError, render_error
from conformance.probing import probe
from conformance.streams import drive
from conformance.streams.drive import END, declared, anext_or_end
from conformance.streams.source import ScriptedSource, SyncScriptedSource, as_generator, values


def numbered(n: int) -> list[dict[str, Any]]:
    """Root values ``{"n": 1}`` .. ``{"n": n}``."""
    return [values({"n": i}) for i in range(1, n + 1)]


def on_lane(lane: str, wanted: str, name: str) -> None:
    if lane != wanted:
        raise ProgramError(f"{name} runs on the {wanted} lane only")


def data(item: Any) -> Any:
    """The data of a projection item or of a main-log entry."""
    return item["params"]["data"] if isinstance(item, dict) and "params" in item else item


async def read_all(cursor: Any, unbounded: bool = False) -> dict[str, Any]:
    """Every item ``cursor`` still yields, then ``end`` or the error that stopped it
    (``unbounded``: no time limit of its own, for a task joined by :func:`finished_or_not`)."""
    items: list[Any] = []
    next_of = drive.anext_unbounded if unbounded else anext_or_end
    try:
        while (item := await next_of(cursor)) is not END:
            items.append(data(item))
    except Exception as exc:  # noqa: BLE001 - the error is the observation
        return {"items": items, "then": f"raised {render_error(exc)}"}
    return {"items": items, "then": "end"}


def read_all_sync(cursor: Iterator[Any], source_error: BaseException | None) -> dict[str, Any]:
    """The sync twin of :func:`read_all`; the source's own error is named as such."""
    items: list[Any] = []
    try:
        for item in cursor:
            items.append(data(item))
    except Exception as exc:  # noqa: BLE001 - the error is the observation
        mine = " (the source's error)" if exc is source_error else ""
        return {"items": items, "then": f"raised {type(exc).__name__}{mine}"}
    return {"items": items, "then": "end"}


def open_sync_run(adapter: Adapter, source: Any, projections: list[ProjectionSpec]) -> Any:
    factory = drive.factories(adapter).open_sync_run
    if factory is None:
        raise ProgramError(f"{adapter.name} gives no sync run streams")
    return factory(source, projections)


#: A probe's observation of a wait that did not end in the time limit.
DID_NOT_FINISH = "did not finish"


async def finished_or_not(awaitable: Any) -> Any:
    """What ``awaitable`` returned, or :data:`DID_NOT_FINISH` (then cancelled): a probe
    observes a hang instead of stopping on it."""
    done, value = await aio.finished(awaitable)
    return value if done else DID_NOT_FINISH


def outcome(function: Callable[[], Any]) -> tuple[str, Any]:
    """``("returned", value)`` or ``("raised Type: message", None)``."""
    try:
        return "returned", function()
    except Exception as exc:  # noqa: BLE001 - the exception is the observation
        return f"raised {render_error(exc)}", None


# -- async lane ----------------------------------------------------------------------------

@probe
def tee_spelled_tee(adapter: Adapter, lane: str, n: int = 2) -> Any:
    """``run.values.tee(n)`` called literally (not through the adapter's fan-out hook) on
    an async run of two root values: what the call gives, then what each branch reads."""
    on_lane(lane, "async", "tee_spelled_tee")

    async def main() -> Any:
        run = drive.open_run(adapter, ScriptedSource(numbered(2)))
        called, branches = outcome(lambda: list(run.values.tee(n)))
        if branches is None:
            await aio.within(run.abort(), "abort()")
            return {f"values.tee({n})": called}
        asynchronous = all(hasattr(b, "__anext__") for b in branches)
        return {f"values.tee({n})": f"{called} {len(branches)} "
                                    f"{'async' if asynchronous else 'sync'} iterators",
                "branches": [await read_all(b) for b in branches]}

    return aio.run(main)


@probe
def cancel_pumping_consumer(adapter: Adapter, lane: str, generator: bool = True) -> Any:
    """Two readers (the main log and values) each took the first of four root values.
    The main log's reader starts the pull of the second (held on a gate) and the values
    reader waits for it; the main log's task is cancelled, then the gate opens. What the
    values reader gets afterwards, ``output()`` and the source's pulls. ``generator``
    wraps the source in an async generator, as a graph run is."""
    on_lane(lane, "async", "cancel_pumping_consumer")

    async def main() -> Any:
        source = ScriptedSource(numbered(4))
        source.hold(1)
        run = drive.open_run(adapter, as_generator(source) if generator else source)
        main_log, values_cursor = aiter(run), aiter(run.values)
        await drive.take(main_log, 1)
        await drive.take(values_cursor, 1)
        pumper = asyncio.create_task(anext_or_end(main_log))
        await aio.within(source.held(1), "the main log's pull of the second event")
        waiter = asyncio.create_task(read_all(values_cursor, unbounded=True))
        await aio.settle()
        pumper.cancel()
        cancelled = await finished_or_not(aio.gather_outcomes(pumper))
        source.release(1)
        after = await finished_or_not(waiter)
        result = await finished_or_not(run.output())
        if cancelled == DID_NOT_FINISH:  # an observation only when it is one
            after = {"main log reader after its cancellation": cancelled, "then": after}
        await aio.within(main_log.aclose(), "closing the cancelled main-log cursor")
        return {"values reader after the cancellation": after, "output()": result,
                "pulls": source.count.pulls, "cancelled pulls": source.count.cancelled}

    return aio.run(main)


@probe
def abort_from_the_pull(adapter: Adapter, lane: str) -> Any:
    """The main log took the first of three root values; the pull of the second calls
    ``abort()`` on its own run, then waits. What that pull saw (abort() should cancel it)
    and whether the main log's reader, waiting on it, ended."""
    on_lane(lane, "async", "abort_from_the_pull")

    async def main() -> Any:
        source = ScriptedSource(numbered(3))
        run = drive.open_run(adapter, source)
        source.abort_from_pull(run, 1)
        main_log = aiter(run)
        await drive.take(main_log, 1)
        reader = asyncio.create_task(anext_or_end(main_log))
        await asyncio.wait({reader}, timeout=aio.AWAIT_TIMEOUT)
        cancelled = source.count.cancelled  # before the cleanup below cancels anything
        ended = reader.done()
        await aio.cancel_and_wait([reader])
        return {"cancellations the aborting pull saw": cancelled,
                "the reader waiting on that pull": "ended" if ended else DID_NOT_FINISH}

    return aio.run(main)


@probe
def declare_maxlen(adapter: Adapter, lane: str, maxlen: Any = 1.5) -> Any:
    """A run whose projection ``bounded`` of the root values is declared with ``maxlen``:
    whether declaring it raises, and the pulls it cost."""
    on_lane(lane, "async", "declare_maxlen")

    async def main() -> Any:
        source = ScriptedSource(numbered(2))
        declared, run = outcome(lambda: drive.open_run(
            adapter, source, [ProjectionSpec("bounded", "values", maxlen=maxlen)]))
        if run is not None:
            await aio.within(run.abort(), "abort()")
        said = "accepted" if run is not None else declared.split(":")[0]  # not the wording
        return {f"declaring maxlen={maxlen!r}": said, "pulls": source.count.pulls}

    return aio.run(main)


@probe
def unknown_projection(adapter: Adapter, lane: str) -> Any:
    """``run.no_such_projection`` on an async run with a native declared projection
    ``extra``: the exception's type and which projection names its message gives (not
    its wording)."""
    on_lane(lane, "async", "unknown_projection")

    async def main() -> Any:
        run = drive.open_run(adapter, ScriptedSource(numbered(1)),
                             [ProjectionSpec("extra", "updates")])
        try:
            run.no_such_projection  # noqa: B018 - the attribute access is the probe
        except Exception as exc:  # noqa: BLE001 - the exception is the observation
            said = {"raised": type(exc).__name__,
                    "names": [n for n in ("values", "extra") if n in str(exc)]}
        else:
            said = {"raised": None}
        await aio.within(run.abort(), "abort()")
        return said

    return aio.run(main)


@probe
def extensions_view(adapter: Adapter, lane: str) -> Any:
    """``run.extensions`` of an async run with a native projection ``extra`` and a
    non-native one ``hidden``: which names it holds, whether ``run.extra`` is the item,
    and what assigning an item does."""
    on_lane(lane, "async", "extensions_view")

    async def main() -> Any:
        run = drive.open_run(adapter, ScriptedSource(numbered(1)),
                             [ProjectionSpec("extra", "updates"),
                              ProjectionSpec("hidden", "updates", native=False)])
        extensions = run.extensions
        names = sorted(extensions)
        said: dict[str, Any] = {"names": names}
        if "extra" in names:
            said["run.extra is extensions['extra']"] = getattr(run, "extra", None) is \
                extensions["extra"]

        def assign() -> None:
            extensions["intruder"] = None

        said["assigning an item"] = outcome(assign)[0]
        await aio.within(run.abort(), "abort()")
        return said

    return aio.run(main)


# -- sync lane -----------------------------------------------------------------------------

@probe
def sync_tee_failing_source(adapter: Adapter, lane: str, n: int = 2) -> Any:
    """``run.values.tee(n)`` on the sync lane over a source that yields two root values
    then raises; the branches are drained one after the other."""
    on_lane(lane, "sync", "sync_tee_failing_source")
    error = ValueError("sync boom")
    source = SyncScriptedSource(numbered(2), error_at=2, error=error)
    branches = list(open_sync_run(adapter, source, []).values.tee(n))
    return [read_all_sync(iter(branch), error) for branch in branches]


@probe
def sync_full_log(adapter: Adapter, lane: str, maxlen: int = 1) -> Any:
    """On the sync lane a declared projection ``slowpoke`` (``maxlen``) of the root values
    is subscribed and never read while ``values`` is read: what each ``next(values)``
    gives until the source's four events are exhausted or a read raises, then what
    ``slowpoke`` holds."""
    on_lane(lane, "sync", "sync_full_log")
    source = SyncScriptedSource(numbered(4))
    run = open_sync_run(adapter, source, [ProjectionSpec("slowpoke", "values", maxlen=maxlen)])
    slowpoke, values_cursor = iter(declared(run, "slowpoke")), iter(run.values)
    reads = []
    for _ in range(4):
        got, item = outcome(lambda: next(values_cursor))
        reads.append(got if item is None else item)
        if item is None:
            break
    return {"next(values)": reads, "pulls": source.count.pulls,
            "slowpoke": read_all_sync(slowpoke, None)}


@probe
def sync_abort(adapter: Adapter, lane: str) -> Any:
    """On the sync lane ``values`` takes the first of three root values, then ``abort()``
    is called twice: the source's ``close()`` calls and pulls, then what ``values``
    gives."""
    on_lane(lane, "sync", "sync_abort")
    source = SyncScriptedSource(numbered(3))
    run = open_sync_run(adapter, source, [])
    cursor = iter(run.values)
    first = next(cursor)
    run.abort()
    run.abort()
    return {"first": first, "close() calls": source.count.closed, "pulls": source.count.pulls,
            "values after abort()": read_all_sync(cursor, None)}

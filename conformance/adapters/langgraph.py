"""Built-in adapter: LangGraph's run streams (``langgraph.stream``).

What is certified is the library's own machinery, unchanged: ``AsyncGraphRunStream`` (and
``GraphRunStream`` on the sync lane) over a real ``StreamMux`` whose transformers are the
library's ``ValuesTransformer`` and ``SubgraphTransformer`` plus one ``StreamTransformer``
subclass per projection the kit declares. ``Pregel.astream_events(version="v3")`` builds the
same objects the same way (``StreamMux(factories=[...], is_async=True)`` then
``AsyncGraphRunStream(graph_aiter, mux)``); only the graph is replaced by the kit's scripted
source.

Private imports, on purpose: ``StreamMux`` is importable only from ``langgraph.stream._mux``
and ``ValuesTransformer`` only from ``langgraph.stream.transformers`` (neither is exported by
``langgraph.stream``). The nested lane also reads ``SubgraphTransformer._handles`` and
``AsyncGraphRunStream._mux`` to find the handle the transformer built.

The source wrapper (``_PartSource``) is faithful to the kit's instrumented source:

* each ``__anext__`` awaits exactly one ``source.__anext__()`` and returns its event converted
  to the v2 ``StreamPart`` the library consumes (``{"type", "ns", "data", "interrupts"?}``),
  so one wrapper pull is one source pull and nothing is read ahead or buffered;
* the wrapper's ``__anext__`` is a coroutine that awaits the source's coroutine directly (no
  task, no generator frame of its own): a cancellation of the library's pull task is thrown
  straight into the source's pull, a source that swallows it still delivers its item, a
  resumable source stays resumable and a generator source ends exactly as it would alone;
* errors (``StopAsyncIteration``, ``Exception``, ``BaseException``) propagate as the same
  objects; ``aclose()`` is forwarded once per call and only to a source that has one.

The sync lane uses the same wrapper with ``__next__``/``close()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from conformance.adapter import (
    RS_ASYNC, RS_GRAPH_E2E, RS_NESTED, RS_SYNC, Adapter, Deviation, ProjectionSpec,
    ScriptEvent, StreamFactories, require_version,
)

#: The releases this adapter and its manifest were established for (reports/sweep.toml);
#: the run-stream API (AsyncGraphRunStream) exists since 1.2.0.
SUPPORTED = ">=1.2.0,<1.3"
VERSION = require_version("langgraph", SUPPORTED)

# ruff: noqa: E402 - the library is imported after the version check
from langchain_core._api.beta_decorator import suppress_langchain_beta_warning
from langgraph.stream import AsyncGraphRunStream, GraphRunStream, StreamChannel
from langgraph.stream import StreamTransformer, SubgraphTransformer
from langgraph.stream._mux import StreamMux
from langgraph.stream.transformers import ValuesTransformer

# -- converting the kit's events ------------------------------------------------------------


def to_stream_part(event: ScriptEvent) -> dict[str, Any]:
    """A kit ScriptEvent as the v2 StreamPart ``AsyncGraphRunStream`` pulls from a graph."""
    part: dict[str, Any] = {
        "type": event["method"],
        "ns": tuple(event["namespace"]),
        "data": event["data"],
    }
    if "interrupts" in event:
        part["interrupts"] = tuple(event["interrupts"])
    return part


class _PartSource:
    """The kit's source seen as a graph's v2 stream: one pull per pull, nothing else."""

    def __init__(self, source: Any) -> None:
        self._source = source

    # async lane
    def __aiter__(self) -> _PartSource:
        return self

    async def __anext__(self) -> dict[str, Any]:
        return to_stream_part(await self._source.__anext__())

    async def aclose(self) -> None:
        aclose = getattr(self._source, "aclose", None)
        if aclose is not None:
            await aclose()

    # sync lane
    def __iter__(self) -> _PartSource:
        return self

    def __next__(self) -> dict[str, Any]:
        return to_stream_part(next(self._source))

    def close(self) -> None:
        close = getattr(self._source, "close", None)
        if close is not None:
            close()


# -- declared projections through the library's extension point ----------------------------


def _transformer_for(spec: ProjectionSpec) -> type[StreamTransformer]:
    """A ``StreamTransformer`` class that owns the projection ``spec`` declares."""
    namespace = None if spec.namespace is None else list(spec.namespace)

    class DeclaredProjection(StreamTransformer):
        _native = spec.native
        required_stream_modes = (spec.method,)

        def __init__(self, scope: tuple[str, ...] = ()) -> None:
            super().__init__(scope)
            # unnamed: a local projection, not forwarded into the main log
            self._log: StreamChannel[Any] = StreamChannel(maxlen=spec.maxlen)

        def init(self) -> dict[str, Any]:
            return {spec.name: self._log}

        def process(self, event: Any) -> bool:
            params = event["params"]
            if event["method"] == spec.method and (
                    namespace is None or params["namespace"] == namespace):
                self._log.push(params["data"])
            return True

    DeclaredProjection.__name__ = DeclaredProjection.__qualname__ = f"Declared[{spec.name}]"
    return DeclaredProjection


def _factories(projections: Sequence[ProjectionSpec]) -> list[Any]:
    return [ValuesTransformer, SubgraphTransformer, *map(_transformer_for, projections)]


# -- the stream factories ------------------------------------------------------------------


def open_run(source: Any, projections: Sequence[ProjectionSpec]) -> AsyncGraphRunStream:
    with suppress_langchain_beta_warning():  # filters LangChainBetaWarning only
        mux = StreamMux(factories=_factories(projections), is_async=True)
        return AsyncGraphRunStream(_PartSource(source), mux)


def open_sync_run(source: Any, projections: Sequence[ProjectionSpec]) -> GraphRunStream:
    with suppress_langchain_beta_warning():
        mux = StreamMux(factories=_factories(projections), is_async=False)
        return GraphRunStream(_PartSource(source), mux)


def _task_start(ns: tuple[str, ...]) -> dict[str, Any]:
    """The ``tasks`` protocol event Pregel emits when a subgraph task starts at ``ns``."""
    name, _, task_id = ns[-1].partition(":")
    return {"type": "event", "method": "tasks",
            "params": {"namespace": list(ns), "timestamp": 0,
                       "data": {"id": task_id or name, "name": name, "input": None,
                                "triggers": ()}}}


def _child(run: Any, ns: tuple[str, ...]) -> Any:
    """The handle the run's own ``SubgraphTransformer`` builds for the direct child ``ns``."""
    finder = run._mux.transformer_by_key("subgraphs")
    if ns not in finder._handles:
        with suppress_langchain_beta_warning():
            finder.process(_task_start(ns))  # _make_child + AsyncSubgraphRunStream
    return finder._handles[ns]


def nested(run: AsyncGraphRunStream, path: tuple[str, ...]) -> Any:
    """The library's nested run stream of ``path``, driven by ``run``'s pump.

    Handles are discovered level by level, as a real graph's ``tasks`` events make them
    appear: each level's SubgraphTransformer forwards the events of its namespace into the
    child mini-mux it built with ``StreamMux._make_child``.
    """
    path = tuple(path)
    handle = run
    for depth in range(len(run._mux.scope) + 1, len(path) + 1):
        handle = _child(handle, path[:depth])
    return handle


# Known deviations, for the releases each holds for (established by the release sweep over
# every release 1.2.0-1.2.24; paths relative to site-packages/langgraph/stream/, line
# numbers of 1.2.22 unless a release is named). langgraph/stream is byte-identical in
# 1.2.12-1.2.24. Each entry is confirmed by the suites and reproduced with the bare
# library classes (conformance/transcripts/deviations/langgraph/).
EVERY = ">=1.2.0"  # every supported release so far
BEFORE_ABORT_CANCELS = "<1.2.6"  # 1.2.6: abort() cancels the pull task and closes the source
NO_ABORT = ("abort() neither cancels the pull in flight nor closes the source: it only marks "
            "the run exhausted and closes the mux (run_stream.py:428-443 in 1.2.0-1.2.5; sync "
            "abort :132-145)")
DEVIATIONS = {
    "RS-PROJ-5": Deviation("async projections spell fan-out atee(n); tee(n) raises TypeError("
                           "'This StreamChannel is bound to async mode') (stream_channel.py "
                           "tee/atee)", EVERY),
    "RS-BP-1": Deviation("StreamChannel maxlen is validated, then never read ('accepted for "
                         "forward compatibility; currently unused'): a subscribed log grows "
                         "past it", EVERY),
    "RS-BP-2": Deviation("no backpressure: StreamChannel has no apush and ignores maxlen, "
                         "StreamMux.apush appends with a non-blocking push, so a full log never "
                         "pauses the source", EVERY),
    "RS-BP-6": Deviation("atee branches buffer in unbounded deques and a fast branch never "
                         "waits for the slowest (stream_channel.py atee)", EVERY),
    "RS-BP-4": Deviation("StreamChannel accepts a maxlen that is not an int (maxlen=1.5): the "
                         "check is only 'maxlen <= 0' although its docstring promises "
                         "ValueError for anything but a positive int (stream_channel.py:67)",
                         EVERY),
    "RS-ABORT-5": [
        Deviation("no push ever blocks (StreamMux.apush appends with a non-blocking push), so "
                  "the documented 'apush blocked on backpressure wakes on abort' cannot "
                  "happen", ">=1.2.6"),
        Deviation("no push ever blocks (StreamMux.apush appends with a non-blocking push), so "
                  "the documented 'apush blocked on backpressure wakes on abort' cannot "
                  "happen; abort() does not close the source either", BEFORE_ABORT_CANCELS),
    ],
    "RS-ABORT-7": [
        Deviation("a pull that swallows abort()'s cancellation and returns an item is still "
                  "observed and routed to cursors and results (run_stream.py _apump_next)",
                  ">=1.2.6"),
        Deviation("abort() does not cancel the pull in flight: the item it returns after "
                  "abort() is still observed and routed to cursors and output() "
                  "(run_stream.py:410-412 in 1.2.0-1.2.5)", BEFORE_ABORT_CANCELS),
    ],
    "RS-ERR-3": Deviation("cancelling the pumping consumer cancels the pull in flight (its "
                          "pull task from 1.2.6, the inline pull before): an async generator "
                          "source then ends, and the run completes early for every other "
                          "consumer", EVERY),
    "RS-ERR-4": Deviation("a cursor closed by aclose, break or cancellation (or every atee "
                          "branch closed) keeps its channel subscribed: it goes on buffering "
                          "and cannot be re-subscribed (stream_channel.py:218)", EVERY),
    "RS-ERR-5": Deviation("_apump_next catches only Exception: a BaseException from the source "
                          "leaves the run open and a later cursor or result pulls the source "
                          "again", EVERY),
    "RS-RES-7": Deviation("interrupts() accumulates with list.extend (a repeated interrupt is "
                          "listed again) and returns its internal list (run_stream.py "
                          "_observe_event, interrupts)", EVERY),
    "RS-SYNC-2": Deviation("sync StreamChannel.tee records no error: only the branch whose pull "
                           "raised sees it, the other branches end cleanly (stream_channel.py "
                           "tee)", EVERY),
    "RS-SYNC-5": Deviation("StreamChannel maxlen is 'accepted for forward compatibility; "
                           "currently unused': a full sync log grows instead of raising "
                           "BufferError", EVERY),
    # -- releases before 1.2.6: abort() is only a flag
    "RS-ABORT-2": Deviation(f"{NO_ABORT}: a reader waiting on the held pull does not end",
                            BEFORE_ABORT_CANCELS),
    "RS-ABORT-3": [
        Deviation("abort() called from inside the pull in flight (a node stopping its own "
                  "run) cancels that pull's task, which is the caller, then awaits it and "
                  "swallows the CancelledError (run_stream.py abort: `except "
                  "(asyncio.CancelledError, Exception): pass`): the pull never sees the "
                  "cancellation and its reader waits on it for good", ">=1.2.6"),
        Deviation(f"{NO_ABORT}: the held pull is never cancelled (it is awaited "
                  "inline, run_stream.py:410)", BEFORE_ABORT_CANCELS),
    ],
    "RS-ABORT-4": Deviation(f"{NO_ABORT}: abort() twice closes the source zero times, not once",
                            BEFORE_ABORT_CANCELS),
    "RS-ABORT-8": Deviation(f"{NO_ABORT}: leaving `async with` early leaves the source open "
                            "(__aexit__ only calls abort(), :448-454)", BEFORE_ABORT_CANCELS),
    "RS-ABORT-9": Deviation(f"{NO_ABORT}: abort() from a cancelled task leaves the main log's "
                            "reader waiting on the held pull", BEFORE_ABORT_CANCELS),
    "RS-RES-6": Deviation(f"{NO_ABORT}: a result method that is pulling when abort() comes "
                          "goes on waiting on the held pull (awaited inline, run_stream.py:410) "
                          "instead of returning what was observed", BEFORE_ABORT_CANCELS),
    "RS-SYNC-4": Deviation("sync abort() only closes the mux: the source's close() is never "
                           "called (run_stream.py:132-145 in 1.2.0-1.2.5)", BEFORE_ABORT_CANCELS),
    "RS-EXT-3": Deviation("the run stream has no __getattr__ before 1.2.12: an unknown "
                          "projection raises Python's default AttributeError, which names no "
                          "registered projection", "<1.2.12"),
}

runcert_adapter = Adapter(
    name="langgraph",
    version=VERSION,
    supported=SUPPORTED,
    description="langgraph.stream run streams over a real StreamMux",
    capabilities=frozenset({RS_ASYNC, RS_SYNC, RS_NESTED, RS_GRAPH_E2E}),
    deviations=DEVIATIONS,
    streams=StreamFactories(
        open_run=open_run,
        tee=lambda projection, n: projection.atee(n),  # the async lane's spelling
        open_sync_run=open_sync_run,
        nested=nested,
    ),
)

"""Build broken run-stream adapters from pieces of the reference.

A variant subclasses one reference class (the run stream, the mux, a channel or its
state) and overrides one method; these helpers plug the subclass into an adapter that
is otherwise the built-in ``reference`` adapter (same callbacks, same sync and nested
factories). Subclasses never touch the reference classes themselves, so every variant
and the reference can live in one process.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from conformance.adapter import Adapter, ProjectionSpec
from conformance.adapters import reference as ref_adapter
from reference.streams import (
    AsyncGraphRunStream, GraphRunStream, StreamChannel, StreamMux, SyncStreamMux,
)
from reference.streams._core import ChannelState


def channel_with_state(state_cls: type[ChannelState[Any]]) -> type[StreamChannel[Any]]:
    """A channel whose buffering rules are those of ``state_cls``."""

    class Channel(StreamChannel[Any]):
        def __init__(self, name: str | None = None, *, maxlen: int | None = None) -> None:
            super().__init__(name, maxlen=maxlen)
            self._state = state_cls(name, maxlen)

    return Channel


def mux_with_channel(channel_cls: type[StreamChannel[Any]]) -> type[StreamMux]:
    """A mux whose projections and main log are ``channel_cls`` channels."""

    class Mux(StreamMux):
        def _new_channel(self, name: str | None, maxlen: int | None) -> StreamChannel[Any]:
            channel = channel_cls(name, maxlen=maxlen)
            channel._bind(self.request_more)
            return channel

    return Mux


def stream_adapter(module: str, doc: str, *,
                   run_stream: type[AsyncGraphRunStream] = AsyncGraphRunStream,
                   mux: type[StreamMux] = StreamMux,
                   sync_run: type[GraphRunStream] = GraphRunStream,
                   sync_mux: type[SyncStreamMux] = SyncStreamMux) -> Adapter:
    """The reference adapter, with async runs built from ``run_stream`` over ``mux`` (and
    sync runs from ``sync_run`` over ``sync_mux``).

    ``module`` is the variant's ``__name__`` (its last part names the adapter) and
    ``doc`` its docstring (the first line describes it).
    """

    def open_run(source: Any, projections: Sequence[ProjectionSpec]) -> AsyncGraphRunStream:
        return run_stream(source, mux(ref_adapter._projections(projections)))

    def open_sync_run(source: Any, projections: Sequence[ProjectionSpec]) -> GraphRunStream:
        return sync_run(source, sync_mux(ref_adapter._projections(projections)))

    base = ref_adapter.runcert_adapter
    assert base.streams is not None
    return dataclasses.replace(
        base, name=module.rpartition(".")[2], version="0+broken", description=doc.splitlines()[0],
        streams=dataclasses.replace(base.streams, open_run=open_run,
                                    open_sync_run=open_sync_run))

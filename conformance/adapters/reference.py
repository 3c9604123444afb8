"""Built-in adapter: runcert's own reference implementation."""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import reference.callbacks as cb
import reference.streams as rs

from conformance.adapter import (
    CB_ASYNC, CB_SYNC, CB_TRACE_GROUP, CB_VERBOSE, RS_ASYNC, RS_NESTED, RS_SYNC, Adapter,
    CallbackFactories, ProjectionSpec, StreamFactories,
)

try:
    _VERSION = version("runcert")
except PackageNotFoundError:  # running from a checkout that is not installed
    _VERSION = "0+checkout"


def callback_factories(package: Any) -> CallbackFactories:
    """The callback factories of the reference package (or of a copy of it)."""
    return CallbackFactories(
        callback_manager=package.CallbackManager,
        async_callback_manager=package.AsyncCallbackManager,
        base_handler=package.BaseCallbackHandler,
        async_handler=package.AsyncCallbackHandler,
        stdout_handler=package.StdOutCallbackHandler,
        trace_as_chain_group=package.trace_as_chain_group,
        atrace_as_chain_group=package.atrace_as_chain_group,
    )


def _projections(specs: Sequence[ProjectionSpec]) -> list[rs.Projection]:
    return [rs.Projection(s.name, s.method, s.namespace, s.maxlen, s.native) for s in specs]


def open_run(source: Any, projections: Sequence[ProjectionSpec]) -> rs.AsyncGraphRunStream:
    return rs.AsyncGraphRunStream(source, rs.StreamMux(_projections(projections)))


def open_sync_run(source: Any, projections: Sequence[ProjectionSpec]) -> rs.GraphRunStream:
    return rs.GraphRunStream(source, rs.SyncStreamMux(_projections(projections)))


def nested(run: rs.AsyncGraphRunStream, path: tuple[str, ...]) -> rs.AsyncSubgraphRunStream:
    return run.nested(path)


runcert_adapter = Adapter(
    name="reference",
    version=_VERSION,
    description="runcert reference implementation",
    capabilities=frozenset(
        {CB_SYNC, CB_ASYNC, CB_TRACE_GROUP, CB_VERBOSE, RS_ASYNC, RS_SYNC, RS_NESTED}),
    deviations={},
    callbacks=callback_factories(cb),
    streams=StreamFactories(open_run=open_run, open_sync_run=open_sync_run, nested=nested),
)

"""Breaks RS-NEST-1: subscribing to a nested stream's projection pulls the outer source.

A nested run stream "warms up" its subscriptions: ``aiter()`` on one of its projections
starts a step of the outer run's pump in a task, before anyone reads (the root run's
own projections are left alone).
"""

import asyncio

from reference.streams import AsyncGraphRunStream, AsyncSubgraphRunStream, StreamChannel

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-NEST-1"
ALSO: dict[str, str] = {}


class PrefetchChannel(StreamChannel):
    def __aiter__(self):
        cursor = super().__aiter__()
        if self._pump is not None:
            asyncio.ensure_future(self._pump(None))  # BROKEN: an outer pull nobody asked for
        return cursor


class PrefetchNestedRun(AsyncGraphRunStream):
    def nested(self, path, projections=()):
        child = self._mux.child(path, projections)
        for channel in child._channels():
            channel.__class__ = PrefetchChannel
        return AsyncSubgraphRunStream(child, path=path)


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=PrefetchNestedRun)

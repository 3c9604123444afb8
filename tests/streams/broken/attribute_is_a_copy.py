"""Breaks RS-EXT-2: ``run.<name>`` is a new handle on the projection, not the same object.

Attribute access builds a shallow copy of the channel on every call (same buffer, same
subscription), so ``run.values is run.extensions["values"]`` is false.
"""

import copy

from reference.streams import AsyncGraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-EXT-2"
ALSO: dict[str, str] = {}


class CopyingRun(AsyncGraphRunStream):
    def __getattr__(self, name):
        return copy.copy(super().__getattr__(name))  # BROKEN: a new object each time


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=CopyingRun)

"""Breaks RS-EXT-3: an unknown projection attribute raises a bare ``AttributeError``.

The message names the missing attribute only, not the projections that exist (LangGraph
before 1.2.12 had no ``__getattr__`` at all).
"""

from reference.streams import AsyncGraphRunStream

from tests.streams.broken._streams import stream_adapter

BREAKS = "RS-EXT-3"
ALSO: dict[str, str] = {}


class BareErrorRun(AsyncGraphRunStream):
    def __getattr__(self, name):
        mux = self.__dict__.get("_mux")
        if mux is not None and not name.startswith("_") and name in mux.native_keys:
            return mux.extensions[name]
        raise AttributeError(name)  # BROKEN: names no projection


runcert_adapter = stream_adapter(__name__, __doc__, run_stream=BareErrorRun)

"""Reference implementation of LangGraph-style run streams (``RS-`` rules)."""

from ._routing import EventParams, Projection, ProtocolEvent, RunResult
from .channel import AsyncPump, StreamChannel
from .mux import StreamMux
from .run_stream import AsyncGraphRunStream, AsyncSubgraphRunStream
from .sync import GraphRunStream, SyncStreamChannel, SyncStreamMux

__all__ = [
    "AsyncGraphRunStream",
    "AsyncPump",
    "AsyncSubgraphRunStream",
    "EventParams",
    "GraphRunStream",
    "Projection",
    "ProtocolEvent",
    "RunResult",
    "StreamChannel",
    "StreamMux",
    "SyncStreamChannel",
    "SyncStreamMux",
]

"""The async mux: turns source events into protocol events and routes them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any

from ._routing import MuxCore, Projection, ProtocolEvent, to_protocol_event
from .channel import AsyncPump, StreamChannel

__all__ = ["Projection", "ProtocolEvent", "StreamMux"]


class StreamMux(MuxCore[StreamChannel[Any]]):
    """Owns the main log (unbounded) and the projections of an async run.

    The built-in ``values`` projection is always present unless a declared
    projection takes that name.
    """

    def __init__(self, projections: Sequence[Projection] = (), *,
                 scope: Sequence[str] = ()) -> None:
        self._pump: AsyncPump | None = None
        super().__init__(projections, scope=scope)

    def _new_channel(self, name: str | None, maxlen: int | None) -> StreamChannel[Any]:
        channel: StreamChannel[Any] = StreamChannel(name, maxlen=maxlen)
        channel._bind(self.request_more)
        return channel

    def bind_pump(self, pump: AsyncPump) -> None:
        """Make ``pump`` the run's pump for every channel of this mux."""
        self._pump = pump

    def request_more(self, ready: asyncio.Future[None] | None = None) -> Awaitable[bool]:
        """Run the bound pump, or the parent's (a child mux); False if none."""
        if self._pump is not None:
            return self._pump(ready)
        if self._parent is not None:
            return self._parent.request_more(ready)
        return _no_pump()

    async def apush(self, event: Mapping[str, Any]) -> None:
        """Route one source event to the main log and the matching projections.

        A full subscribed projection makes this wait (RS-BP-2); channels
        closed meanwhile (abort) are skipped.
        """
        if self._closed:
            raise RuntimeError("Cannot push to a closed StreamMux")
        protocol = to_protocol_event(event)
        self._stamp(protocol)
        self._observe(protocol)
        for channel, item in self._deliveries(protocol):
            state = channel._state
            if not state.closed and not state.push_nowait(item):
                await channel.apush(item)  # full: wait for room (RS-BP-2)


async def _no_pump() -> bool:
    """What a mux with no run behind it answers: nothing more will come."""
    return False

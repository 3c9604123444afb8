"""The async channel (a projection's log), its cursor and its pump binding."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Generic, TypeVar

from ._core import ChannelBase, check_tee_n
from .tee import tee_branches

T = TypeVar("T")

#: Drives the run one step. It gets the reader's wake-up future (resolved when
#: the reader's buffer changes) and returns False once the run can give no more.
AsyncPump = Callable[[asyncio.Future[None] | None], Awaitable[bool]]


class StreamChannel(ChannelBase[T]):
    """A single-consumer async log with an optional bound.

    Items are buffered only while a reader is subscribed (lazy subscription):
    a reader sees what is pushed after it subscribed. With ``maxlen``, a full
    subscribed log makes ``apush`` wait, which holds the run's pump back.

    Warning: a cursor whose task is cancelled (``asyncio.wait_for`` timing out,
    say) is closed and unsubscribed; subscribe again to read on.
    """

    def __init__(self, name: str | None = None, *, maxlen: int | None = None) -> None:
        super().__init__(name, maxlen=maxlen)
        self._pump: AsyncPump | None = None

    def _bind(self, pump: AsyncPump) -> None:
        """Let readers drive the run when their buffer is empty."""
        self._pump = pump

    async def apush(self, item: T) -> None:
        """Append ``item``, waiting while the subscribed buffer is full.

        If the channel closes while waiting, return without appending
        (RS-ABORT-5).
        """
        state = self._state
        while not state.push_nowait(item):
            await state.waiters.wait()
            if state.closed:
                return

    def __aiter__(self) -> AsyncIterator[T]:
        """Subscribe and return the single cursor (RS-PROJ-1)."""
        return _Cursor(self, self._state.subscribe())

    def tee(self, n: int = 2) -> list[AsyncIterator[T]]:
        """Subscribe once and return ``n`` iterators that each see every item.

        Each branch buffers at most ``maxlen`` items: a fast branch waits for
        the slowest one (RS-BP-6).
        """
        check_tee_n(n)  # before subscribing (RS-PROJ-4)
        return tee_branches(self, self._state.subscribe(), n)

    async def _next_item(self) -> T:
        """Take the next item, driving the run while the buffer is empty.

        Raises ``StopAsyncIteration`` at a clean end, or the failure after the
        buffered items (RS-DELIV-5, RS-ERR-1).
        """
        state = self._state
        while True:
            if state.take_or_end(StopAsyncIteration):
                return state.take()
            ready = state.waiters.new()
            try:
                if self._pump is None or not await self._pump(ready):
                    await ready  # no run to drive: wait for a push or the end
            finally:
                state.waiters.discard(ready)


class _Cursor(Generic[T]):
    """The subscriber of one channel; closing it unsubscribes (RS-ERR-4)."""

    def __init__(self, channel: StreamChannel[T], token: object) -> None:
        self._channel = channel
        self._token: object | None = token

    def __aiter__(self) -> _Cursor[T]:
        return self

    async def __anext__(self) -> T:
        if self._token is None:
            raise StopAsyncIteration
        state = self._channel._state
        if state.buffer:
            return state.take()  # nothing to wait for
        try:
            return await self._channel._next_item()
        except BaseException:
            self._release()  # end, failure, or this task cancelled
            raise

    async def aclose(self) -> None:
        self._release()

    def _release(self) -> None:
        token, self._token = self._token, None
        if token is not None:
            self._channel._state.unsubscribe(token)

    def __del__(self) -> None:
        self._release()  # left an `async for` early and dropped the cursor

"""Async fan-out: one subscription shared by ``n`` bounded branches."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from ._core import Waiters

if TYPE_CHECKING:
    from .channel import StreamChannel

T = TypeVar("T")


def tee_branches(channel: StreamChannel[T], token: object, n: int) -> list[AsyncIterator[T]]:
    """Branches reading ``channel`` through the subscription ``token``."""
    hub = _TeeHub(channel, token, [deque() for _ in range(n)])
    return [_Branch(hub, index) for index in range(n)]


@dataclass(eq=False)
class _TeeHub(Generic[T]):
    """State shared by the branches: one buffer each (None once closed)."""

    channel: StreamChannel[T]
    token: object
    buffers: list[deque[T] | None]
    finished: bool = False
    error: BaseException | None = None
    pulling: bool = False  # one branch at a time reads the channel
    waiters: Waiters = field(default_factory=Waiters)

    def has_room(self) -> bool:
        """Every open branch can take one more item (RS-BP-6)."""
        maxlen = self.channel.maxlen
        return maxlen is None or all(
            len(buffer) < maxlen for buffer in self.buffers if buffer is not None)

    async def pull(self) -> None:
        """Move the channel's next item (or its end) into every open branch."""
        self.pulling = True
        try:
            item = await self.channel._next_item()
        except StopAsyncIteration:
            self.finished = True
        except asyncio.CancelledError:
            raise
        except BaseException as error:  # the run's failure, for every branch (RS-PROJ-3)
            self.finished, self.error = True, error
        else:
            for buffer in self.buffers:
                if buffer is not None:
                    buffer.append(item)
        finally:
            self.pulling = False
            self.waiters.notify()

    def close_branch(self, index: int) -> None:
        """Forget a branch; the last one closed unsubscribes the channel."""
        self.buffers[index] = None
        self.waiters.notify()
        if all(buffer is None for buffer in self.buffers):
            self.channel._state.unsubscribe(self.token)


class _Branch(Generic[T]):
    """One reader of a tee."""

    def __init__(self, hub: _TeeHub[T], index: int) -> None:
        self._hub = hub
        self._index = index

    def __aiter__(self) -> _Branch[T]:
        return self

    async def __anext__(self) -> T:
        hub = self._hub
        try:
            while True:
                buffer = hub.buffers[self._index]
                if buffer is None:
                    raise StopAsyncIteration
                if buffer:
                    item = buffer.popleft()
                    hub.waiters.notify()  # a faster branch may now pull
                    return item
                if hub.finished:
                    hub.close_branch(self._index)
                    if hub.error is not None:
                        raise hub.error
                    raise StopAsyncIteration
                if hub.pulling or not hub.has_room():
                    await hub.waiters.wait()
                else:
                    await hub.pull()
        except asyncio.CancelledError:
            hub.close_branch(self._index)
            raise

    async def aclose(self) -> None:
        self._close()

    def _close(self) -> None:
        if self._hub.buffers[self._index] is not None:
            self._hub.close_branch(self._index)

    def __del__(self) -> None:
        self._close()

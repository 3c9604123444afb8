"""Lane-neutral core of a channel: its shared state and the handle base.

Every rule about buffering is synchronous and lives here (``push_nowait``,
``take``, subscription, the terminal outcome); the async and sync lanes add
only the waiting on top.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from reference import arguments

T = TypeVar("T")

ALREADY_SUBSCRIBED = "StreamChannel already has a subscriber; use .tee(n) for fan-out"


def check_maxlen(maxlen: int | None) -> None:
    """Reject a bound that is not a positive int (RS-BP-4).

    RS-BP-4 makes every such bound a ``ValueError``, one of the wrong type (``1.5``,
    ``"3"``) included: a log's bound is one kind of argument, whatever was passed.
    """
    if maxlen is None:
        return
    if isinstance(maxlen, bool) or not isinstance(maxlen, int) or maxlen < 1:
        raise ValueError(f"maxlen must be a positive int or None, got {maxlen!r:.80}")


def check_tee_n(n: int) -> None:
    """Reject a branch count that is not an int >= 1, before anything subscribes
    (RS-PROJ-4: ``n < 1`` is a ``ValueError``; a count that is no int, ``2.5``, is a
    ``TypeError``)."""
    if isinstance(n, bool) or not isinstance(n, int):
        arguments.refuse("n", "an int", n)
    if n < 1:
        raise ValueError(f"tee() requires n >= 1, got n={n}")


class Waiters:
    """Futures of tasks waiting for any change of one piece of state."""

    def __init__(self) -> None:
        self._futures: list[asyncio.Future[None]] = []

    def new(self) -> asyncio.Future[None]:
        """A future resolved at the next ``notify()``."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._futures.append(future)
        return future

    def discard(self, future: asyncio.Future[None]) -> None:
        if future in self._futures:
            self._futures.remove(future)

    async def wait(self) -> None:
        """Wait until the next ``notify()``."""
        future = self.new()
        try:
            await future
        finally:
            self.discard(future)

    def notify(self) -> None:
        """Wake every waiter; each re-checks the state it waits on."""
        if not self._futures:
            return
        futures, self._futures = self._futures, []
        for future in futures:
            if not future.done():
                future.set_result(None)


@dataclass(eq=False)
class ChannelState(Generic[T]):
    """Buffer, subscription and terminal outcome of one channel."""

    name: str | None
    maxlen: int | None
    buffer: deque[T] = field(default_factory=deque)
    subscriber: object | None = None  # token of the one subscription
    closed: bool = False
    error: BaseException | None = None
    waiters: Waiters = field(default_factory=Waiters)

    @property
    def full(self) -> bool:
        """A subscribed, bounded buffer with no room left."""
        return (self.subscriber is not None and self.maxlen is not None
                and len(self.buffer) >= self.maxlen)

    def subscribe(self) -> object:
        """Register the single subscriber and return its token (RS-PROJ-1)."""
        if self.subscriber is not None:
            raise RuntimeError(ALREADY_SUBSCRIBED)
        token = object()
        self.subscriber = token
        return token

    def unsubscribe(self, token: object) -> None:
        """Drop the subscription of ``token``, if it is still the current one."""
        if self.subscriber is token:
            self.subscriber = None
            self.buffer.clear()
            self.waiters.notify()  # a blocked pusher now drops its item (RS-ERR-4)

    def push_nowait(self, item: T) -> bool:
        """Append ``item``; False if the buffer is full."""
        if self.closed:
            raise RuntimeError("Cannot push to a closed StreamChannel")
        if self.subscriber is None:
            return True  # nobody listens: dropped (RS-DELIV-3, RS-BP-5)
        if self.full:
            return False
        self.buffer.append(item)
        self.waiters.notify()
        return True

    def take(self) -> T:
        """Pop the oldest item, waking pushers waiting for room (RS-BP-3)."""
        item = self.buffer.popleft()
        self.waiters.notify()
        return item

    def take_or_end(self, end: type[Exception]) -> bool:
        """Whether an item is ready to ``take``; at the end raise the failure, after the
        buffered items (RS-ERR-1), or ``end`` (RS-DELIV-5); False: the run must advance."""
        if self.buffer:
            return True
        if self.closed:
            if self.error is not None:
                raise self.error
            raise end
        return False

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.waiters.notify()

    def fail(self, error: BaseException) -> None:
        if not self.closed:
            self.error = error
            self.closed = True
            self.waiters.notify()


class ChannelBase(Generic[T]):
    """What both lanes' channels share: a thin handle over ``ChannelState``."""

    def __init__(self, name: str | None = None, *, maxlen: int | None = None) -> None:
        arguments.optional_text("name", name)
        check_maxlen(maxlen)
        self._state: ChannelState[T] = ChannelState(name, maxlen)

    @property
    def name(self) -> str | None:
        return self._state.name

    @property
    def maxlen(self) -> int | None:
        return self._state.maxlen

    @property
    def closed(self) -> bool:
        return self._state.closed

    @property
    def full(self) -> bool:
        """True while a subscriber's bounded buffer has no room."""
        return self._state.full

    def push_nowait(self, item: T) -> bool:
        """Append ``item`` without waiting.

        Returns False when the subscribed buffer is full, True otherwise (an
        unsubscribed channel drops the item). Raises ``RuntimeError`` once the
        channel is closed.
        """
        return self._state.push_nowait(item)

    def close(self) -> None:
        """End the channel: its reader finishes after the buffered items."""
        self._state.close()

    def fail(self, error: BaseException) -> None:
        """End the channel with ``error``, raised after the buffered items."""
        self._state.fail(error)

    def __repr__(self) -> str:
        state = self._state
        return (f"<{type(self).__name__} {state.name!r} buffered={len(state.buffer)}"
                f" maxlen={state.maxlen} closed={state.closed}>")

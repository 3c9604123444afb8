"""The sync lane: the same contract, pumped in the reader's own thread.

A push can never wait here (nobody else could drain the log meanwhile), so a
full subscribed log raises ``BufferError`` instead of growing (RS-SYNC-5).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from reference import arguments
from ._base import RunStreamBase
from ._core import ChannelBase, check_tee_n
from ._routing import MuxCore, Projection, to_protocol_event

T = TypeVar("T")

#: Advances the run one step; False once it can give no more.
SyncPump = Callable[[], bool]

_NOTHING: Any = object()


class SyncStreamChannel(ChannelBase[T]):
    """A single-consumer log read with ``for``; see ``StreamChannel``."""

    def __init__(self, name: str | None = None, *, maxlen: int | None = None) -> None:
        super().__init__(name, maxlen=maxlen)
        self._pump: SyncPump | None = None

    def _bind(self, pump: SyncPump) -> None:
        self._pump = pump

    def __iter__(self) -> Iterator[T]:
        return _SyncCursor(self, self._state.subscribe())

    def tee(self, n: int = 2) -> list[Iterator[T]]:
        """Subscribe once and return ``n`` iterators that each see every item.

        A branch that needs an item while another branch is full raises
        ``BufferError`` (each branch holds at most ``maxlen`` items).
        """
        check_tee_n(n)  # before subscribing
        hub = _SyncTee(self, self._state.subscribe(), [deque() for _ in range(n)])
        return [hub.branch(index) for index in range(n)]

    def _next_item(self) -> T:
        """Take the next item, pumping while the buffer is empty."""
        state = self._state
        while True:
            if state.take_or_end(StopIteration):
                return state.take()
            pumped = self._pump is not None and self._pump()
            if not pumped and not state.closed:
                raise StopIteration  # nothing can arrive in this thread


class _SyncCursor(Generic[T]):
    """The subscriber of one sync channel; ``close()`` unsubscribes."""

    def __init__(self, channel: SyncStreamChannel[T], token: object) -> None:
        self._channel = channel
        self._token: object | None = token

    def __iter__(self) -> _SyncCursor[T]:
        return self

    def __next__(self) -> T:
        if self._token is None:
            raise StopIteration
        try:
            return self._channel._next_item()
        except BufferError:
            raise  # the run is paused, not over: reading again resumes it
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        token, self._token = self._token, None
        if token is not None:
            self._channel._state.unsubscribe(token)

    def __del__(self) -> None:
        self.close()


class _SyncTee(Generic[T]):
    """Branch buffers of a sync tee (None once a branch is closed)."""

    def __init__(self, channel: SyncStreamChannel[T], token: object,
                 buffers: list[deque[T] | None]) -> None:
        self.channel, self.token, self.buffers = channel, token, buffers
        self.end: BaseException | None = None  # StopIteration or the failure

    def branch(self, index: int) -> Iterator[T]:
        try:
            while (item := self._next(index)) is not _NOTHING:
                yield item
        finally:
            self._close(index)

    def _next(self, index: int) -> Any:
        buffer = self.buffers[index]
        assert buffer is not None
        while not buffer:
            if self.end is not None:
                if isinstance(self.end, StopIteration):
                    return _NOTHING
                raise self.end
            maxlen = self.channel.maxlen
            full = [b for b in self.buffers if b is not None and maxlen is not None
                    and len(b) >= maxlen]
            if full:
                raise BufferError(f"a tee branch of {self.channel.name!r} is full"
                                  f" (maxlen={maxlen}); read the other branches first")
            try:
                item = self.channel._next_item()
            except BufferError:
                raise
            except BaseException as end:
                self.end = end
                continue
            for each in self.buffers:
                if each is not None:
                    each.append(item)
        return buffer.popleft()

    def _close(self, index: int) -> None:
        self.buffers[index] = None
        if all(buffer is None for buffer in self.buffers):
            self.channel._state.unsubscribe(self.token)


class SyncStreamMux(MuxCore[SyncStreamChannel[Any]]):
    """The mux of the sync lane (see ``StreamMux``)."""

    def __init__(self, projections: Sequence[Projection] = (), *,
                 scope: Sequence[str] = ()) -> None:
        self._pump: SyncPump | None = None
        super().__init__(projections, scope=scope)

    def _new_channel(self, name: str | None, maxlen: int | None) -> SyncStreamChannel[Any]:
        channel: SyncStreamChannel[Any] = SyncStreamChannel(name, maxlen=maxlen)
        channel._bind(self._request_more)
        return channel

    def bind_pump(self, pump: SyncPump) -> None:
        self._pump = pump

    def _request_more(self) -> bool:
        return self._pump is not None and self._pump()

    def push(self, event: Mapping[str, Any]) -> None:
        """Route one source event, all or nothing.

        Raises ``BufferError`` naming the first full subscribed projection
        before anything is appended (RS-SYNC-5).
        """
        if self._closed:
            raise RuntimeError("Cannot push to a closed StreamMux")
        protocol = to_protocol_event(event)
        deliveries = self._deliveries(protocol)
        for channel, _ in deliveries:
            if channel.full:
                raise BufferError(f"projection {channel.name!r} is full"
                                  f" (maxlen={channel.maxlen}); read it to let the run go on")
        self._stamp(protocol)
        self._observe(protocol)
        for channel, item in deliveries:
            if not channel.closed:
                channel.push_nowait(item)


class GraphRunStream(RunStreamBase[SyncStreamMux]):
    """A sync run: iterating a projection (``for``) advances the source.

    Results are properties here. A run that would overflow a full log raises
    ``BufferError`` from the read that pumped; the event stays pending and is
    routed by the next read once the log has room. A source that is no
    iterator, or a mux that is no ``SyncStreamMux``, raises ``TypeError`` here.
    """

    def __init__(self, graph_iter: Iterator[Any] | None, mux: SyncStreamMux) -> None:
        self._check_source("graph_iter", graph_iter, "__next__", "an iterator")
        arguments.instance("mux", mux, SyncStreamMux)
        super().__init__(mux)
        self._source = graph_iter
        self._source_done = graph_iter is None
        self._exhausted = False
        self._pending: Any = _NOTHING
        mux.bind_pump(self._pump_next)

    def _pump_next(self) -> bool:
        """Pull one event (unless one is pending) and route it."""
        if self._exhausted:
            return False
        if self._pending is _NOTHING:
            if self._source is None:
                return self._finish(None)
            try:
                self._pending = next(self._source)
            except StopIteration:
                self._source_done = True
                return self._finish(None)
            except BaseException as error:  # RS-ERR-5
                self._source_done = True
                return self._finish(error)
        try:
            self._mux.push(self._pending)  # BufferError keeps the event pending
        except BufferError:
            raise
        except Exception as error:
            return self._finish(error)
        self._pending = _NOTHING
        return True

    def _finish(self, error: BaseException | None) -> bool:
        self._exhausted = True
        self._pending = _NOTHING
        if error is None:
            self._mux.close()
        else:
            self._mux.fail(error)
        return False

    def abort(self) -> None:
        """Stop the run early: close the mux, then an unfinished source once."""
        self._exhausted = True
        self._pending = _NOTHING
        self._mux.close()
        if not self._source_done:
            self._source_done = True
            close = getattr(self._source, "close", None)
            if close is not None:
                close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None,
                 exc: BaseException | None, tb: TracebackType | None) -> None:
        self.abort()

    def _drive(self) -> None:
        while self._pump_next():
            pass

    @property
    def output(self) -> Any:
        """Drive the run to completion; the data of the last root ``values``."""
        self._drive()
        return self._outcome().latest

    @property
    def interrupted(self) -> bool:
        """Drive the run to completion; whether a root ``values`` was interrupted."""
        self._drive()
        return self._outcome().interrupted

    @property
    def interrupts(self) -> list[Any]:
        """Drive the run to completion; its distinct interrupts, as a new list."""
        self._drive()
        return list(self._outcome().interrupts)

    def __iter__(self) -> Iterator[Any]:
        """The main log's cursor (single consumer)."""
        return iter(self._mux.main_log)

"""Event loops that a test leaves unclosed.

An implementation that makes an event loop (``asyncio.new_event_loop()`` in a sync method,
say) and never closes it leaks its selector, its self-pipe and whatever it scheduled; the
warning asyncio gives for it comes late, from the garbage collector, in some other test
or none. The kit records every loop created while a test runs (the ``__init__`` of
``asyncio.BaseEventLoop``, which every loop of the standard library runs, is wrapped for
the duration of the certification) and after the test reports those not closed, each
with where it was created. The kit's own loops (:func:`conformance.aio.run`, the state
machines' :class:`~conformance.scheduling.ControlledLoop`) are closed before the test
ends, so they are never among them. A loop that does not derive from ``BaseEventLoop``
(uvloop's) is not seen. Leaked loops are left as they are: the implementation may still
use them.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from types import FrameType
from typing import Any

_ASYNCIO = os.path.dirname(asyncio.__file__)
_lock = threading.Lock()
_created: list[tuple[asyncio.AbstractEventLoop, str]] = []  # since the test began
_installs = 0  # nesting of the sessions that track (pytester runs in-process)
_original_init: Any = None


def _creator(loop: asyncio.AbstractEventLoop) -> str:
    """Where ``loop`` was asked for: the first frame outside asyncio and outside the
    ``__init__`` of the loop's own classes."""
    frame: FrameType | None = sys._getframe(2)
    while frame is not None and (frame.f_code.co_filename.startswith(_ASYNCIO)
                                 or frame.f_locals.get("self") is loop):
        frame = frame.f_back
    if frame is None:
        return "an unknown caller"
    code = frame.f_code
    return f"{code.co_qualname} ({os.path.basename(code.co_filename)}:{frame.f_lineno})"


def _tracked_init(self: asyncio.BaseEventLoop, *args: Any, **kwargs: Any) -> None:
    _original_init(self, *args, **kwargs)
    with _lock:
        _created.append((self, _creator(self)))


def start() -> None:
    """Record the loops created from now on (until the matching :func:`stop`)."""
    global _installs, _original_init
    with _lock:
        _installs += 1
        if _installs == 1:
            _original_init = asyncio.BaseEventLoop.__init__
            wrapped: Any = _tracked_init
            asyncio.BaseEventLoop.__init__ = wrapped  # type: ignore[method-assign]


def stop() -> None:
    global _installs
    with _lock:
        _installs -= 1
        if _installs == 0:
            asyncio.BaseEventLoop.__init__ = _original_init  # type: ignore[method-assign]
            _created.clear()


def begin() -> None:
    """A test begins: forget the loops created before it (between tests)."""
    with _lock:
        _created.clear()


def unclosed() -> list[tuple[asyncio.AbstractEventLoop, str]]:
    """The loops created since :func:`begin` and not closed, with where each was
    created; the record is then dropped (the kit keeps no reference to them)."""
    with _lock:
        since = list(_created)
        _created.clear()
    return [(loop, where) for loop, where in since if not loop.is_closed()]


def describe(unclosed: list[tuple[asyncio.AbstractEventLoop, str]]) -> str:
    def one(loop: asyncio.AbstractEventLoop, where: str) -> str:
        running = ", running" if loop.is_running() else ""
        return f"{type(loop).__name__} created in {where}{running}"

    names = ", ".join(sorted(one(loop, where) for loop, where in unclosed))
    return f"the implementation left {len(unclosed)} event loop(s) unclosed: {names}"

"""Where code of the wire runs: the contexts a thread has entered, and whether the peer
waits for it synchronously (which decides whether its requests may be eager)."""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Callable
from typing import Any

_entered = threading.local()  # the mirrored contexts this thread runs in, innermost last
#: Driver side: how deeply this thread runs code the kit waits for synchronously (the first
#: step of an eager request, a sync request). Only such code may make eager requests of
#: its own: the kit serves them at once, as a nested call in process. A task of the
#: implementation that runs later (a background pump) makes ordinary async requests, which
#: the kit serves on its loop when that loop turns, as the task would run in process.
_waited = threading.local()


@contextlib.contextmanager
def waited_on() -> Any:
    """Mark the code run inside as code the peer waits for synchronously."""
    _waited.depth = getattr(_waited, "depth", 0) + 1
    try:
        yield
    finally:
        _waited.depth -= 1


def is_waited_on() -> bool:
    return getattr(_waited, "depth", 0) > 0


def run_in(context: contextvars.Context, function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)`` in ``context``: directly when this thread runs in it already
    (a request nested in one of the same context), else entered for the call (a copy
    when another thread runs in it now)."""
    stack: list[contextvars.Context] = _entered.__dict__.setdefault("stack", [])
    if stack and stack[-1] is context:
        return function(*args)
    stack.append(context)
    try:
        try:
            return context.run(function, *args)
        except RuntimeError as exc:
            if "already entered" not in str(exc):
                raise
            return context.copy().run(function, *args)
    finally:
        stack.pop()

"""Deliberately broken drivers: the reference, served over the wire, until one request.

Each driver in this directory serves runcert's reference like
``conformance.drivers.python_reference`` and misbehaves once, at the first request for
``RUNCERT_SABOTAGE_ON`` (a method name, ``on_retriever_start`` by default) of the whole
certification: the file ``RUNCERT_SABOTAGE_MARK`` records that it happened, so the driver
the kit starts next behaves. The kit must fail the test in flight, with one message that
names the driver and the request, and go on with a new driver process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from conformance.adapters.wire.endpoint import Endpoint
from conformance.adapters.wire.serve import serve
from conformance.resolve import resolve

TRIGGER = os.environ.get("RUNCERT_SABOTAGE_ON", "on_retriever_start")
MARK = os.environ.get("RUNCERT_SABOTAGE_MARK", "")


def _first_time() -> bool:
    """True once per certification (the mark file says it happened)."""
    if not MARK:
        return True
    try:
        with open(MARK, "x", encoding="utf-8") as mark:
            mark.write(f"{os.getpid()}\n")
        return True
    except FileExistsError:
        return False


def run(misbehave: Callable[[Endpoint, dict[str, Any]], None]) -> None:
    """Serve the reference; call ``misbehave(endpoint, request)`` at the trigger."""
    original = Endpoint._perform

    def perform(self: Endpoint, message: dict[str, Any]) -> Any:
        if message.get("method") == TRIGGER and _first_time():
            sys.stderr.write(f"sabotage: misbehaving at {TRIGGER}\n")
            sys.stderr.flush()
            misbehave(self, message)
        return original(self, message)

    Endpoint._perform = perform  # type: ignore[method-assign]
    code = serve(resolve("reference"))
    sys.stdout.flush()
    os._exit(code)

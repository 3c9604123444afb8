"""Breaks CB-SYNC-2: inside a running loop, the sync dispatch schedules async handlers.

The reference runs an async handler's coroutine to completion before a sync event method
returns (in a worker thread when a loop is already running). This variant hands the
coroutine to the running loop with ``create_task`` and returns at once, so an event sent
through ``get_sync()`` from async code reaches the async handlers later, out of order
with what follows, or never if the loop stops first.
"""

import asyncio

from tests._variant import adapter, private_reference, replace_function

BREAKS = "CB-SYNC-2"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
_pending: set = set()


def _run_to_completion(coro):
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coro)
        return
    task = loop.create_task(coro)  # BROKEN: not awaited, the event returns before delivery
    _pending.add(task)
    task.add_done_callback(_pending.discard)


replace_function(ref, "_run_to_completion", _run_to_completion)
runcert_adapter = adapter(ref, "sync_dispatch_defers_coroutines", __doc__.splitlines()[0])

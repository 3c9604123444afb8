"""Breaks CB-ASYNC-4: each async dispatch leaves a bookkeeping task behind.

After every handler has handled the event, the async dispatcher schedules the
clean-up of its per-event bookkeeping as a fire-and-forget task instead of doing it in
place: the event method returns while that task is still pending.
"""

import asyncio

from tests._variant import adapter, private_reference, replace_function

BREAKS = "CB-ASYNC-4"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
_reference_ahandle_event = ref.dispatch.ahandle_event
_dispatched: set = set()


async def _forget(token):
    _dispatched.discard(token)


async def ahandle_event(handlers, event_name, ignore_flag, args, kwargs):
    token = object()
    _dispatched.add(token)
    await _reference_ahandle_event(handlers, event_name, ignore_flag, args, kwargs)
    asyncio.get_running_loop().create_task(_forget(token))  # BROKEN: never awaited


replace_function(ref, "ahandle_event", ahandle_event)
runcert_adapter = adapter(ref, "async_dispatch_leaks_task", __doc__.splitlines()[0])

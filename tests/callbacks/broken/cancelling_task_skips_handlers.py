"""Breaks CB-PAIR-3: the async manager dispatches nothing from a task being cancelled.

``ahandle_event`` returns at once when the current task is being cancelled ("do not
start handler work in a task that is being torn down"), so the error events that close
a cancelled task's open runs never reach any handler.
"""

import asyncio

from tests._variant import adapter, private_reference, replace_function

BREAKS = "CB-PAIR-3"
ALSO = {
    "CB-GROUP-5": "the async group's end, dispatched while its task is being cancelled, "
                  "skips the handlers too",
}

ref = private_reference(__name__.rpartition(".")[2])
_reference_ahandle_event = ref.dispatch.ahandle_event


async def ahandle_event(handlers, event_name, ignore_flag, args, kwargs):
    task = asyncio.current_task()
    if task is not None and task.cancelling():  # BROKEN: closing events must still go out
        return
    await _reference_ahandle_event(handlers, event_name, ignore_flag, args, kwargs)


replace_function(ref, "ahandle_event", ahandle_event)
runcert_adapter = adapter(ref, "cancelling_task_skips_handlers", __doc__.splitlines()[0])

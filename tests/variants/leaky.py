"""Ignores explicit run ids and leaves a task pending on every async dispatch.

Two bugs, two findings: CB-ID-2's async tests report CB-ID-2's own failed check, with the
leak as a note; tests whose checks hold fail on the leak alone (CB-ASYNC-4, "no leaked
tasks"), naming the coroutine left pending.
"""

import asyncio

from tests._variant import adapter, private_reference, replace_function

ref = private_reference("leaky")
Base = ref.managers.BaseCallbackManager
_reference_begin = Base._begin
_reference_dispatch = ref.dispatch.ahandle_event


async def forgotten_flush() -> None:
    """What the leaking dispatch leaves pending: it never finishes."""
    await asyncio.Event().wait()


def leak_a_task() -> None:
    asyncio.get_running_loop().create_task(forgotten_flush())  # BROKEN: never awaited


def _begin(self, cls, run_id):
    return _reference_begin(self, cls, None)  # BROKEN: drops the caller's run_id


async def ahandle_event(handlers, event_name, ignore_flag, args, kwargs):
    leak_a_task()
    await _reference_dispatch(handlers, event_name, ignore_flag, args, kwargs)


Base._begin = _begin
replace_function(ref, "ahandle_event", ahandle_event)
runcert_adapter = adapter(ref, "leaky", __doc__.splitlines()[0])

"""The reference, except that a cancelled caller of an async end or error event waits.

Delivery of end and error events is still shielded (every handler finishes), but the
caller's task does not leave when it is cancelled: it waits for the handlers, so a
caller whose handler is slow hangs. CB-PAIR-4's test must see a timeout, not a pass:
the handlers did finish, but only because the cancelled caller never left.

- ``runcert_adapter`` keeps the cancellation pending while it waits (the task ends
  cancelled once the kit's time limit cancels it again);
- ``swallowing`` swallows the cancellation (``uncancel()``), as code that suppresses
  one is told to, so the kit's time limit ends it with the kit's own timeout exception.
"""

import asyncio

from tests._variant import adapter, private_reference, replace_function


def waiting_dispatch(package, swallow):
    """``ahandle_event_shielded`` of ``package`` whose cancelled caller waits."""
    dispatch = package.dispatch

    async def ahandle_event_shielded(handlers, event_name, ignore_flag, args, kwargs):
        task = asyncio.ensure_future(
            dispatch.ahandle_event(handlers, event_name, ignore_flag, args, kwargs))
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if swallow:
                asyncio.current_task().uncancel()
            await asyncio.shield(task)  # BROKEN: the cancelled caller waits for the handlers
            raise

    return ahandle_event_shielded


def variant(name, swallow):
    package = private_reference(name)
    replace_function(package, "ahandle_event_shielded", waiting_dispatch(package, swallow))
    return adapter(package, name, "a cancelled caller of an end event waits for the handlers")


runcert_adapter = variant("end_waits_when_cancelled", swallow=False)
swallowing = variant("end_swallows_cancellation", swallow=True)

"""An async manager whose dispatch hangs in an executor thread forever.

The worker thread cannot be interrupted; the plugin must report the timeout and then
exit without waiting for that thread (executor workers are joined at interpreter exit).
"""

import asyncio
import threading

from tests._variant import adapter, private_reference, replace_function

ref = private_reference("hanging_thread")
_original = ref.dispatch.ahandle_event


async def ahandle_event(handlers, event_name, ignore_flag, args, kwargs):
    await asyncio.get_running_loop().run_in_executor(None, threading.Event().wait)


replace_function(ref, "ahandle_event", ahandle_event)
runcert_adapter = adapter(ref, "hanging_thread", "async dispatch hangs in a worker thread")

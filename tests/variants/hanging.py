"""An implementation whose event dispatch never returns, on both managers.

The sync dispatcher blocks its thread forever; the async one awaits an event nobody
sets. The plugin must turn both into a ``timeout`` outcome and still finish the run.
"""

import asyncio
import threading

from tests._variant import adapter, private_reference, replace_function

ref = private_reference("hanging")


def handle_event(handlers, event_name, ignore_flag, args, kwargs):
    threading.Event().wait()  # never set


async def ahandle_event(handlers, event_name, ignore_flag, args, kwargs):
    await asyncio.Event().wait()  # never set


replace_function(ref, "handle_event", handle_event)
replace_function(ref, "ahandle_event", ahandle_event)
runcert_adapter = adapter(ref, "hanging", "dispatch hangs forever")

"""Makes an event loop on every tool start and never closes it.

``asyncio.new_event_loop()`` in the sync dispatch (and in the async one, next to the
loop that runs it), dropped at once: a selector and a self-pipe leaked per event, and
asyncio's "unclosed event loop" warning comes only when the garbage collector finds it.
The plugin reports it like a leaked task (CB-ASYNC-4, naming where the loop was made).
"""

import asyncio

from tests._variant import adapter, private_reference, replace_function

ref = private_reference("loop_leak")
_handle, _ahandle = ref.dispatch.handle_event, ref.dispatch.ahandle_event


def private_loop() -> None:
    asyncio.new_event_loop()  # BROKEN: never closed


def handle_event(handlers, event_name, ignore_flag, args, kwargs):
    if event_name == "on_tool_start":
        private_loop()
    return _handle(handlers, event_name, ignore_flag, args, kwargs)


async def ahandle_event(handlers, event_name, ignore_flag, args, kwargs):
    if event_name == "on_tool_start":
        private_loop()
    return await _ahandle(handlers, event_name, ignore_flag, args, kwargs)


replace_function(ref, "handle_event", handle_event)
replace_function(ref, "ahandle_event", ahandle_event)
runcert_adapter = adapter(ref, "loop_leak", "every tool start leaves an event loop unclosed")

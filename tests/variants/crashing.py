"""An implementation that ends the process (``os._exit``) on every tool start.

Under ``pytest -n 2`` the worker running the test dies; pytest-xdist replaces it and
reports the crash. The crashed test's rules must fail ("worker crashed: ..."), never
read as a pass, and the run goes on with the other tests.
"""

import os

from tests._variant import adapter, private_reference, replace_function

ref = private_reference("crashing")
_handle, _ahandle = ref.dispatch.handle_event, ref.dispatch.ahandle_event


def handle_event(handlers, event_name, ignore_flag, args, kwargs):
    if event_name == "on_tool_start":
        os._exit(13)  # BROKEN: ends the process
    return _handle(handlers, event_name, ignore_flag, args, kwargs)


async def ahandle_event(handlers, event_name, ignore_flag, args, kwargs):
    if event_name == "on_tool_start":
        os._exit(13)
    return await _ahandle(handlers, event_name, ignore_flag, args, kwargs)


replace_function(ref, "handle_event", handle_event)
replace_function(ref, "ahandle_event", ahandle_event)
runcert_adapter = adapter(ref, "crashing", "every tool start ends the process")

"""Replaces ``signal.signal`` with a no-op when imported, and hangs on every tool start.

A kit that installs its alarm through ``signal.signal`` then installs nothing: SIGALRM
keeps its default action, which kills the process when the time limit expires, and no
report is written. The kit must arm its alarm with the function it found before any
implementation was imported, report the replacement on the test's rules, and put the
function back.
"""

import signal
import time

from tests._variant import adapter, private_reference, replace_function


def _ignored(signalnum, handler):
    return None  # BROKEN: installs nothing


signal.signal = _ignored

ref = private_reference("signal_replaced")
_handle, _ahandle = ref.dispatch.handle_event, ref.dispatch.ahandle_event


def handle_event(handlers, event_name, ignore_flag, args, kwargs):
    if event_name == "on_tool_start":
        time.sleep(3600.0)
    return _handle(handlers, event_name, ignore_flag, args, kwargs)


async def ahandle_event(handlers, event_name, ignore_flag, args, kwargs):
    if event_name == "on_tool_start":
        time.sleep(3600.0)
    return await _ahandle(handlers, event_name, ignore_flag, args, kwargs)


replace_function(ref, "handle_event", handle_event)
replace_function(ref, "ahandle_event", ahandle_event)
runcert_adapter = adapter(ref, "signal_replaced",
                          "signal.signal is a no-op; every tool start sleeps an hour")

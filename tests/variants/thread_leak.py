"""Starts a non-daemon thread on every tool start and never ends it.

The thread would keep the interpreter from exiting after the report. The plugin reports
it like a leaked task (CB-ASYNC-4, naming the thread and its target) and ends the process
once the report is written.
"""

import threading

from tests._variant import adapter, private_reference, replace_function

ref = private_reference("thread_leak")
_handle, _ahandle = ref.dispatch.handle_event, ref.dispatch.ahandle_event
_never = threading.Event()


def forgotten_worker() -> None:
    _never.wait()  # BROKEN: never ends, never daemon


def start_worker() -> None:
    threading.Thread(target=forgotten_worker, name="flusher", daemon=False).start()


def handle_event(handlers, event_name, ignore_flag, args, kwargs):
    if event_name == "on_tool_start":
        start_worker()
    return _handle(handlers, event_name, ignore_flag, args, kwargs)


async def ahandle_event(handlers, event_name, ignore_flag, args, kwargs):
    if event_name == "on_tool_start":
        start_worker()
    return await _ahandle(handlers, event_name, ignore_flag, args, kwargs)


replace_function(ref, "handle_event", handle_event)
replace_function(ref, "ahandle_event", ahandle_event)
runcert_adapter = adapter(ref, "thread_leak", "every tool start leaves a thread running")

"""Implementations that tamper with the signals the kit's time limit relies on.

Each adapter acts on every tool start, from inside the event dispatch (the main thread
of the test in flight):

- ``ignore_alarm``: sets SIGALRM to ``SIG_IGN``, then sleeps for an hour: the alarm is
  lost, only the watchdog can end the test;
- ``ignore_alarm_quietly``: sets SIGALRM to ``SIG_IGN`` and goes on: the test finishes,
  and the tampering fails its rules;
- ``blocked_alarm``: blocks SIGALRM in the main thread, then sleeps for an hour in C
  (``time.sleep``), where a signal delivered to another thread does not reach it;
- ``ignore_interrupts``: sets SIGINT to ``SIG_IGN`` (the user's Ctrl-C) and goes on;
- ``swallowing_loop``: a loop that catches every ``BaseException`` (the kit's timeout
  included) and sleeps on, for an hour;
- ``swallowing_once``: catches the kit's timeout once, then returns as if nothing
  happened: the test must not pass.

See ``signal_replaced`` for ``signal.signal`` replaced at import.
"""

import signal
import time

from tests._variant import adapter, private_reference, replace_function

HOUR = 3600.0


def _on_tool_start(tag, act):
    ref = private_reference(f"signals_{tag}")
    handle, ahandle = ref.dispatch.handle_event, ref.dispatch.ahandle_event

    def handle_event(handlers, event_name, ignore_flag, args, kwargs):
        if event_name == "on_tool_start":
            act()
        return handle(handlers, event_name, ignore_flag, args, kwargs)

    async def ahandle_event(handlers, event_name, ignore_flag, args, kwargs):
        if event_name == "on_tool_start":
            act()
        return await ahandle(handlers, event_name, ignore_flag, args, kwargs)

    replace_function(ref, "handle_event", handle_event)
    replace_function(ref, "ahandle_event", ahandle_event)
    return adapter(ref, f"signals_{tag}", f"every tool start: {act.__doc__}")


def ignore_and_sleep():
    """SIGALRM ignored, then an hour's sleep"""
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    time.sleep(HOUR)


def ignore():
    """SIGALRM ignored"""
    signal.signal(signal.SIGALRM, signal.SIG_IGN)


def ignore_sigint():
    """SIGINT ignored"""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def block_and_sleep():
    """SIGALRM blocked, then an hour's sleep"""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    time.sleep(HOUR)


def swallow_everything():
    """an hour of sleeping that swallows every exception"""
    until = time.monotonic() + HOUR
    while time.monotonic() < until:
        try:
            time.sleep(0.05)
        except BaseException:  # noqa: BLE001 - BROKEN: the kit's timeout too
            pass


def swallow_once():
    """the first timeout swallowed"""
    try:
        time.sleep(HOUR)
    except BaseException:  # noqa: BLE001 - BROKEN: the kit's timeout too
        pass


ignore_alarm = _on_tool_start("ignore_alarm", ignore_and_sleep)
ignore_alarm_quietly = _on_tool_start("ignore_alarm_quietly", ignore)
ignore_interrupts = _on_tool_start("ignore_interrupts", ignore_sigint)
blocked_alarm = _on_tool_start("blocked_alarm", block_and_sleep)
swallowing_loop = _on_tool_start("swallowing_loop", swallow_everything)
swallowing_once = _on_tool_start("swallowing_once", swallow_once)
runcert_adapter = ignore_alarm

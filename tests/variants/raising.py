"""Implementations that raise what would stop a pytest session.

Each adapter raises one ``BaseException`` that is not an ``Exception`` (KeyboardInterrupt,
SystemExit, GeneratorExit, or a subclass of its own) from an event method (every tool
start), from ``configure`` or from ``open_run``. No SIGINT reaches the process: the
plugin must fail the rules of the test in flight, naming the exception's type, and go on
with the run. ``sigint`` sends itself a real SIGINT instead: that is a Ctrl-C, the run
stops, and its verdict says it ended early (never "meets").
"""

import dataclasses
import os
import signal

from conformance.adapter import StreamFactories
from conformance.adapters import reference as reference_adapter
from tests._variant import adapter, after_configure, private_reference, replace_function


class Hostile(BaseException):
    """A BaseException subclass of the implementation's own."""


def _on_tool_start(tag, raise_it):
    ref = private_reference(f"raising_{tag}")
    handle, ahandle = ref.dispatch.handle_event, ref.dispatch.ahandle_event

    def handle_event(handlers, event_name, ignore_flag, args, kwargs):
        if event_name == "on_tool_start":
            raise_it()
        return handle(handlers, event_name, ignore_flag, args, kwargs)

    async def ahandle_event(handlers, event_name, ignore_flag, args, kwargs):
        if event_name == "on_tool_start":
            raise_it()
        return await ahandle(handlers, event_name, ignore_flag, args, kwargs)

    replace_function(ref, "handle_event", handle_event)
    replace_function(ref, "ahandle_event", ahandle_event)
    return adapter(ref, f"raising_{tag}", f"every tool start raises {tag}")


def _raise(exc):
    def raise_it():
        raise exc

    return raise_it


def _sigint():
    os.kill(os.getpid(), signal.SIGINT)


keyboard_interrupt = _on_tool_start("KeyboardInterrupt", _raise(KeyboardInterrupt()))
system_exit = _on_tool_start("SystemExit", _raise(SystemExit(3)))
generator_exit = _on_tool_start("GeneratorExit", _raise(GeneratorExit()))
hostile = _on_tool_start("Hostile", _raise(Hostile("hostile BaseException subclass")))
sigint = _on_tool_start("sigint", _sigint)
runcert_adapter = keyboard_interrupt

_configure_ref = private_reference("raising_configure")


def _interrupt_configure(manager, args):
    raise KeyboardInterrupt


after_configure(_configure_ref, _interrupt_configure)
on_configure = adapter(_configure_ref, "raising_configure", "configure raises KeyboardInterrupt")


def _open_run(source, projections):
    raise KeyboardInterrupt


_reference = reference_adapter.runcert_adapter
on_open_run = dataclasses.replace(
    _reference, name="raising_open_run", version="0+broken",
    description="open_run raises KeyboardInterrupt",
    streams=StreamFactories(open_run=_open_run, open_sync_run=reference_adapter.open_sync_run,
                            nested=reference_adapter.nested))

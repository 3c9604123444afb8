"""Breaks CB-ASYNC-2: the async manager runs inline sync handlers in the executor.

The async dispatcher decides where to call a handler from its method alone: coroutine
functions are awaited on the loop, every plain function goes to the loop's executor.
``run_inline`` still puts a handler first and alone (CB-DISP-6), but its calls happen
in a worker thread instead of the event loop's thread.
"""

import asyncio
import contextvars
import functools

from tests._variant import adapter, private_reference, replace_function

BREAKS = "CB-ASYNC-2"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
dispatch = ref.dispatch


async def _deliver(handler, event_name, ignore_flag, args, kwargs):
    try:
        if dispatch._ignores(handler, ignore_flag):
            return
        method = getattr(handler, event_name)
        if dispatch._is_async(getattr(method, "__func__", method)):  # BROKEN: run_inline unread
            result = method(*args, **dispatch._private(kwargs))
        else:
            call = functools.partial(method, *args, **dispatch._private(kwargs))
            result = await asyncio.get_running_loop().run_in_executor(
                None, functools.partial(contextvars.copy_context().run, call))
        if result is not None and asyncio.iscoroutine(result):
            await result
    except Exception as exc:
        dispatch._report(handler, event_name, exc)


replace_function(ref, "_deliver", _deliver)
runcert_adapter = adapter(ref, "async_inline_in_executor", __doc__.splitlines()[0])

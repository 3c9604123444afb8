"""Breaks CB-DISP-4: the async manager awaits a handler's coroutine outside its try.

``_deliver`` calls the handler method inside ``try/except`` but awaits the coroutine
it returns after the ``except``, so an async handler's exception escapes to the caller
even when the handler's ``raise_error`` is false.
"""

import asyncio
import contextvars
import functools
import inspect

from tests._variant import adapter, private_reference, replace_function

BREAKS = "CB-DISP-4"
ALSO: dict[str, str] = {
    "CB-PARITY-2": (
        "a failing async handler without raise_error makes the async manager raise but "
        "not the sync one"
    ),
}

ref = private_reference(__name__.rpartition(".")[2])
dispatch = ref.dispatch


async def _deliver(handler, event_name, ignore_flag, args, kwargs):
    result = None
    try:
        if dispatch._ignores(handler, ignore_flag):
            return
        method = getattr(handler, event_name)
        if handler.run_inline or dispatch._is_async(getattr(method, "__func__", method)):
            result = method(*args, **dispatch._private(kwargs))
        else:
            call = functools.partial(method, *args, **dispatch._private(kwargs))
            result = await asyncio.get_running_loop().run_in_executor(
                None, functools.partial(contextvars.copy_context().run, call))
    except Exception as exc:
        dispatch._report(handler, event_name, exc)
    if result is not None and inspect.isawaitable(result):
        await result  # BROKEN: belongs inside the try


replace_function(ref, "_deliver", _deliver)
runcert_adapter = adapter(ref, "async_handler_await_unguarded", __doc__.splitlines()[0])

"""Breaks CB-PARITY-2: the async manager swallows a handler's KeyboardInterrupt, the sync one does not.

The async dispatcher guards each handler call with ``except BaseException`` (so that
"no handler can break the loop") and logs what it catches unless ``raise_error`` is
set. An ``Exception`` is handled as CB-DISP-3/4 require on both managers; but a
handler's ``KeyboardInterrupt`` (or any other exception that is not an ``Exception``)
still stops the caller under the sync manager and silently vanishes under the async one.
"""

import asyncio
import contextvars
import functools
import inspect

from tests._variant import adapter, private_reference, replace_function

BREAKS = "CB-PARITY-2"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
dispatch = ref.dispatch


async def _deliver(handler, event_name, ignore_flag, args, kwargs):
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
        if result is not None and inspect.isawaitable(result):
            await result
    except BaseException as exc:  # BROKEN: Exception, as the sync manager does
        dispatch.logger.warning("Error in %s.%s callback: %r", type(handler).__name__,
                                event_name, exc)
        if handler.raise_error:
            raise


replace_function(ref, "_deliver", _deliver)
runcert_adapter = adapter(ref, "async_swallows_handler_interrupts", __doc__.splitlines()[0])

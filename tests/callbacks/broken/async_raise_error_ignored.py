"""Breaks CB-DISP-3: the async manager swallows errors of raise_error handlers.

The sync manager is the reference's. The async dispatcher's per-handler delivery logs
every handler exception and never re-raises it, whatever ``raise_error`` says.
"""

import asyncio
import contextvars
import functools
import inspect

from tests._variant import adapter, private_reference, replace_function

BREAKS = "CB-DISP-3"
ALSO = {
    "CB-ASYNC-6": "with the raise_error failure swallowed, the async manager raises nothing for "
                  "CB-ASYNC-6 to observe",
    "CB-PARITY-2": "raise_error now propagates under one manager only",
}

ref = private_reference(__name__.rpartition(".")[2])
dispatch = ref.dispatch


async def _deliver(handler, event_name, ignore_flag, args, kwargs):
    try:
        if dispatch._ignores(handler, ignore_flag):
            return
        method = getattr(handler, event_name)
        if inspect.iscoroutinefunction(method) or handler.run_inline:
            result = method(*args, **dispatch._private(kwargs))
        else:
            call = functools.partial(method, *args, **dispatch._private(kwargs))
            result = await asyncio.get_running_loop().run_in_executor(
                None, functools.partial(contextvars.copy_context().run, call))
        if inspect.isawaitable(result):
            await result
    except Exception as exc:  # BROKEN: logged only, even if handler.raise_error
        dispatch.logger.warning("Error in %s.%s callback: %r", type(handler).__name__,
                                event_name, exc)


replace_function(ref, "_deliver", _deliver)
runcert_adapter = adapter(ref, "async_raise_error_ignored", __doc__.splitlines()[0])

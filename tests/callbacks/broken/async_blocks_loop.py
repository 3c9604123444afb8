"""Breaks CB-ASYNC-1: the async manager calls non-inline sync handlers on the loop.

Instead of running them in an executor, the async dispatcher calls every sync handler
directly in the event loop's thread, so a slow handler stalls every other task.
"""

import inspect

from tests._variant import adapter, private_reference, replace_function

BREAKS = "CB-ASYNC-1"
ALSO = {
    "CB-ASYNC-4": "the blocked loop runs the dispatch's remaining work only after the event "
                  "method returned: tasks are left pending",
}

ref = private_reference(__name__.rpartition(".")[2])
dispatch = ref.dispatch


async def _deliver(handler, event_name, ignore_flag, args, kwargs):
    try:
        if dispatch._ignores(handler, ignore_flag):
            return
        # BROKEN: a non-inline sync handler belongs in the loop's executor.
        result = getattr(handler, event_name)(*args, **dispatch._private(kwargs))
        if inspect.isawaitable(result):
            await result
    except Exception as exc:
        dispatch._report(handler, event_name, exc)


replace_function(ref, "_deliver", _deliver)
runcert_adapter = adapter(ref, "async_blocks_loop", __doc__.splitlines()[0])

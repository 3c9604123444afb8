"""Breaks CB-ASYNC-3: the async manager does not wait for non-inline async handlers that suspend.

Each non-inline async handler's coroutine is started eagerly (it runs at once until
its first ``await``), but the task that would run the rest of it is never awaited, as
if running "concurrently" meant not waiting: a handler that waits for anything is
still handling the event when the event method returns. Inline handlers, handlers
that finish without suspending and executor-run sync handlers are complete on return.
"""

import asyncio
import contextvars
import functools
import inspect

from tests._variant import adapter, private_reference, replace_function

BREAKS = "CB-ASYNC-3"
ALSO: dict[str, str] = {
    "CB-ASYNC-4": "the forgotten rest of a suspended handler is a task still pending when "
                  "the event method returns",
    "CB-ASYNC-5": "(SHOULD, optional unmet) a handler suspended at the scenario's end is "
                  "still running in its forgotten task, reported as a leaked task",
    "CB-ASYNC-6": "(SHOULD, optional unmet) a raise_error handler failing after it "
                  "suspended fails in the forgotten task: nothing reaches the caller",
}

ref = private_reference(__name__.rpartition(".")[2])
dispatch = ref.dispatch
_running: set = set()


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
        if result is not None and inspect.iscoroutine(result) and handler.run_inline:
            await result
        elif result is not None and inspect.iscoroutine(result):
            rest = dispatch.start(result)  # BROKEN: the rest is never awaited
            if rest is not None:
                _running.add(rest)
                rest.add_done_callback(_running.discard)
    except Exception as exc:
        dispatch._report(handler, event_name, exc)


replace_function(ref, "_deliver", _deliver)
runcert_adapter = adapter(ref, "async_handler_tail_forgotten", __doc__.splitlines()[0])

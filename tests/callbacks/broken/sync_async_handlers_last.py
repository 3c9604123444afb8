"""Breaks CB-DISP-1: the sync manager runs async handlers after all sync ones.

The sync dispatcher collects the coroutines async handlers return and runs them once
every sync handler is done (LangChain's ``handle_event`` does this), so the handlers
are not called in list order.
"""

import inspect

from tests._variant import adapter, private_reference, replace_function

BREAKS = "CB-DISP-1"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
dispatch = ref.dispatch


def handle_event(handlers, event_name, ignore_flag, args, kwargs):
    later = []
    for handler in dispatch._distinct(handlers):
        try:
            if dispatch._ignores(handler, ignore_flag):
                continue
            result = getattr(handler, event_name)(*args, **dispatch._private(kwargs))
            if result is not None and inspect.iscoroutine(result):
                later.append((handler, result))  # BROKEN: should run here, in order
        except Exception as exc:
            dispatch._report(handler, event_name, exc)
    for handler, coro in later:
        try:
            dispatch._run_to_completion(coro)
        except Exception as exc:
            dispatch._report(handler, event_name, exc)


replace_function(ref, "handle_event", handle_event)
runcert_adapter = adapter(ref, "sync_async_handlers_last", __doc__.splitlines()[0])

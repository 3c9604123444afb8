"""Breaks CB-DISP-5: on the sync manager, one failing handler starves the next ones.

The sync dispatcher catches handler errors around the whole loop instead of around
each call: after a handler raises (with ``raise_error`` false) the error is logged and
the handlers after it never receive the event.
"""

import inspect

from tests._variant import adapter, private_reference, replace_function

BREAKS = "CB-DISP-5"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
dispatch = ref.dispatch


def handle_event(handlers, event_name, ignore_flag, args, kwargs):
    handler = None
    try:  # BROKEN: the try belongs inside the loop, per handler
        for handler in dispatch._distinct(handlers):
            if dispatch._ignores(handler, ignore_flag):
                continue
            result = getattr(handler, event_name)(*args, **dispatch._private(kwargs))
            if inspect.iscoroutine(result):
                dispatch._run_to_completion(result)
    except Exception as exc:
        dispatch._report(handler, event_name, exc)


replace_function(ref, "handle_event", handle_event)
runcert_adapter = adapter(ref, "failing_handler_stops_loop", __doc__.splitlines()[0])

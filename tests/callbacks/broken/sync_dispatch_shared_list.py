"""Breaks CB-ISO-2: the sync dispatcher de-duplicates handlers into one module-level list.

To save an allocation per event, ``handle_event`` collects the distinct handlers of an
event into a list shared by every call and then calls them from it. In one thread
the list is rebuilt only after the previous event's handlers have all been called;
when requests run in several threads, a thread that rebuilds it while another is
between two handler calls makes the other's next calls go to its own handlers. The
async manager is the reference's.
"""

import inspect

from tests._variant import adapter, private_reference

BREAKS = "CB-ISO-2"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
dispatch = ref.dispatch
_order: list = []  # BROKEN: shared by every thread


def _distinct(handlers):
    if len(handlers) < 2:
        return handlers
    _order.clear()
    for handler in handlers:
        if not any(handler is seen for seen in _order):
            _order.append(handler)
    return _order


def handle_event(handlers, event_name, ignore_flag, args, kwargs):
    tags, metadata = kwargs.get("tags"), kwargs.get("metadata")
    for handler in _distinct(handlers):
        try:
            if dispatch._ignores(handler, ignore_flag):
                continue
            if tags is not None:
                kwargs["tags"] = tags.copy()
            if metadata is not None:
                kwargs["metadata"] = metadata.copy()
            result = getattr(handler, event_name)(*args, **kwargs)
            if result is not None and inspect.iscoroutine(result):
                dispatch._run_to_completion(result)
        except Exception as exc:
            dispatch._report(handler, event_name, exc)


for module in (ref.dispatch, ref.managers, ref.run_managers):
    if "handle_event" in vars(module):
        module.handle_event = handle_event
runcert_adapter = adapter(ref, "sync_dispatch_shared_list", __doc__.splitlines()[0])

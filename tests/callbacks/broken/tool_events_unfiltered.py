"""Breaks CB-IGN-4: tool events are dispatched with no ignore flag.

There is no ``ignore_tool``, and this variant concludes that tool runs have no flag at
all (``None``), so ``ignore_agent`` silences agent actions but no tool event.
"""

from tests._variant import adapter, private_reference, replace_function

BREAKS = "CB-IGN-4"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])


d = ref.dispatch
_handle, _ahandle = d.handle_event, d.ahandle_event


def handle_event(handlers, event_name, ignore_flag, args, kwargs):
    if event_name.startswith("on_tool_"):
        ignore_flag = None  # BROKEN: tool runs belong to the agent family
    _handle(handlers, event_name, ignore_flag, args, kwargs)


async def ahandle_event(handlers, event_name, ignore_flag, args, kwargs):
    if event_name.startswith("on_tool_"):
        ignore_flag = None  # BROKEN: tool runs belong to the agent family
    await _ahandle(handlers, event_name, ignore_flag, args, kwargs)


replace_function(ref, "handle_event", handle_event)
replace_function(ref, "ahandle_event", ahandle_event)
runcert_adapter = adapter(ref, "tool_events_unfiltered", __doc__.splitlines()[0])

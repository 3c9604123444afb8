"""The reference, except that tool start, end and error events ignore ``ignore_agent``.

A handler with ``ignore_agent`` still receives every tool event (agent actions and
finishes are still filtered). That is CB-IGN-4's failure; a transcript citing several
ignore rules must blame it on CB-IGN-4, not on the first of them (CB-IGN-1).
"""

from tests._variant import adapter, private_reference, replace_function

ref = private_reference("ignore_agent_on_tools_ignored")
_handle, _ahandle = ref.dispatch.handle_event, ref.dispatch.ahandle_event


def _flag(event_name, ignore_flag):
    return None if event_name.startswith("on_tool_") else ignore_flag  # BROKEN


def handle_event(handlers, event_name, ignore_flag, args, kwargs):
    _handle(handlers, event_name, _flag(event_name, ignore_flag), args, kwargs)


async def ahandle_event(handlers, event_name, ignore_flag, args, kwargs):
    await _ahandle(handlers, event_name, _flag(event_name, ignore_flag), args, kwargs)


replace_function(ref, "handle_event", handle_event)
replace_function(ref, "ahandle_event", ahandle_event)
runcert_adapter = adapter(ref, "ignore_agent_on_tools_ignored", __doc__.splitlines()[0])

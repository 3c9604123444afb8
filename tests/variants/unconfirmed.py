"""The reference, listing CB-ID-1 as a deviation it does not have, failing it otherwise.

A listed deviation is confirmed only by that rule's own check failing. These variants
fail CB-ID-1's async tests some other way, which must not read as the deviation:

- ``crashing``: the async manager's ``on_tool_start`` raises an unrelated ``TypeError``;
- ``leaking``: every async dispatch leaves a task behind that never finishes.
"""

from tests._variant import adapter, private_reference, replace_function
from tests.variants.leaky import leak_a_task

LISTED = {"CB-ID-1": "run ids are reused"}


def broken(name, before_dispatch):
    """A copy whose async dispatch calls ``before_dispatch(event_name)`` first."""
    package = private_reference(name)
    original = package.dispatch.ahandle_event

    async def ahandle_event(handlers, event_name, ignore_flag, args, kwargs):
        before_dispatch(event_name)
        await original(handlers, event_name, ignore_flag, args, kwargs)

    replace_function(package, "ahandle_event", ahandle_event)
    return adapter(package, name, __doc__.splitlines()[0], deviations=LISTED)


def crash_on_tool_start(event_name):
    if event_name == "on_tool_start":
        raise TypeError("an unrelated bug in on_tool_start")


crashing = broken("unconfirmed_crashing", crash_on_tool_start)
leaking = broken("unconfirmed_leaking", lambda event_name: leak_a_task())

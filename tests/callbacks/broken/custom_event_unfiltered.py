"""Breaks CB-CUSTOM-4: custom events are dispatched without their ignore flag.

Both managers' ``on_custom_event`` pass no flag (``None``) to the dispatcher, as for
``on_text``, so a handler whose ``ignore_custom_event`` is true still gets every
custom event.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-CUSTOM-4"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
m = ref.managers


def on_custom_event(self, name, data, run_id=None, **kwargs):
    event_kwargs = self._custom_event_kwargs(run_id, kwargs)
    ref.dispatch.handle_event(self.handlers, "on_custom_event", None,  # BROKEN: flag
                              (name, data), event_kwargs)


async def aon_custom_event(self, name, data, run_id=None, **kwargs):
    event_kwargs = self._custom_event_kwargs(run_id, kwargs)
    await ref.dispatch.ahandle_event(self.handlers, "on_custom_event", None,  # BROKEN: flag
                                     (name, data), event_kwargs)


m.CallbackManager.on_custom_event = on_custom_event
m.AsyncCallbackManager.on_custom_event = aon_custom_event
runcert_adapter = adapter(ref, "custom_event_unfiltered", __doc__.splitlines()[0])

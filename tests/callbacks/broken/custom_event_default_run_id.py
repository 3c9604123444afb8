"""Breaks CB-CUSTOM-1: custom events without a run_id all share one id.

``on_custom_event(self, name, data, run_id=uuid4(), **kwargs)``: the default is
evaluated once, when the method is defined, so every custom event dispatched without
a ``run_id`` carries the same id instead of a fresh one.
"""

from uuid import uuid4

from tests._variant import adapter, private_reference

BREAKS = "CB-CUSTOM-1"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
m = ref.managers


def on_custom_event(self, name, data, run_id=uuid4(), **kwargs):  # BROKEN: default made once
    event_kwargs = self._custom_event_kwargs(run_id, kwargs)
    ref.dispatch.handle_event(self.handlers, "on_custom_event", "ignore_custom_event",
                              (name, data), event_kwargs)


async def aon_custom_event(self, name, data, run_id=uuid4(), **kwargs):  # BROKEN: same
    event_kwargs = self._custom_event_kwargs(run_id, kwargs)
    await ref.dispatch.ahandle_event(self.handlers, "on_custom_event", "ignore_custom_event",
                                     (name, data), event_kwargs)


m.CallbackManager.on_custom_event = on_custom_event
m.AsyncCallbackManager.on_custom_event = aon_custom_event
runcert_adapter = adapter(ref, "custom_event_default_run_id", __doc__.splitlines()[0])

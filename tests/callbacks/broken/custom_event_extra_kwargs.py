"""Breaks CB-CUSTOM-3: on_custom_event() silently drops extra keyword arguments.

The reference raises ``ValueError`` when ``on_custom_event`` gets keywords other than
``run_id``; this variant ignores them and dispatches the event.
"""

from uuid import uuid4

from tests._variant import adapter, private_reference

BREAKS = "CB-CUSTOM-3"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
Base = ref.managers.BaseCallbackManager


def _custom_event_kwargs(self, run_id, extra):
    # BROKEN: ``extra`` should raise ValueError.
    return {"run_id": run_id if run_id is not None else uuid4(),
            "tags": self.tags, "metadata": self.metadata}


Base._custom_event_kwargs = _custom_event_kwargs
runcert_adapter = adapter(ref, "custom_event_extra_kwargs", __doc__.splitlines()[0])

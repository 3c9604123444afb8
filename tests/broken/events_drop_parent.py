"""Breaks CB-ID-4: in-run events (end, error, text, token, ...) carry no parent_run_id.

Start events are correct; every event a run manager dispatches afterwards says
``parent_run_id=None``, so a handler cannot place the end of a sub-run in the tree.
"""

from tests.broken._variant import adapter, private_reference

BREAKS = "CB-ID-4"

ref = private_reference(__name__.rpartition(".")[2])
BaseRunManager = ref.run_managers.BaseRunManager


def _event_kwargs(self, kwargs):
    kwargs.update(run_id=self.run_id, parent_run_id=None,  # BROKEN: self.parent_run_id
                  tags=self.tags)
    return kwargs


BaseRunManager._event_kwargs = _event_kwargs
runcert_adapter = adapter(ref, "events_drop_parent", __doc__.splitlines()[0])

"""Breaks CB-CHILD-2: get_child() copies the run's local handlers into the child.

The reference builds the child from ``inheritable_handlers``; this variant uses
``handlers`` for both of the child's lists, so a constructor (local) handler of a run
also receives the events of every sub-run.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-CHILD-2"
ALSO = {
    "CB-SCOPE-2": "a constructor-scoped (local) handler reaches the sub-runs",
    "CB-SYNC-3": "get_sync().get_child() carries the local handlers too",
    "CB-CUSTOM-1": "custom events of sub-runs reach the local handler that should not see them "
                   "(transcript)",
}

ref = private_reference(__name__.rpartition(".")[2])
BaseRunManager = ref.run_managers.BaseRunManager
_reference_child = BaseRunManager._child


def _child(self, cls, tag=None):
    child = _reference_child(self, cls, tag)
    child.handlers = list(self.handlers)  # BROKEN: should be self.inheritable_handlers
    child.inheritable_handlers = list(self.handlers)
    return child


BaseRunManager._child = _child
runcert_adapter = adapter(ref, "child_local_handlers", __doc__.splitlines()[0])

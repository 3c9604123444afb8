"""Breaks CB-CHILD-4: a child of a run without inheritable metadata shares the run's dict.

The reference gives every child manager dicts of its own. This variant copies the run's
inheritable metadata into the child only when there is something to copy; otherwise the
child's ``metadata`` *is* the run's (empty) ``inheritable_metadata``. The first child that
adds metadata writes it into the run, so its siblings (and every later child) see it.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-CHILD-4"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
BaseRunManager = ref.run_managers.BaseRunManager
_reference_child = BaseRunManager._child


def _child(self, cls, tag=None):
    child = _reference_child(self, cls, tag)
    inherited = self.inheritable_metadata
    child.metadata = dict(inherited) if inherited else inherited  # BROKEN: copies only if non-empty
    return child


BaseRunManager._child = _child
runcert_adapter = adapter(ref, "child_shares_empty_metadata", __doc__.splitlines()[0])

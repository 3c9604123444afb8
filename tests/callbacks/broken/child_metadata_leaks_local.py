"""Breaks CB-META-2: get_child() passes the run's local metadata down, inheritable winning.

The reference gives the child the run's ``inheritable_metadata`` only; this variant
builds the child's metadata as the run's metadata updated with its inheritable metadata,
so a component's own (local) metadata labels its sub-runs too (only where no inheritable
value has the same key).
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-META-2"
ALSO: dict[str, str] = {
    "CB-META-1": "in the golden transcripts, start events below a component carry its local "
                 "metadata, so they differ from their starting manager's metadata",
    "CB-CUSTOM-1": "in the golden transcripts, a custom event dispatched below a component "
                   "carries that component's local metadata",
}

ref = private_reference(__name__.rpartition(".")[2])
BaseRunManager = ref.run_managers.BaseRunManager
_reference_child = BaseRunManager._child


def _child(self, cls, tag=None):
    child = _reference_child(self, cls, tag)
    child.metadata = {**self.metadata, **self.inheritable_metadata}  # BROKEN: local leaks
    return child


BaseRunManager._child = _child
runcert_adapter = adapter(ref, "child_metadata_leaks_local", __doc__.splitlines()[0])

"""Breaks CB-MERGE-1: copy() of a trace group's manager makes every handler inheritable.

The group managers override ``copy()`` to rebuild the manager around the same group
run, re-adding each handler with ``add_handler(handler)``, whose ``inherit`` defaults
to true: the copy's local handlers become inheritable ones (and would reach every
sub-run started through the copy). Tags and metadata are copied as they are.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-MERGE-1"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])


def copy(self):
    copied = type(self)([], parent_run_id=self.parent_run_id,
                        parent_run_manager=self.parent_run_manager, tags=self.tags,
                        inheritable_tags=self.inheritable_tags, metadata=self.metadata,
                        inheritable_metadata=self.inheritable_metadata)
    copied._state = self._state
    for handler in self.handlers:
        copied.add_handler(handler)  # BROKEN: inherit=handler in self.inheritable_handlers
    return copied


ref.group._GroupMember.copy = copy
runcert_adapter = adapter(ref, "group_copy_local_handlers_inheritable", __doc__.splitlines()[0])

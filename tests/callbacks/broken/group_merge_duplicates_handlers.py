"""Breaks CB-MERGE-2: merge() of a trace group's manager lists shared handlers twice.

The group managers override ``merge()`` and concatenate both sides' handler and tag
lists instead of taking their union: a handler (or tag) present on both sides is
listed twice in the merged manager. Dispatch still calls such a handler once
(CB-SCOPE-4), so only the merged manager's fields show it.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-MERGE-2"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])


def merge(self, other):
    return self._spawn(  # BROKEN: each list should be a union, each entry once
        handlers=self.handlers + other.handlers,
        inheritable_handlers=self.inheritable_handlers + other.inheritable_handlers,
        parent_run_id=self.parent_run_id if self.parent_run_id is not None
        else other.parent_run_id,
        tags=self.tags + other.tags,
        inheritable_tags=self.inheritable_tags + other.inheritable_tags,
        metadata={**self.metadata, **other.metadata},
        inheritable_metadata={**self.inheritable_metadata, **other.inheritable_metadata})


ref.group._GroupMember.merge = merge
runcert_adapter = adapter(ref, "group_merge_duplicates_handlers", __doc__.splitlines()[0])

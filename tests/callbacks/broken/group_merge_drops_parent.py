"""Breaks CB-MERGE-2: merge() of a trace group's manager loses the group's parent_run_id.

The group managers override ``merge()`` to keep their group run manager and "ended"
state, but take ``parent_run_id`` from the other manager, which usually has none:
runs started through ``group.merge(config)`` are roots instead of children of the
group run, though ending the merged manager still ends the group.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-MERGE-2"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
_reference_merge = ref.managers.BaseCallbackManager.merge


def merge(self, other):
    merged = _reference_merge(self, other)
    merged.parent_run_id = other.parent_run_id  # BROKEN: self's comes first
    return merged


ref.group._GroupMember.merge = merge
runcert_adapter = adapter(ref, "group_merge_drops_parent", __doc__.splitlines()[0])

"""Breaks CB-MERGE-2: merge() of a trace group's manager makes every handler inheritable.

The group managers override ``merge()`` to keep their group run: the merged manager
starts empty and each handler of both sides is re-added with ``add_handler(handler)``,
whose ``inherit`` defaults to true, then the inheritable ones again with
``inherit=True`` (LangChain's ``CallbackManagerForChainGroup.merge`` has this shape):
local handlers of either side become inheritable.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-MERGE-2"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
_union = ref.managers._union


def merge(self, other):
    merged = self._spawn(
        handlers=[], inheritable_handlers=[],
        parent_run_id=self.parent_run_id if self.parent_run_id is not None
        else other.parent_run_id,
        tags=_union(self.tags, other.tags),
        inheritable_tags=_union(self.inheritable_tags, other.inheritable_tags),
        metadata={**self.metadata, **other.metadata},
        inheritable_metadata={**self.inheritable_metadata, **other.inheritable_metadata})
    for handler in self.handlers + other.handlers:
        merged.add_handler(handler)  # BROKEN: inherit defaults to True
    for handler in self.inheritable_handlers + other.inheritable_handlers:
        merged.add_handler(handler, inherit=True)
    return merged


ref.group._GroupMember.merge = merge
runcert_adapter = adapter(ref, "group_merge_local_handlers_inheritable",
                          __doc__.splitlines()[0])

"""Breaks CB-MERGE-2: a.merge(b) drops b's inheritable metadata.

Handlers, tags and local metadata are merged as the reference does, but the merged
manager's ``inheritable_metadata`` is only ``a``'s.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-MERGE-2"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
Base = ref.managers.BaseCallbackManager
_reference_merge = Base.merge


def merge(self, other):
    merged = _reference_merge(self, other)
    merged.inheritable_metadata = dict(self.inheritable_metadata)  # BROKEN: loses other's
    return merged


Base.merge = merge
runcert_adapter = adapter(ref, "merge_drops_inheritable_metadata", __doc__.splitlines()[0])

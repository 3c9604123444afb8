"""Breaks CB-CHILD-3: the tag given to get_child(tag) is made inheritable.

The reference adds the tag with ``inherit=False`` so it labels the child's runs only;
this variant adds it with ``inherit=True``, so it leaks into every grandchild.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-CHILD-3"
ALSO = {
    "CB-TAG-1": "the child's tag shows up in the sub-runs' tags",
    "CB-CUSTOM-1": "custom events of sub-runs carry the inherited child tag (transcript)",
}

ref = private_reference(__name__.rpartition(".")[2])
BaseRunManager = ref.run_managers.BaseRunManager
_reference_child = BaseRunManager._child


def _child(self, cls, tag=None):
    child = _reference_child(self, cls, None)
    if tag is not None:
        child.add_tags([tag], inherit=True)  # BROKEN: should be inherit=False
    return child


BaseRunManager._child = _child
runcert_adapter = adapter(ref, "child_tag_inherited", __doc__.splitlines()[0])

"""Breaks CB-CONS-6: remove_tags() removes tags from tags but not from inheritable_tags.

The reference removes the tags from both lists; this variant forgets the inheritable
list, so a removed tag still labels every sub-run.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-CONS-6"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
Base = ref.managers.BaseCallbackManager
_remove_all = ref.managers._remove_all


def remove_tags(self, tags):
    _remove_all(self.tags, tags)  # BROKEN: inheritable_tags keeps them


Base.remove_tags = remove_tags
runcert_adapter = adapter(ref, "remove_tags_keeps_inheritable", __doc__.splitlines()[0])

"""Breaks CB-TAG-2: get_child() of a tool run gives the child the inherited tags as local only.

The reference copies the run's ``inheritable_tags`` into both the child's ``tags`` and
its ``inheritable_tags``; this variant's tool run managers fill ``tags`` only (as if a
tool's sub-calls were leaves), so request tags label the runs a tool makes but none of
the runs below them.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-TAG-2"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
_reference_child = ref.run_managers.BaseRunManager._child
TOOL_RUNS = (ref.CallbackManagerForToolRun, ref.AsyncCallbackManagerForToolRun)


def _child(self, cls, tag=None):
    child = _reference_child(self, cls, tag)
    if isinstance(self, TOOL_RUNS):
        child.inheritable_tags = []  # BROKEN: should be a copy of self.inheritable_tags
    return child


ref.run_managers.BaseRunManager._child = _child
runcert_adapter = adapter(ref, "child_tags_not_inheritable", __doc__.splitlines()[0])

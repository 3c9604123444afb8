"""Breaks CB-SCOPE-1: request handlers stop being inherited below the sixth level of runs.

The reference hands the inheritable handlers down at any depth; this variant, guarding
against runaway recursion, gives the child manager of a run six levels deep (or deeper)
no handlers, so a request handler sees the top of a deep call tree (an agent loop, a
recursive graph) and nothing below it.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-SCOPE-1"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
_reference_child = ref.run_managers.BaseRunManager._child
MAX_DEPTH = 6
_depth: dict = {}  # run id -> its depth in the call tree (a root run is at depth 1)


def _child(self, cls, tag=None):
    child = _reference_child(self, cls, tag)
    depth = _depth[self.run_id] = _depth.get(self.parent_run_id, 0) + 1
    if depth >= MAX_DEPTH:  # BROKEN: inheritance must not stop at any depth
        child.handlers, child.inheritable_handlers = [], []
    return child


ref.run_managers.BaseRunManager._child = _child
runcert_adapter = adapter(ref, "deep_runs_lose_handlers", __doc__.splitlines()[0])

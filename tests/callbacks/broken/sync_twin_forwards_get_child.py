"""Breaks CB-SYNC-3: get_sync().get_child() returns the async run's (async) child manager.

The reference's sync twin is a sync run manager in its own right; this variant's twin
forwards ``get_child`` to the async run manager it mirrors, so sync helpers that make
sub-calls through ``get_sync().get_child()`` get an ``AsyncCallbackManager`` whose start
methods are coroutines.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-SYNC-3"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
BaseRunManager = ref.run_managers.BaseRunManager
_reference_as = BaseRunManager._as


def _as(self, cls):
    twin = _reference_as(self, cls)
    if hasattr(self, "get_child"):
        twin.get_child = self.get_child  # BROKEN: the twin's children must be sync managers
    return twin


BaseRunManager._as = _as
runcert_adapter = adapter(ref, "sync_twin_forwards_get_child", __doc__.splitlines()[0])

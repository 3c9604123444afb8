"""Breaks CB-SYNC-1: get_sync() returns a run manager without the run's local handlers.

The sync twin is built with ``handlers=inheritable_handlers``, so its ``handlers`` differ
from the async run manager's (and events sent through it miss the local handlers).
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-SYNC-1"
ALSO = {
    "CB-SYNC-2": "events through get_sync() miss the local handlers",
}

ref = private_reference(__name__.rpartition(".")[2])
BaseRunManager = ref.run_managers.BaseRunManager


def _as(self, cls):
    return cls(run_id=self.run_id,
               handlers=self.inheritable_handlers,  # BROKEN: should be self.handlers
               inheritable_handlers=self.inheritable_handlers,
               parent_run_id=self.parent_run_id, tags=self.tags,
               inheritable_tags=self.inheritable_tags, metadata=self.metadata,
               inheritable_metadata=self.inheritable_metadata)


BaseRunManager._as = _as
runcert_adapter = adapter(ref, "get_sync_drops_local", __doc__.splitlines()[0])

"""Breaks CB-PAIR-2: a run manager shares the starting manager's handler list.

``_begin`` hands the manager's own ``handlers`` list to the run manager instead of a
copy, so a handler added to the manager after a run started receives that run's
later events (its end included) although it never received its start.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-PAIR-2"
ALSO: dict[str, str] = {
    "CB-PAIR-5": "(SHOULD) handlers added or removed after the start change the run's audience",
}

ref = private_reference(__name__.rpartition(".")[2])
Base = ref.managers.BaseCallbackManager
_reference_begin = Base._begin


def _begin(self, cls, run_id):
    run = _reference_begin(self, cls, run_id)
    run.handlers = self.handlers  # BROKEN: the run must keep its own copy
    return run


Base._begin = _begin
runcert_adapter = adapter(ref, "run_shares_handler_list", __doc__.splitlines()[0])

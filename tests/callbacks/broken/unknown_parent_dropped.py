"""Breaks CB-ID-6: a manager's parent_run_id is dropped unless it names a run started here.

The reference starts runs under the manager's ``parent_run_id`` whatever it is; this
variant, to avoid "dangling" parents, keeps it only if it is the id of a run this
process started, so a manager built with the id of a parent created elsewhere (another
process, a trace) starts root runs.
"""

import weakref

from tests._variant import adapter, private_reference

BREAKS = "CB-ID-6"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
Base = ref.managers.BaseCallbackManager
_reference_begin = Base._begin
_started: "weakref.WeakValueDictionary" = weakref.WeakValueDictionary()


def _begin(self, cls, run_id):
    run = _reference_begin(self, cls, run_id)
    if run.parent_run_id not in _started:
        run.parent_run_id = None  # BROKEN: a parent started elsewhere is a valid parent
    _started[run.run_id] = run
    return run


Base._begin = _begin
runcert_adapter = adapter(ref, "unknown_parent_dropped", __doc__.splitlines()[0])

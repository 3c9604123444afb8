"""Breaks CB-ID-2: an explicit run_id passed to a start method is ignored.

Every run gets a fresh uuid4, whatever the caller passed as ``run_id``.
"""

from tests.broken._variant import adapter, private_reference

BREAKS = "CB-ID-2"

ref = private_reference(__name__.rpartition(".")[2])
Base = ref.managers.BaseCallbackManager
_reference_begin = Base._begin


def _begin(self, cls, run_id):
    return _reference_begin(self, cls, None)  # BROKEN: drops the caller's run_id


Base._begin = _begin
runcert_adapter = adapter(ref, "explicit_run_id_ignored", __doc__.splitlines()[0])

"""Breaks CB-ID-2: an explicit run_id passed to a start method is ignored.

Every run gets a fresh uuid4, whatever the caller passed as ``run_id``.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-ID-2"
ALSO = {
    "CB-ID-3": "the first run of a multi-prompt start does not get the explicit run_id",
    "CB-GROUP-4": "the group run does not get its explicit run_id",
    "CB-GROUP-5": "the async group run does not get its explicit run_id",
}

ref = private_reference(__name__.rpartition(".")[2])
Base = ref.managers.BaseCallbackManager
_reference_begin = Base._begin


def _begin(self, cls, run_id):
    return _reference_begin(self, cls, None)  # BROKEN: drops the caller's run_id


Base._begin = _begin
runcert_adapter = adapter(ref, "explicit_run_id_ignored", __doc__.splitlines()[0])

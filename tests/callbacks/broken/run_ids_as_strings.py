"""Breaks CB-ID-1: generated run ids are strings, not uuid.UUID.

The reference gives a run without ``run_id`` a fresh ``uuid.UUID``; this variant uses
``str(uuid4())``, as tracers that key runs by string do, so the run manager's
``run_id`` and the events' ``run_id`` are strings.
"""

from uuid import uuid4

from tests._variant import adapter, lenient_ids, private_reference

BREAKS = "CB-ID-1"
ALSO: dict[str, str] = {
    "CB-ID-3": "the runs of a batch get generated ids too, which are strings, not the fresh "
               "uuid.UUID ids CB-ID-3 requires for every run after the first",
}

ref = private_reference(__name__.rpartition(".")[2])
Base = ref.managers.BaseCallbackManager
_reference_begin = Base._begin


def _begin(self, cls, run_id):
    return _reference_begin(self, cls, run_id if run_id is not None
                            else str(uuid4()))  # BROKEN: should be a uuid.UUID


Base._begin = _begin
lenient_ids(ref)  # the copy takes its string ids back
runcert_adapter = adapter(ref, "run_ids_as_strings", __doc__.splitlines()[0])

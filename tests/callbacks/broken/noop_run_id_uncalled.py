"""Breaks CB-NOOP-2: the noop run manager's run_id is the uuid4 function, not a UUID.

The reference builds the noop manager with ``run_id=uuid4()``; this variant forgets the
call, so code reading the noop manager's ``run_id`` gets a function.
"""

from uuid import uuid4

from tests._variant import adapter, lenient_ids, private_reference

BREAKS = "CB-NOOP-2"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])


@classmethod
def get_noop_manager(cls):
    return cls(run_id=uuid4, handlers=[], inheritable_handlers=[])  # BROKEN: uuid4 not called


ref.run_managers.BaseRunManager.get_noop_manager = get_noop_manager
lenient_ids(ref)  # the copy's run-manager constructor takes the function as a run id
runcert_adapter = adapter(ref, "noop_run_id_uncalled", __doc__.splitlines()[0])

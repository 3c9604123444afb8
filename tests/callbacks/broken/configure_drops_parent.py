"""Breaks CB-ID-5: configure(inheritable_callbacks=<manager>) drops the manager's parent_run_id.

The reference copies the given manager's ``parent_run_id`` with its lists; this variant
copies the handlers, tags and metadata only, so a sub-call configured from a child
manager (as every component does with the callbacks it is given) starts root runs
instead of runs linked to its caller.
"""

from tests._variant import adapter, after_configure, private_reference

BREAKS = "CB-ID-5"
ALSO: dict[str, str] = {
    "CB-SCOPE-3": "configure's copy of the given manager misses its parent_run_id, one of "
                  "the fields CB-SCOPE-3 says it starts from",
    "CB-ID-4": "the golden transcripts' sub-runs, configured from their caller's child "
               "manager, carry parent_run_id None instead of the caller's run id",
    "CB-ISO-3": "each request's component runs are configured from the request's child "
                "manager, so they lose their parent (the request's root run)",
    "CB-GROUP-1": "runs started inside a trace group are configured from the group manager, "
                  "so they are not linked to the group run",
}

ref = private_reference(__name__.rpartition(".")[2])


def _drop_parent(manager, args):
    if isinstance(args["inheritable_callbacks"], ref.managers.BaseCallbackManager):
        manager.parent_run_id = None  # BROKEN: should keep the given manager's parent_run_id


after_configure(ref, _drop_parent)
runcert_adapter = adapter(ref, "configure_drops_parent", __doc__.splitlines()[0])

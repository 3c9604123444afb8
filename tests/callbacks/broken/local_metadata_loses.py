"""Breaks CB-META-3: inheritable_metadata overrides local_metadata in configure().

On a key given to both, the run's own (local) value must win; this variant applies the
inheritable metadata last, so the request's value wins.
"""

from tests._variant import adapter, after_configure, private_reference

BREAKS = "CB-META-3"
ALSO = {
    "CB-META-1": "start events carry the inherited value where the local one must win",
}

ref = private_reference(__name__.rpartition(".")[2])


def inheritable_wins(manager, args):
    local, inheritable = args["local_metadata"] or {}, args["inheritable_metadata"] or {}
    for key in set(local) & set(inheritable):
        manager.metadata[key] = inheritable[key]  # BROKEN: local should win


after_configure(ref, inheritable_wins)

runcert_adapter = adapter(ref, "local_metadata_loses", __doc__.splitlines()[0])

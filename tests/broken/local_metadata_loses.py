"""Breaks CB-META-3: inheritable_metadata overrides local_metadata in configure().

On a key given to both, the run's own (local) value must win; this variant applies the
inheritable metadata last, so the request's value wins.
"""

from tests.broken._variant import adapter, private_reference

BREAKS = "CB-META-3"

ref = private_reference(__name__.rpartition(".")[2])
Base = ref.managers.BaseCallbackManager
_reference_configure = Base.configure.__func__


def configure(cls, inheritable_callbacks=None, local_callbacks=None, verbose=False,
              inheritable_tags=None, local_tags=None, inheritable_metadata=None,
              local_metadata=None):
    manager = _reference_configure(
        cls, inheritable_callbacks, local_callbacks, verbose, inheritable_tags, local_tags,
        inheritable_metadata, local_metadata)
    for key in set(local_metadata or {}) & set(inheritable_metadata or {}):
        manager.metadata[key] = inheritable_metadata[key]  # BROKEN: local should win
    return manager


Base.configure = classmethod(configure)
runcert_adapter = adapter(ref, "local_metadata_loses", __doc__.splitlines()[0])

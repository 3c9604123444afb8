"""Breaks CB-VERB-1: verbose=True adds the stdout handler as an inheritable handler.

The stdout handler should be local to the configured manager; this variant also puts
it in ``inheritable_handlers``, so every sub-run prints too.
"""

from tests.broken._variant import adapter, private_reference

BREAKS = "CB-VERB-1"

ref = private_reference(__name__.rpartition(".")[2])
Base = ref.managers.BaseCallbackManager
_reference_configure = Base.configure.__func__


def configure(cls, inheritable_callbacks=None, local_callbacks=None, verbose=False,
              inheritable_tags=None, local_tags=None, inheritable_metadata=None,
              local_metadata=None):
    manager = _reference_configure(
        cls, inheritable_callbacks, local_callbacks, verbose, inheritable_tags, local_tags,
        inheritable_metadata, local_metadata)
    if verbose:
        for handler in manager.handlers:
            if isinstance(handler, ref.StdOutCallbackHandler):
                manager.add_handler(handler, inherit=True)  # BROKEN: should stay local
    return manager


Base.configure = classmethod(configure)
runcert_adapter = adapter(ref, "verbose_inheritable", __doc__.splitlines()[0])

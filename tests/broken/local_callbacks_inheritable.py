"""Breaks CB-SCOPE-2: configure() makes local (constructor) callbacks inheritable.

The reference adds ``local_callbacks`` with ``inherit=False``; this variant adds them
to ``inheritable_handlers`` as well, so they leak into every sub-run.
"""

from tests.broken._variant import adapter, private_reference

BREAKS = "CB-SCOPE-2"

ref = private_reference(__name__.rpartition(".")[2])
Base = ref.managers.BaseCallbackManager
_reference_configure = Base.configure.__func__


def configure(cls, inheritable_callbacks=None, local_callbacks=None, verbose=False,
              inheritable_tags=None, local_tags=None, inheritable_metadata=None,
              local_metadata=None):
    manager = _reference_configure(
        cls, inheritable_callbacks, local_callbacks, verbose, inheritable_tags, local_tags,
        inheritable_metadata, local_metadata)
    local = (local_callbacks.handlers if isinstance(local_callbacks, Base)
             else local_callbacks or [])
    for handler in local:
        manager.add_handler(handler, inherit=True)  # BROKEN: should be inherit=False
    return manager


Base.configure = classmethod(configure)
runcert_adapter = adapter(ref, "local_callbacks_inheritable", __doc__.splitlines()[0])

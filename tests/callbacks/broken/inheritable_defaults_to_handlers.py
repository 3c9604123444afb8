"""Breaks CB-CONS-1: a manager built with handlers only makes them inheritable too.

The reference turns an omitted ``inheritable_handlers`` into an empty list; this variant
falls back to ``handlers`` (``inheritable_handlers or handlers``), so ``Manager([h])``
holds ``h`` as an inheritable handler as well.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-CONS-1"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
Base = ref.managers.BaseCallbackManager
_reference_init = Base.__init__


def __init__(self, handlers, inheritable_handlers=None, parent_run_id=None, **fields):
    # BROKEN: an omitted inheritable_handlers should be empty, not the handlers
    _reference_init(self, handlers, inheritable_handlers if inheritable_handlers is not None
                    else handlers, parent_run_id, **fields)


Base.__init__ = __init__
runcert_adapter = adapter(ref, "inheritable_defaults_to_handlers", __doc__.splitlines()[0])

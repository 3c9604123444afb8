"""Breaks CB-SCOPE-5: managers built without inheritable handlers share one default list.

The reference gives every manager a fresh empty list; this variant keeps a mutable
default (``inheritable_handlers=[]`` in the signature, stored without a copy), so a
handler added as inheritable to one such manager appears on every other one.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-SCOPE-5"
ALSO: dict[str, str] = {
    "CB-CONS-5": "the handler-mutation test's manager, built without inheritable handlers, "
                 "starts from the shared list an earlier manager (the other lane's run of the "
                 "same test) filled, so add_handler() finds unexpected inheritable handlers",
}

ref = private_reference(__name__.rpartition(".")[2])
Base = ref.managers.BaseCallbackManager
_reference_init = Base.__init__
_DEFAULT: list = []


def __init__(self, handlers, inheritable_handlers=None, parent_run_id=None, **fields):
    _reference_init(self, handlers, inheritable_handlers, parent_run_id, **fields)
    if inheritable_handlers is None:
        self.inheritable_handlers = _DEFAULT  # BROKEN: one mutable default for every manager


Base.__init__ = __init__
runcert_adapter = adapter(ref, "shared_default_handlers", __doc__.splitlines()[0])

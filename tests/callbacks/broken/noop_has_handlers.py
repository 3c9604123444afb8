"""Breaks CB-NOOP-1: get_noop_manager() returns a manager with a default handler.

The noop run manager is built with a module-level default handler list (a stdout
handler left in for debugging) instead of no handlers, so its events are dispatched.
"""

from uuid import uuid4

from tests._variant import adapter, private_reference

BREAKS = "CB-NOOP-1"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
BaseRunManager = ref.run_managers.BaseRunManager
_DEFAULT_HANDLERS = [ref.StdOutCallbackHandler()]


def get_noop_manager(cls):
    return cls(run_id=uuid4(), handlers=_DEFAULT_HANDLERS,  # BROKEN: should be []
               inheritable_handlers=[])


BaseRunManager.get_noop_manager = classmethod(get_noop_manager)
runcert_adapter = adapter(ref, "noop_has_handlers", __doc__.splitlines()[0])

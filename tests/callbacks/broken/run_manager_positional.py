"""Breaks CB-CONS-2: run managers accept their fields positionally.

The documented run-manager signature is keyword-only (``*, run_id, handlers, ...``);
this variant drops the ``*``, so ``CallbackManagerForChainRun(run_id, handlers,
inheritable_handlers)`` builds a manager instead of raising ``TypeError``.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-CONS-2"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
BaseRunManager = ref.run_managers.BaseRunManager
_reference_init = BaseRunManager.__init__


def __init__(self, run_id, handlers, inheritable_handlers, parent_run_id=None, tags=None,
             inheritable_tags=None, metadata=None, inheritable_metadata=None):
    # BROKEN: no `*`: the fields may be given by position
    _reference_init(self, run_id=run_id, handlers=handlers,
                    inheritable_handlers=inheritable_handlers, parent_run_id=parent_run_id,
                    tags=tags, inheritable_tags=inheritable_tags, metadata=metadata,
                    inheritable_metadata=inheritable_metadata)


BaseRunManager.__init__ = __init__
runcert_adapter = adapter(ref, "run_manager_positional", __doc__.splitlines()[0])

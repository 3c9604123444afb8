"""Breaks CB-CONS-3: configure() with no callbacks adopts the run in progress as parent.

The reference's ``configure()`` without arguments is a manager with nothing; this variant
remembers the last run started in the current context (a context variable) and gives it
to every manager configured without inheritable callbacks as its ``parent_run_id``, as
implicit tracing contexts do, so a component called without callbacks is silently
attached to whatever run its caller happens to be in.
"""

from contextvars import ContextVar

from tests._variant import adapter, after_configure, private_reference

BREAKS = "CB-CONS-3"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
Base = ref.managers.BaseCallbackManager
_reference_begin = Base._begin
_current_run: ContextVar = ContextVar("_current_run", default=None)


def _begin(self, cls, run_id):
    run = _reference_begin(self, cls, run_id)
    _current_run.set(run.run_id)
    return run


def _implicit_parent(manager, args):
    if args["inheritable_callbacks"] is None:
        manager.parent_run_id = _current_run.get()  # BROKEN: picked up from the context


Base._begin = _begin
after_configure(ref, _implicit_parent)
runcert_adapter = adapter(ref, "configure_implicit_parent", __doc__.splitlines()[0])

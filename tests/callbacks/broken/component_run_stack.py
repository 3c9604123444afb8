"""Breaks CB-ISO-3: a component's runs are parented by a run stack kept per constructor handler.

Like the global tracer's run stack that explicit parent ids replaced, the manager
remembers, for each constructor (local) handler, the runs it has open, and starts a
new run of a manager holding that handler under the innermost of them instead of
under the manager's ``parent_run_id``. One call at a time nothing is open when the
component starts, so nothing changes; when requests share a component concurrently,
the component's run in one request is parented under its open run in another.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-ISO-3"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
Base = ref.managers.BaseCallbackManager
RunManager = ref.run_managers.RunManager
AsyncRunManager = ref.run_managers.AsyncRunManager
_reference_begin = Base._begin
_reference_emit = RunManager._emit
_reference_aemit = AsyncRunManager._emit
_reference_aemit_final = AsyncRunManager._emit_final

_open: dict = {}  # BROKEN: id(constructor handler) -> its runs, innermost last
_ended: set = set()


def _begin(self, cls, run_id):
    run = _reference_begin(self, cls, run_id)
    local = [h for h in self.handlers if h not in self.inheritable_handlers]
    for handler in local:
        still_open = [r for r in _open.get(id(handler), []) if r not in _ended]
        if still_open:
            run.parent_run_id = still_open[-1]  # BROKEN: the manager's parent_run_id
            break
    for handler in local:
        _open.setdefault(id(handler), []).append(run.run_id)
    return run


def _closing(run, event_name):
    if event_name.endswith(("_end", "_error")):
        _ended.add(run.run_id)


def _emit(self, event_name, ignore_flag, args, kwargs):
    _closing(self, event_name)
    return _reference_emit(self, event_name, ignore_flag, args, kwargs)


def _aemit(self, event_name, ignore_flag, args, kwargs):
    _closing(self, event_name)
    return _reference_aemit(self, event_name, ignore_flag, args, kwargs)


def _aemit_final(self, event_name, ignore_flag, args, kwargs):
    _closing(self, event_name)
    return _reference_aemit_final(self, event_name, ignore_flag, args, kwargs)


Base._begin = _begin
RunManager._emit = _emit
AsyncRunManager._emit = _aemit
AsyncRunManager._emit_final = _aemit_final
runcert_adapter = adapter(ref, "component_run_stack", __doc__.splitlines()[0])

"""Breaks CB-EV-9: error events deliver the error's cause instead of the error.

The run managers "report the root cause": an error raised ``from`` another one reaches
the handlers as its ``__cause__``, so they never see the error the caller gave.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-EV-9"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
rm = ref.run_managers
_event_kwargs = rm.BaseRunManager._event_kwargs
_emit, _aemit_final = rm.RunManager._emit, rm.AsyncRunManager._emit_final


def _root_cause(event_name, args):
    if event_name.endswith("_error") and args[0].__cause__ is not None:
        return (args[0].__cause__,)  # BROKEN: the error itself must be delivered
    return args


def emit(self, event_name, ignore_flag, args, kwargs):
    _emit(self, event_name, ignore_flag, _root_cause(event_name, args), kwargs)


def emit_final(self, event_name, ignore_flag, args, kwargs):
    return _aemit_final(self, event_name, ignore_flag, _root_cause(event_name, args), kwargs)


rm.RunManager._emit = emit
rm.AsyncRunManager._emit_final = emit_final
runcert_adapter = adapter(ref, "error_reports_cause", __doc__.splitlines()[0])

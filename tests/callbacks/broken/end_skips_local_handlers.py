"""Breaks CB-PAIR-1: end and error events reach only the run's inheritable handlers.

A local (constructor) handler receives the start of a run but never its end or error,
so the run stays open for it; request handlers see every event as usual.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-PAIR-1"
ALSO = {
    "CB-SCOPE-2": "local handlers miss the run's end",
    "CB-SCOPE-4": "a local handler listed twice misses the end it should get once",
    "CB-VERB-5": "the verbose stdout handler is local: it never prints the chain's end line",
}

ref = private_reference(__name__.rpartition(".")[2])
RunManager = ref.run_managers.RunManager
AsyncRunManager = ref.run_managers.AsyncRunManager
FINAL = ("_end", "_error")


def _audience(run, event_name):
    # BROKEN: the end of a run must reach every handler that saw its start.
    return run.inheritable_handlers if event_name.endswith(FINAL) else run.handlers


def _emit(self, event_name, ignore_flag, args, kwargs):
    ref.dispatch.handle_event(_audience(self, event_name), event_name, ignore_flag, args,
                              self._event_kwargs(kwargs))


def _emit_final(self, event_name, ignore_flag, args, kwargs):
    return ref.dispatch.ahandle_event_shielded(_audience(self, event_name), event_name,
                                               ignore_flag, args, self._event_kwargs(kwargs))


RunManager._emit = _emit
AsyncRunManager._emit_final = _emit_final
runcert_adapter = adapter(ref, "end_skips_local_handlers", __doc__.splitlines()[0])

"""A sync-only variant of the reference that shows most outcomes in one partial run.

- no ``callbacks.async`` capability: async-only rules are *not applicable*;
- explicit run ids are ignored: CB-ID-2 *fails*, and CB-ID-3 (which the same bug
  breaks) is listed as a deviation: *known deviation*;
- ``verbose=True`` adds a second stdout handler when one is already given: CB-VERB-4
  (a SHOULD rule) is *optional unmet*;
- everything else is the reference: *pass*.
"""

from conformance.adapter import CB_SYNC, CB_TRACE_GROUP, CB_VERBOSE
from tests._variant import adapter, after_configure, given_handlers, private_reference

ref = private_reference("mixed")
Base = ref.managers.BaseCallbackManager
_reference_begin = Base._begin


def _begin(self, cls, run_id):
    return _reference_begin(self, cls, None)


def stdout_kept_twice(manager, args):
    given = given_handlers(ref, args["inheritable_callbacks"]) + given_handlers(
        ref, args["local_callbacks"])
    if args["verbose"] and any(isinstance(h, ref.StdOutCallbackHandler) for h in given):
        manager.add_handler(ref.StdOutCallbackHandler(), inherit=False)


Base._begin = _begin
after_configure(ref, stdout_kept_twice)
runcert_adapter = adapter(
    ref, "mixed", "sync-only variant with one failing, one deviating and one SHOULD rule",
    capabilities=frozenset({CB_SYNC, CB_TRACE_GROUP, CB_VERBOSE}),
    deviations={"CB-ID-3": "explicit run ids are ignored, so the first prompt's run too"})

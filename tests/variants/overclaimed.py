"""The reference, listing a deviation it does not have (CB-ID-1): strictness must object.

Only the callback capabilities are declared, so a full run certifies the callback
suites and reports the stream suites as not applicable.
"""

from dataclasses import replace

from conformance.adapter import CB_ASYNC, CB_SYNC, CB_TRACE_GROUP, CB_VERBOSE
from conformance.adapters.reference import runcert_adapter as _reference

runcert_adapter = replace(
    _reference, name="overclaimed", description="lists a deviation it does not have",
    capabilities=frozenset({CB_SYNC, CB_ASYNC, CB_TRACE_GROUP, CB_VERBOSE}),
    deviations={"CB-ID-1": "run ids are reused"})

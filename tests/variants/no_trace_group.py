"""The reference, declaring every capability but trace groups.

The golden transcript of a trace group is not applicable to it: its certification must
neither fail on that nor advise maintenance of the golden files (syrupy's "snapshot
unused ... re-run with --snapshot-update", which would delete it).
"""

from dataclasses import replace

from conformance.adapter import CB_TRACE_GROUP
from conformance.adapters.reference import runcert_adapter as _reference

runcert_adapter = replace(
    _reference, name="no_trace_group", description="the reference without trace groups",
    capabilities=_reference.capabilities - {CB_TRACE_GROUP})

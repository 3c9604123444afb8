"""Variants with version-conditional manifests (``Deviation(reason, versions=...)``).

The implementation is the broken variant that ignores explicit run ids (it breaks CB-ID-2
and CB-ID-3); each variant lists CB-ID-2 for a range of versions and claims a version
inside or outside it, as one manifest describing several releases does.
"""

from dataclasses import replace

from conformance.adapter import Deviation
from conformance.adapters.reference import runcert_adapter as _reference
from tests.callbacks.broken.explicit_run_id_ignored import runcert_adapter as _ignores_run_ids

IGNORED = "explicit run ids are ignored"
MANIFEST = {
    "CB-ID-2": [Deviation(IGNORED, versions=">=1.0,<2.0"),
                Deviation("older releases reuse the given id twice", versions="<1.0")],
    "CB-ID-3": Deviation(f"{IGNORED}, so the first prompt's run too", versions=">=1.0,<2.0"),
}


def _versioned(base, name: str, version: str, **fields):
    return replace(base, name=name, version=version, deviations=MANIFEST, **fields)


#: 1.5 is in the range: the bug is a known deviation of this release.
in_range = _versioned(_ignores_run_ids, "in_range", "1.5", supported=">=0.5,<3")
#: 2.1 is past the range: the same bug is a regression of this release, a failure.
regressed = _versioned(_ignores_run_ids, "regressed", "2.1", supported=">=0.5,<3")
#: The reference at 2.1: outside every range nothing is expected to fail.
fixed_release = _versioned(_reference, "fixed_release", "2.1", supported=">=0.5,<3")
#: The reference at 1.5: the manifest says the release deviates, yet it passes.
fixed_in_range = _versioned(_reference, "fixed_in_range", "1.5")
#: 3.0 is outside the versions the adapter supports.
unsupported = _versioned(_reference, "unsupported", "3.0", supported=">=0.5,<3")

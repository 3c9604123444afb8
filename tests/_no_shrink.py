"""pytest plugin for certifying the broken implementations: find failures, skip shrinking.

Loaded with ``-p tests._no_shrink`` after runcert has loaded its Hypothesis
profile. It keeps that profile's examples (detection is unchanged) but drops the
shrink phase, which only makes a failing example smaller and dominates the run time of
an implementation that fails a property. No example database is read or written.
"""

from __future__ import annotations

import pytest
from hypothesis import Phase, settings


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    current = settings()
    settings.register_profile(
        "runcert-broken", parent=current, database=None,
        phases=[p for p in current.phases if p is not Phase.shrink])
    settings.load_profile("runcert-broken")

"""Version-aware manifests: an entry holds for its PEP 440 range, and only there.

The same manifest over several releases (``tests/variants/versioned.py``): inside an
entry's range its rule is a known deviation; past it, the same failure is a regression
(fail); a release outside every range that passes is plainly passing; a release inside the
range that passes is "deviation fixed"; a release outside the adapter's supported range is
one usage error naming the range, before anything runs.
"""

from __future__ import annotations

import re

import pytest

from conformance.adapter import Adapter, AdapterError, Deviation, validate_adapter

from .conftest import USAGE_ERROR, suite

FAST = "--runcert-profile=fast"
IDENTITY = suite("test_identity")


def test_an_entry_holds_for_its_range_only() -> None:
    entry = Deviation("why", versions=">=1.0,<2.0")
    assert [entry.holds_for(v) for v in ("0.9", "1.0", "1.9.9", "2.0")] == [
        False, True, True, False]
    assert Deviation("why").holds_for("anything-goes")  # no range: every version


def test_known_deviations_are_those_of_the_certified_version() -> None:
    from tests.variants.versioned import fixed_release, in_range

    assert in_range.known_deviations == {
        "CB-ID-2": "explicit run ids are ignored",
        "CB-ID-3": "explicit run ids are ignored, so the first prompt's run too"}
    older = Adapter("x", "0.7", frozenset(), deviations=in_range.deviations)
    assert older.known_deviations == {"CB-ID-2": "older releases reuse the given id twice"}
    assert fixed_release.known_deviations == {}
    assert set(in_range.manifest()) == {"CB-ID-2", "CB-ID-3"}


@pytest.mark.parametrize(("fields", "message"), [
    ({"deviations": {"CB-ID-1": Deviation("why", versions="~~1")}},
     r"deviation CB-ID-1: versions='~~1' is not a PEP 440 specifier set"),
    ({"version": "nightly", "deviations": {"CB-ID-1": Deviation("why", versions="<2")}},
     r"deviation CB-ID-1: version 'nightly' is not a PEP 440 version"),
    ({"supported": "latest"}, r"supported='latest' is not a PEP 440 specifier set"),
    ({"deviations": {"CB-ID-1": 3}}, r"deviation CB-ID-1 must be a reason, a Deviation"),
    ({"deviations": {"CB-ID-1": [Deviation(" ")]}}, r"deviation CB-ID-1 needs a one-line reason"),
])
def test_malformed_version_data_is_refused(fields, message) -> None:
    adapter = Adapter(**{"name": "x", "version": "1.0", "capabilities": frozenset(), **fields})
    with pytest.raises(AdapterError, match=message):
        validate_adapter(adapter, "--impl=x")


def test_inside_the_range_the_failure_is_a_known_deviation(runcert) -> None:
    run = runcert("--impl=tests.variants.versioned:in_range", FAST, IDENTITY)
    assert run.ret == 0, run.text
    assert run.outcomes()["CB-ID-2"] == run.outcomes()["CB-ID-3"] == "known deviation"
    run.line(r"runcert: known deviations: 2 \(manifest for in_range >=0\.5,<3\)")
    assert run.report["implementation"]["supported"] == ">=0.5,<3"
    assert run.report["implementation"]["deviations"]["CB-ID-2"] == "explicit run ids are ignored"


def test_past_the_range_the_same_failure_is_a_regression(runcert) -> None:
    run = runcert("--impl=tests.variants.versioned:regressed", FAST, IDENTITY)
    assert run.ret == 1, run.text
    assert run.outcomes()["CB-ID-2"] == run.outcomes()["CB-ID-3"] == "fail"
    assert run.report["implementation"]["deviations"] == {}


def test_outside_every_range_a_passing_release_passes(runcert) -> None:
    run = runcert("--impl=tests.variants.versioned:fixed_release", FAST, IDENTITY)
    assert run.ret == 0, run.text
    assert run.outcomes()["CB-ID-2"] == run.outcomes()["CB-ID-3"] == "pass"


def test_inside_the_range_a_passing_release_is_deviation_fixed(runcert) -> None:
    run = runcert("--impl=tests.variants.versioned:fixed_in_range", FAST, timeout=300)
    assert run.ret == 1, run.text
    assert run.outcomes()["CB-ID-2"] == "deviation fixed"


@pytest.mark.parametrize(("impl", "message"), [
    ("tests.variants.versioned:unsupported",
     r"ERROR: runcert: unsupported 3\.0 is outside the versions this adapter supports "
     r"\(>=0\.5,<3\); install a version in that range"),
    ("tests.variants.unsupported_install",
     r"ERROR: runcert: --impl=tests\.variants\.unsupported_install: acme \d[^ ]* is outside "
     r"the versions this adapter supports \(<1\.0\); install a version in that range"),
])
def test_an_unsupported_release_is_one_usage_error(runcert, impl, message) -> None:
    run = runcert(f"--impl={impl}", FAST, IDENTITY)
    assert run.ret == USAGE_ERROR, run.text
    assert re.fullmatch(message, run.error_line()), run.error_line()

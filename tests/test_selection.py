"""``--runcert-rules``: rule IDs, globs and areas select the tests; the others are deselected."""

from __future__ import annotations

import re
import textwrap

import pytest

from conformance.rules import catalogue, contract_rules
from conformance.selection import SelectionError, parse, select

from .conftest import USAGE_ERROR, suite
from .test_plugin_outcomes import rule_line

FAST = "--runcert-profile=fast"
IDENTITY = suite("test_identity")
SCOPING = suite("test_scoping")

SHARED_TESTS = textwrap.dedent("""\
    import pytest

    @pytest.mark.rule("CB-ID-1", "CB-ID-2")
    def test_selected_and_unselected():
        pass

    @pytest.mark.rule("CB-ID-3")
    def test_unselected_only():
        pass

    @pytest.mark.rule("CB-ID-4")
    def test_unselected_failing():
        raise AssertionError("not looked at")
    """)


def ids(prefix: str) -> set[str]:
    return {r for r in catalogue() if r.startswith(prefix)}


@pytest.mark.parametrize(("value", "expected"), [
    ("CB-ID-1", {"CB-ID-1"}),
    ("cb-id-1, CB-ID-2", {"CB-ID-1", "CB-ID-2"}),
    ("CB-SCOPE-*", "CB-SCOPE-"),
    ("RS-BP", "RS-BP-"),
    ("CB-ID-?,RS-BP", "CB-ID-|RS-BP-"),
])
def test_patterns(value, expected):
    if isinstance(expected, str):
        expected = {r for r in catalogue() if re.match(expected, r)}
    assert expected and select(parse(value), catalogue()) == expected


def test_an_area_is_not_a_prefix():
    assert select(["CB-ID"], catalogue()) == ids("CB-ID-")
    assert not {r for r in select(["RS-SYNC"], catalogue()) if not r.startswith("RS-SYNC-")}


def test_a_pattern_matching_nothing_is_named():
    with pytest.raises(SelectionError, match=r"^'CB-NOPE-\*' matches no rule"):
        select(["CB-ID-1", "CB-NOPE-*"], catalogue())


def test_unknown_pattern_is_a_usage_error(runcert_inprocess):
    run = runcert_inprocess("--impl=reference", "--runcert-rules=CB-ID-1,CB-NOPE-3",
                            "--collect-only", IDENTITY)
    assert run.ret == USAGE_ERROR, run.text
    assert re.fullmatch(r"ERROR: runcert: --runcert-rules: 'CB-NOPE-3' matches no rule "
                        r"\(give rule IDs like CB-ID-1, globs like CB-SCOPE-\*, or areas like "
                        r"RS-BP\)", run.error_line())


def test_id_glob_and_area_select_tests(runcert):
    run = runcert("--impl=reference", FAST, "--runcert-rules=CB-ID-1,CB-SCOPE-1*,CB-ID-5",
                  IDENTITY, SCOPING)
    assert run.ret == 0, run.text
    outcomes = run.outcomes()
    selected = {"CB-ID-1", "CB-ID-5"} | {r for r in ids("CB-SCOPE-") if r.startswith("CB-SCOPE-1")}
    assert {r for r, o in outcomes.items() if o == "pass"} == selected
    others = (ids("CB-ID-") | ids("CB-SCOPE-")) - selected
    assert {r for r, o in outcomes.items() if o == "deselected"} == others
    assert run.report["selection"] == ["CB-ID-1", "CB-SCOPE-1*", "CB-ID-5"]
    assert run.report["partial"] is True
    assert all(t for r in selected for t in run.report["rules"][r]["tests"])
    assert re.search(r"\b\d+ passed, \d+ deselected\b", run.stats_line), run.stats_line
    assert "skipped" not in run.stats_line
    run.line(r"runcert: rules selected: CB-ID-1,CB-SCOPE-1\*,CB-ID-5 "
             rf"\({len(selected)} of {len(contract_rules())}\)")
    for rule in others:
        run.line(rule_line(rule, "deselected"))
    run.line(rf"runcert: rules selected by --runcert-rules=CB-ID-1,CB-SCOPE-1\*,CB-ID-5; "
             rf"the {len(others)} deselected rules are not certified by this run")


def test_a_test_citing_a_selected_rule_runs(runcert, pytester):
    """...and the unselected rules it cites are still deselected, never passes."""
    pytester.makepyfile(test_shared=SHARED_TESTS)
    run = runcert("--impl=reference", FAST, "--runcert-rules=CB-ID-1", "test_shared.py")
    assert run.ret == 0, run.text
    assert re.search(r"\b1 passed, 2 deselected\b", run.stats_line), run.stats_line
    assert run.outcomes() == {"CB-ID-1": "pass", "CB-ID-2": "deselected",
                              "CB-ID-3": "deselected", "CB-ID-4": "deselected"}
    assert run.report["rules"]["CB-ID-2"]["tests"] == [
        "test_shared.py::test_selected_and_unselected"]
    assert run.report["totals"] == {"pass": 1, "deselected": 3}


def test_selection_from_the_ini_setting(runcert, pytester):
    pytester.makepyfile(test_shared=SHARED_TESTS)
    pytester.makeini("[pytest]\nruncert_rules = CB-ID-3\n"
                     "asyncio_default_fixture_loop_scope = function\n")
    run = runcert("--impl=reference", FAST, "test_shared.py")
    assert run.outcomes()["CB-ID-3"] == "pass", run.text
    assert {o for r, o in run.outcomes().items() if r != "CB-ID-3"} == {"deselected"}


def test_selection_that_leaves_no_test_is_a_usage_error(runcert_inprocess):
    run = runcert_inprocess("--impl=reference", "--runcert-rules=RS-BP", IDENTITY)
    assert run.ret == USAGE_ERROR, run.text
    assert re.fullmatch(r"ERROR: runcert: --impl=reference collected no conformance test "
                        r"\(paths: .*; rules: RS-BP\); a certification that runs nothing "
                        r"certifies nothing", run.error_line())


def test_a_selected_run_is_partial(runcert):
    """No paths given, so the packaged suites run, but a selection is not a full run: the
    unconfirmed deviation is a pass with a note, not a failing 'deviation fixed'."""
    run = runcert("--impl=tests.variants.overclaimed", FAST, "--runcert-rules=CB-ID-1")
    assert run.ret == 0, run.text
    rule = run.report["rules"]["CB-ID-1"]
    assert rule["outcome"] == "pass"
    assert any("not confirmed by the tests of this partial run" in m for m in rule["messages"])
    assert run.report["partial"] is True
    assert {o for r, o in run.outcomes().items() if r != "CB-ID-1"} == {"deselected"}

"""The certification a run prints and writes: header, per-rule outcomes, exit code, JSON.

The implementations are the variants in ``tests/variants/``; each run drives one or two
packaged callback suite modules by path (or, for strictness, the full packaged suites).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conformance.adapters.reference import runcert_adapter as reference
from conformance.outcomes import LEGEND, SEVERITY, SYMBOL
from conformance.rules import catalogue, contract_rules

from .conftest import Run, run_pytest, suite

FAST = "--runcert-profile=fast"
IDENTITY = suite("test_identity")


def rule_line(rule: str, outcome: str) -> str:
    """Anchored regex of a rule's row in the per-rule summary."""
    r = catalogue()[rule]
    return (rf"\s*{re.escape(SYMBOL[outcome])} {re.escape(rule)}\s+{r.level}\s+"
            rf"{re.escape(outcome)}\s+{re.escape(r.title)}(  <- .*)?")


def test_header(runcert_inprocess):
    run = runcert_inprocess("--impl=reference", FAST, "--runcert-timeout=7",
                            "--runcert-await-timeout=3", "--hypothesis-seed=1234",
                            "--collect-only", IDENTITY)
    run.line(rf"runcert: implementation reference {re.escape(reference.version)} "
             rf"\(runcert reference implementation\)")
    run.line(rf"runcert: capabilities: {re.escape(', '.join(sorted(reference.capabilities)))}")
    run.line(r"runcert: known deviations: 0")
    run.line(r"runcert: hypothesis profile runcert-fast, seed 1234")
    run.line(r"runcert: time limits: 7s per test, 3s per await")


def test_header_shows_a_fresh_seed_by_default(runcert_inprocess):
    seeds = {runcert_inprocess("--impl=reference", "--collect-only", IDENTITY)
             .line(r"runcert: hypothesis profile runcert-default, seed \d+").rsplit(" ", 1)[1]
             for _ in range(2)}
    assert len(seeds) == 2, f"two runs printed the same seed {seeds}"


def test_profiles_ignore_hypothesis_ci_profile():
    """With $CI set Hypothesis loads its "ci" profile, whose derandomize draws examples from
    the test's name instead of the seed the header and the report print. The kit's profiles
    must not inherit it: the same seed, the same examples, on a laptop and in CI."""
    code = ("import hypothesis, conformance.plugin as p; from hypothesis import settings; "
            "print([settings.get_profile(f'runcert-{n}').derandomize for n in p.PROFILES])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "CI": "true"}, check=True).stdout
    assert "True" not in out and "False" in out, out


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """tests.variants.mixed over three suite modules: every outcome but timeout/fixed."""
    return run_pytest(["--impl=tests.variants.mixed", FAST, "-rs", IDENTITY,
                       suite("test_verbose"), suite("test_async_manager")],
                      cwd=tmp_path_factory.mktemp("mixed"))


def test_every_outcome_kind_in_one_partial_run(mixed_run):
    """Pass, fail, not applicable, optional unmet and known deviation, with the legend."""
    run, outcomes = mixed_run, mixed_run.outcomes()
    assert outcomes["CB-ID-1"] == "pass"
    assert outcomes["CB-ID-2"] == "fail"
    assert outcomes["CB-ID-3"] == "known deviation"
    assert outcomes["CB-VERB-4"] == "optional unmet"
    assert {outcomes[r] for r in outcomes if r.startswith("CB-ASYNC-")} == {"not applicable"}
    for rule in ("CB-ID-1", "CB-ID-2", "CB-ID-3", "CB-VERB-4", "CB-ASYNC-1"):
        run.line(rule_line(rule, outcomes[rule]))
    run.line(r"legend: " + re.escape("; ".join(f"{SYMBOL[o]} {o}" for o in SEVERITY)))
    run.line(r"runcert: mixed does NOT meet the contract \(failing rules: CB-ID-2\)")
    assert run.ret == 1


def test_not_applicable_tests_are_skipped_with_the_reason(mixed_run):
    skipped = [line for line in mixed_run.out if line.startswith("SKIPPED")]
    na = [line for line in skipped if "optional unmet" not in line]
    assert na and all(
        re.fullmatch(r"SKIPPED \[\d+\] .*: not applicable: mixed does not declare "
                     r"callbacks\.async", line) for line in na), na


def test_optional_unmet_is_reported_as_such_not_failed_nor_skipped(mixed_run):
    """A SHOULD violation fails nothing (exit status) and is no skip either: pytest's own
    summary line counts it as "optional unmet"."""
    assert not [line for line in mixed_run.out if "FAILED" in line and "test_verbose" in line]
    assert not [line for line in mixed_run.out if "optional unmet" in line
                and line.startswith("SKIPPED")], mixed_run.text
    assert re.search(r"\b\d+ optional unmet\b", mixed_run.stats_line), mixed_run.stats_line
    mixed_run.line(rule_line("CB-VERB-4", "optional unmet").replace(
        "(  <- .*)?", r"  <- .*: CB-VERB-4: .*"))


def test_strict_turns_optional_unmet_into_fail(tmp_path):
    """--runcert-strict: an implementation claiming every rule fails on a SHOULD violation."""
    run = run_pytest(["--impl=tests.variants.mixed", FAST, "--runcert-strict",
                      suite("test_verbose")], cwd=tmp_path)
    assert run.ret == 1, run.text
    assert run.outcomes()["CB-VERB-4"] == "fail"
    assert any("FAILED" in line and "test_verbose" in line for line in run.out), run.text


def test_json_report(mixed_run):
    doc = mixed_run.report
    assert doc["format"] == "runcert-report/1"
    impl = doc["implementation"]
    assert (impl["name"], impl["version"]) == ("mixed", "0+broken")
    assert impl["capabilities"] == ["callbacks.sync", "callbacks.trace_group", "callbacks.verbose"]
    assert list(impl["deviations"]) == ["CB-ID-3"]
    assert isinstance(doc["duration"], float) and doc["python"] and doc["platform"]
    ran = {r for r in catalogue() if r.startswith(("CB-ID-", "CB-VERB-", "CB-ASYNC-"))}
    assert set(doc["rules"]) == ran  # only the rules this partial run touched
    failed = doc["rules"]["CB-ID-2"]
    assert failed["level"] == "MUST" and failed["outcome"] == "fail"
    assert failed["tests"] and all("::test_explicit_run_id[" in t for t in failed["tests"])
    assert 1 <= len(failed["messages"]) <= 5
    assert all(re.search(r"CB-ID-2: .*expected .*got", m) for m in failed["messages"])
    passed = doc["rules"]["CB-ID-1"]
    assert passed["outcome"] == "pass" and passed["messages"] == []
    assert doc["rules"]["CB-VERB-4"]["level"] == "SHOULD"


def test_known_deviations_only_is_green_and_xfailed(runcert):
    run = runcert("--impl=tests.variants.deviant", FAST, IDENTITY)
    assert run.ret == 0, run.text
    outcomes = run.outcomes()
    assert outcomes["CB-ID-2"] == outcomes["CB-ID-3"] == "known deviation"
    assert re.search(r"\b\d+ passed, \d+ xfailed\b", run.stats_line), run.stats_line
    run.line(rule_line("CB-ID-2", "known deviation").replace("(  <- .*)?",
                                                             "  <- explicit run ids are ignored"))
    run.line(r"runcert: deviant meets every rule that ran .*")


def test_unconfirmed_deviation_in_a_partial_run_is_a_pass_with_a_note(runcert):
    run = runcert("--impl=tests.variants.overclaimed", FAST, IDENTITY, "-k", "test_fresh_run_ids")
    assert run.ret == 0, run.text
    rule = run.report["rules"]["CB-ID-1"]
    assert rule["outcome"] == "pass"
    assert any("not confirmed by the tests of this partial run" in m for m in rule["messages"])


def test_fixed_deviation_fails_a_full_run(runcert):
    """No paths, nothing deselected: a listed deviation that every test passes fails the run."""
    run = runcert("--impl=tests.variants.overclaimed", FAST, timeout=300)
    assert run.outcomes()["CB-ID-1"] == "deviation fixed"
    assert run.ret == 1, run.text
    run.line(rule_line("CB-ID-1", "deviation fixed").replace(
        "(  <- .*)?", r"  <- listed as a deviation \(run ids are reused\) but passed"))
    run.line(r"legend: .*; fixed\? deviation fixed; .*")
    assert "remove it from the manifest" in LEGEND["deviation fixed"]
    failing = [r for r, o in run.outcomes().items() if o not in ("pass", "not applicable")]
    assert failing == ["CB-ID-1"], failing


def test_hanging_implementation_times_out_and_the_run_finishes(runcert):
    run = runcert("--impl=tests.variants.hanging", FAST, "--runcert-timeout=2",
                  "--runcert-await-timeout=1", IDENTITY, "-k", "test_fresh_run_ids", timeout=60)
    assert run.ret == 1, run.text
    rule = run.report["rules"]["CB-ID-1"]
    assert rule["outcome"] == "timeout"
    messages = "\n".join(rule["messages"])
    assert re.search(r"\[sync\]: CB-ID-1: timeout: the test did not finish within 2s", messages)
    assert re.search(r"\[async\]: CB-ID-1: timeout: the implementation did not return "
                     r"within 1s", messages)
    run.line(rule_line("CB-ID-1", "timeout"))
    run.line(r"runcert: hanging does NOT meet the contract \(failing rules: CB-ID-1\)")


def test_a_hang_under_hypothesis_is_one_timeout_not_shrunk_nor_replayed(runcert):
    """A property test whose scenario programs hang on both lanes: each test stops at
    its first timeout (the interpreter lets the kit's verdict escape and Hypothesis
    neither shrinks nor replays a BaseException), so the run takes about one time limit
    per test, and every rule ends as a timeout, never as a fail."""
    import time

    started = time.monotonic()
    run = runcert("--impl=tests.variants.hanging", FAST, "--runcert-timeout=2",
                  "--runcert-await-timeout=0.5", suite("test_properties"),
                  "-k", "test_handler_scoping or test_concurrent_isolation", timeout=120)
    elapsed = time.monotonic() - started
    assert run.ret == 1, run.text
    outcomes = run.outcomes()
    assert outcomes and set(outcomes.values()) == {"timeout"}, outcomes
    assert elapsed < 4 * 2 + 20, f"{elapsed:.0f}s for 4 tests under a 2s limit"


def test_thread_hung_past_a_timeout_does_not_keep_the_run_alive(runcert):
    run = runcert("--impl=tests.variants.hanging_thread", FAST, "--runcert-timeout=2",
                  "--runcert-await-timeout=1", IDENTITY, "-k", "test_fresh_run_ids and async",
                  timeout=60)
    assert run.ret == 1, run.text
    assert run.report["rules"]["CB-ID-1"]["outcome"] == "timeout"
    assert run.report["verdict"] == "fails" and run.report["exit_status"] == 1
    run.line(r"runcert: \d+ implementation thread\(s\) still hung after a timeout \(.*\); "
             r"exiting without waiting for them")


# -- the last lines of a run ---------------------------------------------------------------

CONTRACT = len(contract_rules())


@pytest.mark.parametrize("mode", ["-q", "default", "-v"])
def test_the_last_line_tells_the_truth_in_every_mode(runcert, mode):
    """Implementation, version and seed (``-q`` shows no header), counts per outcome worst
    first, the partial run and the verdict, after pytest's own summary line."""
    run = runcert("--impl=tests.variants.mixed", FAST, "--hypothesis-seed=4321", IDENTITY,
                  suite("test_verbose"), *([] if mode == "default" else [mode]))
    assert run.ret == 1, run.text
    counts = run.report["totals"]
    worst_first = ", ".join(f"{counts[o]} {o}" for o in SEVERITY if o in counts)
    ran = sum(n for o, n in counts.items() if o != "deselected")
    assert run.out[-1] == (
        f"runcert: mixed 0+broken, seed 4321: {worst_first}; PARTIAL run: {ran} of "
        f"{CONTRACT} rules; verdict: does NOT meet the contract (failing: CB-ID-2)"), run.out[-1]
    assert run.out[-2] == run.stats_line, run.text
    assert re.search(r"\b\d+ optional unmet\b", run.stats_line), run.stats_line


def test_a_run_stopped_by_x_is_partial(runcert):
    """No paths, nothing deselected, but -x stopped it at the first failure: a partial
    run, in the report and in the last line."""
    run = runcert("--impl=tests.variants.mixed", FAST, "-x", timeout=300)
    assert run.ret == 1, run.text
    assert run.report["partial"] is True
    assert re.fullmatch(rf"runcert: mixed 0\+broken, seed \d+: .*; PARTIAL run: \d+ of "
                        rf"{CONTRACT} rules; verdict: does NOT meet the contract .*",
                        run.out[-1]), run.out[-1]


def test_a_green_partial_run_says_it_is_no_certification(runcert):
    """The deviant variant over the identity rules only: a green run (exit 0), but the
    last line counts its known deviations, says the run was partial and that it
    certifies the rules that ran only."""
    run = runcert("--impl=tests.variants.deviant", FAST, "-q", IDENTITY)
    assert run.ret == 0, run.text
    assert re.fullmatch(rf"runcert: deviant 0\+broken, seed \d+: 2 known deviation, \d+ pass; "
                        rf"PARTIAL run: \d+ of {CONTRACT} rules; verdict: meets every rule "
                        rf"that ran \(not a certification\)", run.out[-1]), run.out[-1]


def test_the_legend_lists_the_outcomes_worst_first(mixed_run):
    assert set(LEGEND) == set(SEVERITY)
    mixed_run.line(r"legend: - fail; T timeout; fixed\? deviation fixed; dev known deviation; "
                   r"~ optional unmet; \+ pass; n/a not applicable; desel deselected; \. not run")

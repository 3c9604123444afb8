"""``pytest -n 2``: the same per-rule outcomes as a sequential run, and one complete report.

Workers classify their tests and ship the verdicts with the test reports; the controller
aggregates, prints the summary and writes the report (conformance/plugin.py).
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from .conftest import STREAM_SUITES, Run, run_pytest, suite

pytest.importorskip("xdist")

FAST = "--runcert-profile=fast"
SUBSET = [suite("test_identity"), suite("test_scoping"), suite("test_properties"),
          str(STREAM_SUITES / "test_backpressure.py")]
MIXED = [suite("test_identity"), suite("test_verbose"), suite("test_async_manager")]


def both(tmp: pytest.TempPathFactory, name: str, args: list[str]) -> tuple[Run, Run]:
    """The same certification run sequentially and with two workers."""
    return (run_pytest(args, cwd=tmp.mktemp(f"{name}-sequential")),
            run_pytest(["-n", "2", *args], cwd=tmp.mktemp(f"{name}-parallel")))


def per_rule(run: Run) -> dict[str, tuple[str, list[str]]]:
    return {rid: (r["outcome"], sorted(r["tests"])) for rid, r in run.report["rules"].items()}


def failures(run: Run) -> dict[str, list[str]]:
    """Per rule, the tests and rules its messages name (values such as run ids differ)."""
    return {rid: sorted(re.sub(r"(: [A-Z]+-[A-Z]+-\d+): .*", r"\1", m) for m in r["messages"])
            for rid, r in run.report["rules"].items()}


@pytest.fixture(scope="module")
def reference_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Run]:
    return both(tmp_path_factory, "reference", ["--impl=reference", FAST, *SUBSET])


@pytest.fixture(scope="module")
def mixed_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Run]:
    return both(tmp_path_factory, "mixed", ["--impl=tests.variants.mixed", FAST, *MIXED])


def test_reference_same_outcomes_with_two_workers(reference_runs):
    sequential, parallel = reference_runs
    assert sequential.ret == parallel.ret == 0, parallel.text
    assert any(re.match(r"created: 2/2 workers", line) for line in parallel.out), parallel.text
    assert per_rule(parallel) == per_rule(sequential)
    assert len(parallel.report["rules"]) > 20
    assert parallel.report["totals"] == sequential.report["totals"]
    assert parallel.report["verdict"] == "meets"


def test_every_outcome_kind_survives_the_workers(mixed_runs):
    sequential, parallel = mixed_runs
    assert sequential.ret == parallel.ret == 1
    assert per_rule(parallel) == per_rule(sequential)
    outcomes = {r["outcome"] for r in parallel.report["rules"].values()}
    assert outcomes == {"pass", "fail", "known deviation", "optional unmet", "not applicable"}
    assert failures(parallel) == failures(sequential)
    assert parallel.report["failing_rules"] == ["CB-ID-2"]


def test_one_summary_from_the_controller(mixed_runs):
    _, parallel = mixed_runs
    parallel.line(r"=+ runcert certification: mixed 0\+broken =+")
    parallel.line(r"runcert: mixed does NOT meet the contract \(failing rules: CB-ID-2\)")
    parallel.line(r"rules: \d+ run of \d+; .*")


SEED_PROBE = textwrap.dedent("""\
    import os
    import pytest
    from hypothesis import core

    @pytest.mark.rule("CB-ID-1")
    @pytest.mark.parametrize("n", range(6))
    def test_seed(n):
        with open(f"seed-{os.environ.get('PYTEST_XDIST_WORKER', 'none')}.txt", "w") as f:
            f.write(str(core.global_force_seed))
    """)


def test_workers_use_the_seed_the_header_shows(runcert, pytester):
    pytester.makepyfile(test_seed_probe=SEED_PROBE)
    run = runcert("--impl=reference", FAST, "-n", "2", "test_seed_probe.py")
    assert run.ret == 0, run.text
    seed = run.line(r"runcert: hypothesis profile runcert-fast, seed \d+").rsplit(" ", 1)[1]
    files = sorted(Path(pytester.path).glob("seed-*.txt"))
    assert [f.name for f in files] == ["seed-gw0.txt", "seed-gw1.txt"], files
    assert {f.read_text() for f in files} == {seed}
    assert run.report["hypothesis"]["seed"] == int(seed)


def test_deselection_in_the_workers_makes_the_run_partial(runcert):
    """-k deselects in the workers' collection; the controller must still know the run is
    partial (no 'deviation fixed' for the listed deviation no test here confirms)."""
    run = runcert("--impl=tests.variants.overclaimed", FAST, "-n", "2",
                  "-k", "test_fresh_run_ids")
    assert run.ret == 0, run.text
    assert run.report["partial"] is True
    assert run.outcomes() == {"CB-ID-1": "pass"}


def test_selection_with_two_workers(runcert):
    run = runcert("--impl=reference", FAST, "-n", "2", "--runcert-rules=CB-ID-2,RS-BP-1")
    assert run.ret == 0, run.text
    outcomes = run.outcomes()
    assert {r for r, o in outcomes.items() if o == "pass"} == {"CB-ID-2", "RS-BP-1"}
    assert {o for r, o in outcomes.items() if r not in ("CB-ID-2", "RS-BP-1")} == {"deselected"}
    assert len(outcomes) > 100  # every rule the collected suites cite is accounted for


def test_nothing_collected_is_a_usage_error_with_workers_too(runcert):
    run = runcert("--impl=reference", "-n", "2", "-k", "nothing_matches_this", timeout=120)
    assert run.ret == int(pytest.ExitCode.USAGE_ERROR), run.text
    assert re.search(r"ERROR: runcert: --impl=reference collected no conformance test", run.text)


# -- a worker the implementation crashes ---------------------------------------------------------

CRASHING = ["--impl=tests.variants.crashing", FAST, suite("test_identity"),
            "-k", "test_fresh_run_ids or (test_explicit_run_id and (tool or chain))"]


def test_a_crashed_worker_fails_the_rules_of_its_test(runcert):
    """Every tool start calls ``os._exit``: each worker running such a test dies and is
    replaced. The crashed tests' rules fail ("worker crashed"), the other tests still
    run, and the report and the last line say the contract is not met."""
    run = runcert("-n", "2", *CRASHING, timeout=300)
    assert run.ret == 1, run.text
    doc = run.report
    assert doc["verdict"] == "fails" and doc["failing_rules"] == ["CB-ID-1", "CB-ID-2"], doc
    for rid, crashed in (("CB-ID-1", 2), ("CB-ID-2", 2)):
        messages = doc["rules"][rid]["messages"]
        assert len(messages) == crashed, messages
        assert all(re.search(rf"{rid}: worker crashed: gw\d+ died while running this test", m)
                   for m in messages), messages
    chain = [t for t in doc["rules"]["CB-ID-2"]["tests"] if "chain" in t]
    assert len(chain) == 2  # the tests that do not crash ran too
    assert "ended_early" not in doc
    assert re.search(r"verdict: does NOT meet the contract \(failing: CB-ID-1, CB-ID-2\)$",
                     run.out[-1]), run.out[-1]


def test_too_many_crashed_workers_end_the_run_early_and_it_says_so(runcert):
    """xdist gives up after --max-worker-restart crashes: the tests not run make the run
    incomplete (never "meets"), on top of the crashed tests' failures."""
    run = runcert("-n", "2", "--max-worker-restart=0", *CRASHING, timeout=300)
    assert run.ret != 0, run.text
    doc = run.report
    assert doc["verdict"] == "fails", doc["verdict"]
    assert re.fullmatch(r"\d+ of 6 selected tests did not run \(.*\)", doc["ended_early"]), doc
    assert "ENDED EARLY" in run.out[-1], run.out[-1]

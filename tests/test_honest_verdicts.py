"""The kit's verdicts are honest: what a run reports is what the implementation did.

Each test certifies a variant of the reference (``tests/variants/``) over one or two
packaged suite modules and reads the per-rule outcomes and messages of the JSON report.
"""

from __future__ import annotations

import pytest

from .conftest import suite

FAST = "--runcert-profile=fast"


# -- the kit's own exceptions always escape --------------------------------------------------

@pytest.mark.parametrize("impl", ["runcert_adapter", "swallowing"])
def test_a_cancelled_end_dispatch_that_hangs_is_a_timeout(runcert, impl):
    """CB-PAIR-4's test gathers the cancelled task: a caller that hung past the await
    limit (whether its cancellation stayed pending or was swallowed) must end the test
    as a timeout, not be compared away as a cancelled task whose handlers finished."""
    run = runcert(f"--impl=tests.variants.end_waits_when_cancelled:{impl}", FAST,
                  "--runcert-await-timeout=1", suite("test_pairing"),
                  "-k", "test_end_dispatch_survives_cancellation and chain", timeout=120)
    rule = run.report["rules"]["CB-PAIR-4"]
    assert rule["outcome"] == "timeout", run.text
    assert all("did not return within 1s" in m for m in rule["messages"]), rule["messages"]
    assert run.ret == 1, run.text


# -- a known deviation is confirmed by its own check only -------------------------------------

IDENTITY = suite("test_identity")


@pytest.mark.parametrize("impl", ["crashing", "leaking"])
def test_a_listed_rule_failing_otherwise_is_not_a_known_deviation(runcert, impl):
    """CB-ID-1 is listed, but its checks hold: its async tests fail only through an
    unrelated exception or a leaked task. That is no confirmation of the deviation."""
    run = runcert(f"--impl=tests.variants.unconfirmed:{impl}", FAST, IDENTITY,
                  "-k", "test_fresh_run_ids")
    rule = run.report["rules"]["CB-ID-1"]
    assert rule["outcome"] == "fail", rule
    assert not any(m.startswith("CB-ID-1: ") for m in rule["messages"]), rule["messages"]
    assert run.ret == 1, run.text


def test_a_listed_rule_confirmed_by_its_own_check_is_a_known_deviation(runcert):
    """The deviant variant breaks CB-ID-2 and CB-ID-3 and lists both: known deviations,
    each confirmed by a failing check of its own rule."""
    run = runcert("--impl=tests.variants.deviant", FAST, IDENTITY,
                  "-k", "test_explicit_run_id or test_one_run_per_prompt")
    assert run.ret == 0, run.text
    for rid in ("CB-ID-2", "CB-ID-3"):
        rule = run.report["rules"][rid]
        assert rule["outcome"] == "known deviation", rule
        assert all(f": {rid}: " in m for m in rule["messages"]), rule["messages"]


HELPERS = ["suites", "lanes.py", "recording.py", "aio.py", "programs.py", "probes.py",
           "stream_probes.py", "machines.py", "streams", "counterexamples.py"]


def test_outcomes_of_tasks_are_gathered_through_aio():
    """``gather(..., return_exceptions=True)`` returns the kit's own timeout as an
    outcome; the suites and their helpers use ``aio.gather_outcomes``, which raises it."""
    from conformance.plugin import SUITES

    kit = SUITES.parent
    files = [p for name in HELPERS for p in ([kit / name] if name.endswith(".py")
                                             else sorted((kit / name).rglob("*.py")))]
    offending = [str(p.relative_to(kit)) for p in files if p.name != "aio.py"
                 and "return_exceptions=True" in p.read_text(encoding="utf-8")]
    assert not offending, f"gather(return_exceptions=True) outside conformance/aio.py: {offending}"

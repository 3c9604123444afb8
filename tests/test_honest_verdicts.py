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

"""A driver that crashes, hangs, writes garbage or exits mid-run fails the test in flight
only: one clear message naming the driver and the request, a new driver process, and a
run that goes on to its end.

Each broken driver of ``tests/wire/drivers/`` serves the reference and misbehaves once,
at the first ``on_retriever_start`` of the certification (a mark file keeps the driver
started after it from doing it again). The certification covers the identity suite,
which starts retriever runs in several tests: exactly the first of them fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SUITE = REPO / "conformance" / "callbacks" / "suites" / "test_identity.py"
FIRST = "test_explicit_run_id[sync-retriever]"  # the first test to start a retriever run
DRIVERS = {  # driver -> (outcome of the test in flight, what its message says)
    "crashing": ("fail", "it closed the connection (its process exited with status 3)"),
    "exiting": ("fail", "it closed the connection (its process exited with status 0)"),
    "garbage": ("fail", "it wrote a line that is not a protocol message"),
    "hanging": ("timeout", "it sent nothing for 2s while serving"),
}


def certify(driver: str, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], dict]:
    report = tmp_path / "report.json"
    env = {**os.environ, "RUNCERT_SABOTAGE_MARK": str(tmp_path / "mark"),
           "RUNCERT_WIRE_TIMEOUT": "2", "PYTHONDONTWRITEBYTECODE": "1"}
    command = f"wire:{sys.executable} tests/wire/drivers/{driver}.py"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", f"--impl={command}", str(SUITE), "-q",
         "-p", "no:cacheprovider", "--tb=line", f"--runcert-report={report}",
         "--hypothesis-seed=1"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert report.exists(), f"no report:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc, json.loads(report.read_text(encoding="utf-8"))


@pytest.mark.parametrize("driver", sorted(DRIVERS))
def test_a_broken_driver_fails_the_test_in_flight_only(driver: str, tmp_path: Path) -> None:
    outcome, says = DRIVERS[driver]
    proc, report = certify(driver, tmp_path)
    failing = {rule: r for rule, r in report["rules"].items() if r["outcome"] != "pass"}
    assert list(failing) == ["CB-ID-2"], failing
    record = failing["CB-ID-2"]
    assert record["outcome"] == outcome
    message = record["message"]
    for needle in (FIRST, f"tests/wire/drivers/{driver}.py", says,
                   "on_retriever_start", "last request #",
                   "sabotage: misbehaving at on_retriever_start"):
        assert needle in message, f"{needle!r} not in {message!r}"
    # the run went on with a new driver and finished: every other test ran and passed
    assert not report.get("ended_early"), report.get("ended_early")
    assert report["verdict"] == "fails" and report["totals"] == {"fail" if outcome == "fail"
                                                                  else "timeout": 1, "pass": 6}
    assert "1 failed" in proc.stdout and "passed" in proc.stdout, proc.stdout[-2000:]
    assert proc.returncode == 1

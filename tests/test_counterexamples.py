"""Shrunk counterexamples: a failing property or state machine leaves a transcript that
replays the failure.

Broken implementations are certified in subprocesses (the harness of tests/certify.py,
with shrinking on) over the property and machine suites with
``--runcert-counterexamples``; each run must name a file in its failure output, the file
must be a small transcript recorded from the reference, and replaying it must fail on
the same rule against the broken implementation and pass against the reference.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.counterexamples import replay
from conformance.transcripts.validate import FORMAT
from conformance.resolve import resolve
from conformance.transcripts.validate import load_transcript
from tests.certify import CALLBACK_SUITES, REPO, RUN_LIMIT

CASES = {
    # implementation: (tests to run, rule it breaks (None: the machine's choice),
    #                  file name (or its start), most components / actions when shrunk)
    "tests.callbacks.broken.handler_twice_two_routes": (
        "callbacks/suites/test_properties.py::test_handler_scoping", "CB-SCOPE-4",
        "test_handler_scoping-sync-CB-SCOPE-4.json", 3),
    "tests.callbacks.broken.end_skips_local_handlers": (
        "callbacks/suites/test_properties.py::test_start_end_pairing", "CB-PAIR-1",
        "test_start_end_pairing-sync-CB-PAIR-1.json", 3),
    "tests.streams.broken.unbounded_buffer": (
        "streams/suites/test_machines.py::TestBackpressureMachine", None,
        "TestBackpressureMachine-RS-BP-", 30),
}


def certify(impl: str, target: str, directory: Path, storage: Path) -> subprocess.CompletedProcess:
    """Deterministic: a fixed seed, a fresh Hypothesis database, and enough examples (the
    default profile) for the state machine to reach the break on every run."""
    profile = "default" if "test_machines" in target else "fast"
    cmd = [sys.executable, "-m", "pytest", f"--impl={impl}", f"--runcert-profile={profile}",
           "--hypothesis-seed=1", "-q", "--tb=short", "-p", "no:cacheprovider",
           f"--runcert-counterexamples={directory}", str(REPO / "conformance" / target)]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=RUN_LIMIT,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1",
                               "HYPOTHESIS_STORAGE_DIRECTORY": str(storage)})


def size(doc: dict[str, Any]) -> int:
    """Components of a callback program, or actions of a stream program."""
    if doc.get("contract") == "streams":
        return len(doc["program"]["actions"])

    def nodes(node: dict[str, Any]) -> int:
        return 1 + sum(nodes(s["call"]) for s in node.get("steps", []) if "call" in s)

    return sum(nodes(r["root"]) for r in doc["program"]["requests"])


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Any]]:
    found = {}
    for impl, (target, *_rest) in CASES.items():
        directory = tmp_path_factory.mktemp(impl.rpartition(".")[2])
        storage = tmp_path_factory.mktemp("hypothesis-db")
        found[impl] = directory, certify(impl, target, directory, storage)
    return found


@pytest.mark.parametrize("impl", sorted(CASES))
def test_counterexample_replays_the_failure(runs: dict[str, Any], impl: str) -> None:
    target, rule, name, most = CASES[impl]
    directory, proc = runs[impl]
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output[-3000:]
    files = sorted(directory.glob(name if name.endswith(".json") else f"{name}*.json"))
    assert files, f"no counterexample {name} in {sorted(directory.iterdir())}:\n{output[-3000:]}"
    path = files[0]
    assert f"counterexample transcript: {path}" in output, output[-3000:]
    assert "reproduces" in output
    doc = json.loads(path.read_text(encoding="utf-8"))
    load_transcript(path)  # a valid transcript, whatever the contract
    violated = rule or doc["rules"][0]
    assert doc["format"] == FORMAT and doc["rules"] == [violated]
    assert doc["origin"]["kind"] == "counterexample"
    assert target.rpartition("::")[2] in doc["origin"]["test"]
    assert size(doc) <= most, f"not shrunk: {size(doc)} > {most}\n{json.dumps(doc)[:2000]}"
    found = replay(doc, resolve(impl))
    assert found is not None and found.rule == violated, found
    assert replay(doc, resolve("reference")) is None


def test_nothing_written_without_the_option(tmp_path: Path) -> None:
    impl = "tests.callbacks.broken.handler_twice_two_routes"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", f"--impl={impl}", "--runcert-profile=fast", "-q",
         "--tb=short", "-p", "no:cacheprovider",
         str(CALLBACK_SUITES / "test_properties.py::test_handler_scoping")],
        cwd=tmp_path, capture_output=True, text=True, timeout=RUN_LIMIT,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(REPO)})
    assert proc.returncode == 1, proc.stdout[-2000:]
    assert "counterexample transcript" not in proc.stdout
    assert not list(tmp_path.rglob("*.json"))

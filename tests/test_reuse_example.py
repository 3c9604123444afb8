"""The worked example examples/ci-reuse/ runs: record its scenario, certify with its own transcripts.

The example stands for another project reusing runcert in CI; this test runs exactly the
commands its README shows (in a copy), with the reference as the example's implementation,
so the example cannot rot.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.plugin import SUITES

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "ci-reuse"
CASE = "tags_reach_nested_tool"


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "ci-reuse"
    shutil.copytree(EXAMPLE, copy)
    return copy


def test_recording_reproduces_the_checked_in_transcript(project: Path) -> None:
    golden = project / "transcripts" / f"{CASE}.json"
    golden.unlink()
    proc = run(["conformance.transcripts.record", f"scenarios/{CASE}.json", "--impl",
                "its_adapter", "-o", f"transcripts/{CASE}.json"], project)
    assert proc.returncode == 0, proc.stderr
    assert golden.read_text() == (EXAMPLE / "transcripts" / f"{CASE}.json").read_text(), (
        "the example's recorded transcript is stale: re-record it with the README's command")
    again = run(["conformance.transcripts.record", f"scenarios/{CASE}.json", "--impl",
                 "its_adapter", "-o", f"transcripts/{CASE}.json"], project)
    assert again.returncode == 2 and "--force" in again.stderr


def test_ci_command_certifies_with_the_project_transcripts(project: Path) -> None:
    proc = run(["pytest", "--impl=its_adapter", "--runcert-transcripts=transcripts",
                "--runcert-profile=fast", "-p", "no:cacheprovider", "-v"],
               project)
    out = proc.stdout
    assert proc.returncode == 0, out[-4000:] + proc.stderr[-2000:]
    for lane in ("sync", "async"):
        assert f"test_user_transcript[{CASE}-{lane}] PASSED" in out, out[-4000:]
    assert "acme_callbacks meets every rule" in out, out[-2000:]


def test_ci_command_fails_on_a_broken_own_transcript(project: Path) -> None:
    """A changed expectation fails the run on the transcript's rule, naming the file."""
    path = project / "transcripts" / f"{CASE}.json"
    path.write_text(path.read_text().replace('"user:42"', '"user:43"', 1))
    proc = run(["pytest", "--impl=its_adapter", "--runcert-transcripts=transcripts",
                str(SUITES / "user"), "-p", "no:cacheprovider", "-q"], project)
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert f"CB-TAG-1: {path} [sync lane] handler 'tracer', record #0" in proc.stdout, (
        proc.stdout[-3000:])

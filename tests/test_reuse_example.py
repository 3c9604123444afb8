"""The worked example examples/ci-reuse/ runs where users put it: a fresh copy of its folder,
outside this repository, in a fresh virtual environment.

The example stands for another project reusing runcert in CI. The environment gets runcert
from this checkout (standing in for the package index, at the versions of constraints.txt);
then every command runs as the example's README and workflow write it, from the copy: the
workflow's install line, ``runcert-record`` (the console script) and the workflow's pytest
line. The reference plays the example's implementation, so the example cannot rot.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "ci-reuse"
WORKFLOW = EXAMPLE / ".github" / "workflows" / "conformance.yml"
CASE = "tags_reach_nested_tool"


def workflow_steps() -> list[str]:
    """The shell lines of the example's CI job, as written."""
    return re.findall(r"^\s*- run: (.+)$", WORKFLOW.read_text(encoding="utf-8"), re.M)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment holding runcert, installed (not editable) from this checkout."""
    if shutil.which("uv") is None:
        pytest.fail("uv is needed to build the example's environment (it is in the test extra)")
    env = tmp_path_factory.mktemp("example-env") / "venv"
    subprocess.run(["uv", "venv", "-q", "--seed", str(env)], check=True, timeout=300)
    subprocess.run(["uv", "pip", "install", "-q", "--python", str(env / "bin" / "python"),
                    "-c", str(ROOT / "constraints.txt"), str(ROOT)], check=True, timeout=600)
    return env


def shell(line: str, cwd: Path, venv: Path) -> subprocess.CompletedProcess[str]:
    """Run one command line in the copy, with the environment's scripts first on PATH."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(venv))
    return subprocess.run(["bash", "-c", line], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def installed(venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh copy of the example, installed with the workflow's own install line."""
    copy = tmp_path_factory.mktemp("acme") / "ci-reuse"
    shutil.copytree(EXAMPLE, copy)
    install = workflow_steps()[0]
    assert install.startswith("pip install"), install
    proc = shell(install, copy, venv)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return copy


@pytest.fixture
def project(installed: Path, tmp_path: Path) -> Path:
    """The installed copy, its transcripts as checked in."""
    shutil.rmtree(installed / "transcripts")
    shutil.copytree(EXAMPLE / "transcripts", installed / "transcripts")
    return installed


RECORD = (f"runcert-record scenarios/{CASE}.json --impl its_adapter "
          f"-o transcripts/{CASE}.json")


def test_recording_reproduces_the_checked_in_transcript(project: Path, venv: Path) -> None:
    golden = project / "transcripts" / f"{CASE}.json"
    golden.unlink()
    proc = shell(RECORD, project, venv)
    assert proc.returncode == 0, proc.stderr
    assert golden.read_text() == (EXAMPLE / "transcripts" / f"{CASE}.json").read_text(), (
        "the example's recorded transcript is stale: re-record it with the README's command")
    again = shell(RECORD, project, venv)
    assert again.returncode == 2 and "--force" in again.stderr


def test_ci_command_certifies_with_the_project_transcripts(project: Path, venv: Path) -> None:
    certify = workflow_steps()[1]
    assert certify.startswith("pytest --impl=its_adapter"), certify
    proc = shell(f"{certify} -p no:cacheprovider -v", project, venv)
    out = proc.stdout
    assert proc.returncode == 0, out[-4000:] + proc.stderr[-2000:]
    for lane in ("sync", "async"):
        assert f"test_user_transcript[{CASE}-{lane}] PASSED" in out, out[-4000:]
    assert "acme_callbacks meets every rule" in out, out[-2000:]
    assert (project / "runcert-report.json").is_file()


def test_the_entry_point_name_resolves_from_anywhere(project: Path, venv: Path,
                                                     tmp_path: Path) -> None:
    """Installed, the adapter needs no pythonpath: its entry point works from any directory."""
    proc = shell("pytest --impl=acme_callbacks --runcert-rules=CB-ID-1 --runcert-profile=fast "
                 "-p no:cacheprovider -q", tmp_path, venv)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "acme_callbacks meets every rule" in proc.stdout


def test_ci_command_fails_on_a_broken_own_transcript(project: Path, venv: Path) -> None:
    """A changed expectation fails the run on the transcript's rule, naming the file."""
    path = project / "transcripts" / f"{CASE}.json"
    path.write_text(path.read_text().replace('"user:42"', '"user:43"', 1))
    proc = shell("pytest --impl=its_adapter --runcert-transcripts=transcripts "
                 "--runcert-rules=CB-TAG-1 -p no:cacheprovider -q", project, venv)
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert f"CB-TAG-1: {path} [sync lane] handler 'tracer', record #0" in proc.stdout, (
        proc.stdout[-3000:])

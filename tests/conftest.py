"""Helpers for the kit's own tests of the runcert pytest plugin (through pytester)."""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance import aio

REPO = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    """The kit's own tests exercise the checkout; its subprocesses import it from here."""
    import conformance

    if Path(conformance.__file__).resolve().parent != REPO / "conformance":
        raise pytest.UsageError(
            f"the kit's own tests need runcert installed from this checkout in editable mode "
            f"(pip install -e '.[test]'); `conformance` is imported from "
            f"{Path(conformance.__file__).parent}")
CALLBACK_SUITES = REPO / "conformance" / "callbacks" / "suites"
STREAM_SUITES = REPO / "conformance" / "streams" / "suites"
USAGE_ERROR = int(pytest.ExitCode.USAGE_ERROR)
REPORT_SCHEMA = REPO / "specs" / "schemas" / "report.schema.json"


@functools.cache
def _report_validator() -> Any:
    import jsonschema  # the `test` extra

    schema = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def report_errors(doc: Any) -> list[str]:
    """Where ``doc`` disagrees with specs/schemas/report.schema.json (empty: it agrees)."""
    errors = sorted(_report_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    return [f"$.{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def validate_report(doc: Any, where: object = "report") -> None:
    errors = report_errors(doc)
    assert not errors, f"{where} does not match {REPORT_SCHEMA.name}:\n" + "\n".join(errors[:10])


@pytest.fixture(scope="session", autouse=True)
def every_report_matches_the_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every runcert report the kit's tests produced (anywhere under the session's
    temporary directory) matches the schema; reports read through :class:`Run` are also
    checked at once."""
    yield
    from conformance.report import FORMAT

    for path in sorted(tmp_path_factory.getbasetemp().rglob("*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):  # not a report (a hostile transcript)
            continue
        if isinstance(doc, dict) and doc.get("format") == FORMAT:
            validate_report(doc, path)


def suite(name: str) -> str:
    """Absolute path of a packaged callback suite module, e.g. ``suite("test_identity")``."""
    path = CALLBACK_SUITES / f"{name}.py"
    assert path.exists(), f"no packaged suite {path}"
    return str(path)


_STATS = re.compile(r"(=+ )?(no tests ran|\d+ \w+.*) in [\d.]+s( \(.*\))?( =+)?")


@dataclass
class Run:
    """One pytest run under the plugin: its exit code, output and JSON report."""

    ret: int
    out: list[str]
    err: list[str]
    report: dict[str, Any] | None

    @property
    def text(self) -> str:
        return "\n".join(self.out + self.err)

    def outcomes(self) -> dict[str, str]:
        assert self.report is not None, f"no JSON report was written:\n{self.text}"
        return {rid: r["outcome"] for rid, r in self.report["rules"].items()}

    @property
    def stats_line(self) -> str:
        """pytest's own summary line (``3 passed, 1 xfailed in 0.2s``); under --impl the
        runcert final line follows it."""
        found = [line for line in self.out if _STATS.fullmatch(line)]
        assert found, f"no pytest summary line:\n{self.text}"
        return found[-1]

    def line(self, pattern: str) -> str:
        """The one output line matching the anchored regex ``pattern``."""
        found = [line for line in self.out + self.err if re.fullmatch(pattern, line)]
        assert len(found) == 1, f"expected one line matching {pattern!r}, got {found}:\n{self.text}"
        return found[0]

    def error_line(self) -> str:
        """A usage error's message: exactly one non-empty stderr line, no traceback."""
        assert "Traceback" not in self.text, self.text
        lines = [line for line in self.err if line.strip()]
        assert len(lines) == 1, f"expected one error line, got {lines}:\n{self.text}"
        return lines[0]


def _read_report(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    doc = json.loads(path.read_text(encoding="utf-8"))
    validate_report(doc, path)
    return doc


def run_pytest(args: list[str], cwd: Path, timeout: float = 180) -> Run:
    """pytest in a subprocess in ``cwd`` (for module-scoped runs that need no pytester)."""
    report = cwd / "runcert-report.json"
    report.unlink(missing_ok=True)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
         f"--runcert-report={report}", *args],
        cwd=cwd, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "PYTHONPATH": str(REPO), "PYTEST_ADDOPTS": ""})
    return Run(proc.returncode, proc.stdout.splitlines(), proc.stderr.splitlines(),
               _read_report(report))


@pytest.fixture
def runcert(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    """``runcert(*args, timeout=)`` runs pytest in a subprocess in the pytester directory.

    The repository is on PYTHONPATH so that ``tests.variants.*`` and ``tests.callbacks.broken.*``
    resolve as ``--impl`` names; a JSON report is always requested.
    """
    monkeypatch.setenv("PYTHONPATH", str(REPO))

    def run(*args: str, timeout: float = 180) -> Run:
        report = pytester.path / "runcert-report.json"
        report.unlink(missing_ok=True)
        result = pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", f"--runcert-report={report}", *args, timeout=timeout)
        return Run(int(result.ret), result.outlines, result.errlines, _read_report(report))

    return run


@pytest.fixture
def runcert_inprocess(pytester: pytest.Pytester,
                      monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Run]]:
    """Run pytest in this process: for runs that resolve ``--impl`` and collect, not run.

    pytester restores ``sys.modules`` and ``sys.path`` afterwards; the two process-wide
    settings an ``--impl`` run changes (the await time limit and the Hypothesis profile)
    are restored here.
    """
    from hypothesis import settings

    pytester.syspathinsert()
    monkeypatch.setattr(aio, "AWAIT_TIMEOUT", aio.AWAIT_TIMEOUT)
    profile = settings.get_current_profile_name()

    def run(*args: str) -> Run:
        result = pytester.runpytest_inprocess("-p", "no:cacheprovider", *args)
        return Run(int(result.ret), result.outlines, result.errlines, None)

    yield run
    settings.load_profile(profile)

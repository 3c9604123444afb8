"""The packaged stream suites reject each deliberately broken run-stream implementation.

Every module in ``tests/broken_streams/`` breaks one ``RS-`` rule of the reference
(named by its ``BREAKS`` constant and its docstring). Each one is certified in a
subprocess over the packaged stream suites only, with the harness of
``tests/test_broken.py``: the JSON report must show that rule with the expected outcome
(``OUTCOME``, default "fail"), the run must exit 1, and most other stream rules must
still pass. The unbroken reference runs through the same harness as a control.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from conformance.plugin import SUITES
from conformance.rules import catalogue
from tests.test_broken import CONTROL, MIN_PASSING, NO_SHRINK, REPO, RUN_LIMIT, Certification

PACKAGE = "tests.broken_streams"
BROKEN_DIR = Path(__file__).resolve().parent / "broken_streams"
BROKEN = sorted(p.stem for p in BROKEN_DIR.glob("[a-z]*.py"))
STREAM_SUITES = SUITES / "streams"


def impl_spec(name: str) -> str:
    return CONTROL if name == CONTROL else f"{PACKAGE}.{name}"


def broken_module(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.{name}")


def certify(name: str, workdir: Path) -> Certification:
    """``name`` certified over the stream suites, in a subprocess, with a JSON report.

    ``--tb=line``: only the JSON report is read, and pytest's long tracebacks can hit
    CPython 3.11's "AST constructor recursion depth mismatch" SystemError, which turns
    a failing run into an internal error (exit 3).
    """
    report = workdir / f"{name}.json"
    cmd = [sys.executable, "-m", "pytest", f"--impl={impl_spec(name)}",
           "--runcert-profile=fast", f"--runcert-report={report}",
           "-q", "--tb=line", "-p", "no:cacheprovider", "-p", NO_SHRINK, str(STREAM_SUITES)]
    try:
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True,
                              timeout=RUN_LIMIT, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    except subprocess.TimeoutExpired as exc:
        return Certification(name, -1, f"did not finish within {RUN_LIMIT}s: {exc}", None)
    doc = json.loads(report.read_text(encoding="utf-8")) if report.exists() else None
    return Certification(name, proc.returncode, proc.stdout + proc.stderr, doc)


def _selected(session: pytest.Session) -> list[str]:
    names = set()
    for item in session.items:
        callspec = getattr(item, "callspec", None)
        module = getattr(item, "module", None)
        if module is not None and module.__name__ == __name__ and callspec \
                and "stream_impl" in callspec.params:
            names.add(callspec.params["stream_impl"])
    return sorted(names)


@pytest.fixture(scope="module")
def stream_certifications(
        request: pytest.FixtureRequest,
        tmp_path_factory: pytest.TempPathFactory) -> dict[str, Future[Certification]]:
    """Start every selected certification at once, as many in parallel as there are CPUs."""
    workdir = tmp_path_factory.mktemp("stream-certifications")
    pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2))
    request.addfinalizer(lambda: pool.shutdown(wait=True, cancel_futures=True))
    return {name: pool.submit(certify, name, workdir) for name in _selected(request.session)}


@pytest.mark.parametrize("stream_impl", BROKEN)
def test_broken_stream_module_is_documented(stream_impl: str) -> None:
    module = broken_module(stream_impl)
    rule = module.BREAKS
    assert rule.startswith("RS-") and rule in catalogue(), (
        f"{stream_impl}.BREAKS names no stream rule: {rule}")
    assert module.__doc__ and module.__doc__.startswith(f"Breaks {rule}:"), (
        f"{stream_impl}: the docstring must open with 'Breaks {rule}:'")
    assert module.runcert_adapter.name == stream_impl


@pytest.mark.parametrize("stream_impl", BROKEN)
def test_broken_stream_implementation_is_rejected(stream_impl: str, stream_certifications) -> None:
    run = stream_certifications[stream_impl].result()
    module = broken_module(stream_impl)
    rule, expected = module.BREAKS, getattr(module, "OUTCOME", "fail")
    outcomes = run.outcomes()
    assert rule in outcomes, f"no test of {rule} ran for {stream_impl}:\n{run.tail()}"
    assert outcomes[rule] == expected, (
        f"{stream_impl} breaks {rule}, but the stream suites report {rule} as "
        f"{outcomes[rule]!r} (expected {expected!r})")
    assert run.returncode == 1, f"{stream_impl}: exit code {run.returncode}\n{run.tail()}"


@pytest.mark.parametrize("stream_impl", BROKEN)
def test_stream_break_is_targeted(stream_impl: str, stream_certifications) -> None:
    run = stream_certifications[stream_impl].result()
    outcomes = run.outcomes()
    passing = [r for r, o in outcomes.items() if o == "pass"]
    assert len(passing) >= MIN_PASSING * len(outcomes), (
        f"{stream_impl} should break {broken_module(stream_impl).BREAKS} only, but just "
        f"{len(passing)} of {len(outcomes)} rules pass; not passing: "
        f"{sorted(r for r, o in outcomes.items() if o != 'pass')}")


@pytest.mark.parametrize("stream_impl", [CONTROL])
def test_reference_passes_the_stream_harness(stream_impl: str, stream_certifications) -> None:
    run = stream_certifications[stream_impl].result()
    outcomes = run.outcomes()
    failing = {r: o for r, o in outcomes.items() if o != "pass"}
    assert run.returncode == 0 and not failing, (
        f"the reference must pass every stream rule: {failing}\n{run.tail()}")
    assert len(outcomes) > 0

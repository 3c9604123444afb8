"""The harness shared by the broken-implementation tests.

Each broken implementation (a module with a ``BREAKS`` rule and a ``runcert_adapter``)
is certified in a subprocess over some packaged suites, with a JSON report; the tests
then read the per-rule outcomes. The unbroken reference runs through the same harness
as a control.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance.rules import catalogue

REPO = Path(__file__).resolve().parents[1]
# The certification subprocesses run from the repository root, so they import the
# checkout's `conformance`; they must be given the checkout's suites too (not the
# installed copy's, which would clash with it at conftest import).
CALLBACK_SUITES = REPO / "conformance" / "callbacks" / "suites"
STREAM_SUITES = REPO / "conformance" / "streams" / "suites"
CONTROL = "reference"
MIN_PASSING = 0.8  # share of the rules that ran which must still pass
RUN_LIMIT = 300  # seconds; a certification run that takes longer is a failure
NO_SHRINK = "tests._no_shrink"  # failing properties are not shrunk (see the module)
# The self-tests are hermetic: every certification draws the same Hypothesis examples,
# so a verdict cannot change from one CI run to the next. Exploring other examples is a
# deliberate act: RUNCERT_SELFTEST_SEED=<int>, or "random" for Hypothesis' own seeding.
SEED = os.environ.get("RUNCERT_SELFTEST_SEED", "20261205")


@dataclass
class Certification:
    impl: str
    returncode: int
    output: str
    report: dict[str, Any] | None

    def outcomes(self) -> dict[str, str]:
        assert self.report is not None, f"no JSON report for {self.impl}:\n{self.tail()}"
        return {rid: r["outcome"] for rid, r in self.report["rules"].items()}

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output.splitlines()[-lines:])


def certify(name: str, impl: str, suites: Sequence[Path], workdir: Path) -> Certification:
    """``impl`` certified over ``suites`` in a subprocess, fast profile, JSON report.

    ``--tb=line``: only the report is read, and long tracebacks of a runaway
    implementation can hit CPython 3.11.7's "AST constructor recursion depth mismatch".
    """
    report = workdir / f"{name}.json"
    cmd = [sys.executable, "-m", "pytest", f"--impl={impl}", "--runcert-profile=fast",
           f"--runcert-report={report}", "-q", "--tb=line", "-p", "no:cacheprovider",
           "-p", NO_SHRINK, *seed_options(), *map(str, suites)]
    try:
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=RUN_LIMIT,
                              env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    except subprocess.TimeoutExpired as exc:
        return Certification(name, -1, f"did not finish within {RUN_LIMIT}s: {exc}", None)
    doc = json.loads(report.read_text(encoding="utf-8")) if report.exists() else None
    return Certification(name, proc.returncode, proc.stdout + proc.stderr, doc)


def seed_options() -> list[str]:
    return [] if SEED == "random" else [f"--hypothesis-seed={SEED}"]


def selected(session: pytest.Session, module: str, param: str) -> list[str]:
    """The values of parameter ``param`` of the tests of ``module`` this session runs."""
    names = set()
    for item in session.items:
        callspec = getattr(item, "callspec", None)
        owner = getattr(item, "module", None)
        if owner is not None and owner.__name__ == module and callspec \
                and param in callspec.params:
            names.add(callspec.params[param])
    return sorted(names)


def start_all(request: pytest.FixtureRequest, workdir: Path, names: Sequence[str],
              run: Callable[[str, Path], Certification]) -> dict[str, Future[Certification]]:
    """Start every certification at once, as many in parallel as there are CPUs."""
    pool = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2))
    request.addfinalizer(lambda: pool.shutdown(wait=True, cancel_futures=True))
    return {name: pool.submit(run, name, workdir) for name in names}


def broken_module(package: str, name: str) -> Any:
    return importlib.import_module(f"{package}.{name}")


def assert_documented(module: Any, name: str, prefix: str) -> None:
    rule = module.BREAKS
    assert rule.startswith(prefix) and rule in catalogue(), f"{name}.BREAKS names no rule: {rule}"
    assert module.__doc__ and module.__doc__.startswith(f"Breaks {rule}:"), (
        f"{name}: the docstring must open with 'Breaks {rule}:'")
    assert module.runcert_adapter.name == name


def assert_rejected(run: Certification, module: Any) -> None:
    """The break's rule has the expected outcome and the run exits 1."""
    rule, expected = module.BREAKS, getattr(module, "OUTCOME", "fail")
    outcomes = run.outcomes()
    assert rule in outcomes, f"no test of {rule} ran for {run.impl}:\n{run.tail()}"
    assert outcomes[rule] == expected, (
        f"{run.impl} breaks {rule}, but the suites report {rule} as {outcomes[rule]!r} "
        f"(expected {expected!r})")
    assert run.returncode == 1, f"{run.impl}: exit code {run.returncode}\n{run.tail()}"


MAX_ALSO = 4  # a bug that breaks one rule may show on a handful of others, no more
FAILED = frozenset({"fail", "timeout", "optional unmet", "deviation fixed"})


def assert_targeted(run: Certification, module: Any) -> None:
    """The break shows on its rule and on the few others the module declares (``ALSO``:
    rule -> why the same bug breaks it), never on a long list: a failure blamed on the
    wrong rule, or a generic failure repeated on many, is a defect of the kit."""
    outcomes = run.outcomes()
    also = getattr(module, "ALSO", None)
    if also is not None:
        assert len(also) <= MAX_ALSO, f"{run.impl}: ALSO lists {len(also)} rules (at most {MAX_ALSO})"
        others = {r: o for r, o in outcomes.items() if o in FAILED and r != module.BREAKS}
        undeclared = {r: o for r, o in others.items() if r not in also}
        assert not undeclared, (
            f"{run.impl} breaks {module.BREAKS}, but the suites also report {undeclared} "
            f"(declared in ALSO: {sorted(also)}); messages: "
            + "; ".join(f"{r}: {(run.report or {}).get('rules', {}).get(r, {}).get('message')}"
                        for r in undeclared))
        missing = sorted(set(also) - set(others))
        assert not missing, f"{run.impl}: ALSO names {missing}, which no longer fail; drop them"
        return
    passing = [r for r, o in outcomes.items() if o == "pass"]
    assert len(passing) >= MIN_PASSING * len(outcomes), (
        f"{run.impl} should break {module.BREAKS} only, but just {len(passing)} of "
        f"{len(outcomes)} rules pass; not passing: "
        f"{sorted(r for r, o in outcomes.items() if o != 'pass')}")


def single_rule_exemptions(prefix: str) -> dict[str, str]:
    """Rules whose spec entry says no implementation can break them alone
    (``- *Single-rule break:* none — <why>``), with the reason."""
    from conformance.rules import specs_root

    found: dict[str, str] = {}
    for path in sorted(specs_root().rglob("*.md")):
        current = None
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("### "):
                current = line[4:].split(" ", 1)[0]
            elif current and current.startswith(prefix) and line.startswith(
                    "- *Single-rule break:* none"):
                found[current] = line.split("none", 1)[1].lstrip(" —-:")
    return found


def uncovered_must_rules(prefix: str, variants: Sequence[Any]) -> list[str]:
    """MUST rules of ``prefix`` that no variant breaks alone and no spec entry exempts."""
    covered = {module.BREAKS for module in variants}
    exempt = single_rule_exemptions(prefix)
    return [r.id for r in catalogue().values()
            if r.id.startswith(prefix) and r.level == "MUST"
            and r.id not in covered and r.id not in exempt]


def assert_control_passes(run: Certification) -> None:
    outcomes = run.outcomes()
    failing = {r: o for r, o in outcomes.items() if o != "pass"}
    assert run.returncode == 0 and not failing, (
        f"the reference must pass every rule: {failing}\n{run.tail()}")
    assert outcomes, "the control run reported no rule"

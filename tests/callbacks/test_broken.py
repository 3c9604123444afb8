"""The packaged callback suites reject each deliberately broken implementation on its rule.

Every module in ``tests/callbacks/broken/`` breaks one rule of the reference (named by its
``BREAKS`` constant and its docstring). Each one is certified in a subprocess over the
packaged callback suites; the JSON report must show that rule failing, the run must
exit 1, and most other rules must still pass (the break is targeted, not a crash).
The unbroken reference runs through the same harness as a control.
"""

from __future__ import annotations

import re
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from tests.certify import (
    CALLBACK_SUITES, CONTROL, Certification, assert_control_passes, assert_documented, assert_rejected,
    assert_targeted, certify, selected, start_all, uncovered_must_rules,
)
from tests.certify import broken_module as _module

PACKAGE = "tests.callbacks.broken"
BROKEN = sorted(p.stem for p in (Path(__file__).parent / "broken").glob("[a-z]*.py"))
# Property-based suites take most of a run's time: a broken implementation runs them
# only if they cite the rule it breaks (every other suite module always runs).
SLOW_SUITES = {"test_properties.py"}


def broken_module(name: str) -> Any:
    return _module(PACKAGE, name)


def suite_modules(rule: str | None) -> list[Path]:
    """The callback suite modules to run for a break of ``rule`` (None: all of them)."""
    cites = re.compile(rf"[\"']{re.escape(rule)}[\"']") if rule else None
    return [path for path in sorted(CALLBACK_SUITES.glob("test_*.py"))
            if cites is None or path.name not in SLOW_SUITES
            or cites.search(path.read_text(encoding="utf-8"))]


def _certify(name: str, workdir: Path) -> Certification:
    if name == CONTROL:
        return certify(name, CONTROL, suite_modules(None), workdir)
    return certify(name, f"{PACKAGE}.{name}", suite_modules(broken_module(name).BREAKS), workdir)


@pytest.fixture(scope="module")
def certifications(request: pytest.FixtureRequest,
                   tmp_path_factory: pytest.TempPathFactory) -> dict[str, Future[Certification]]:
    names = selected(request.session, __name__, "impl")
    return start_all(request, tmp_path_factory.mktemp("certifications"), names, _certify)


@pytest.mark.parametrize("impl", BROKEN)
def test_broken_module_is_documented(impl: str) -> None:
    assert_documented(broken_module(impl), impl, "CB-")


@pytest.mark.parametrize("impl", BROKEN)
def test_broken_implementation_is_rejected(impl: str, certifications) -> None:
    assert_rejected(certifications[impl].result(), broken_module(impl))


@pytest.mark.parametrize("impl", BROKEN)
def test_break_is_targeted(impl: str, certifications) -> None:
    assert_targeted(certifications[impl].result(), broken_module(impl))


@pytest.mark.parametrize("impl", [CONTROL])
def test_reference_passes_the_same_harness(impl: str, certifications) -> None:
    assert_control_passes(certifications[impl].result())


def test_every_must_rule_has_a_single_rule_variant() -> None:
    """The kit proves each MUST rule of the callback contract can fail: a variant breaks it
    alone and is rejected on it (the tests above), or its spec entry says why no
    implementation can break it alone (``*Single-rule break:* none``)."""
    missing = uncovered_must_rules("CB-", [broken_module(name) for name in BROKEN])
    assert not missing, (f"MUST rules with no single-rule broken variant in tests/callbacks/broken/: "
                         f"{missing}")


@pytest.mark.parametrize("impl", BROKEN)
def test_variant_declares_what_else_it_breaks(impl: str) -> None:
    """Every variant names the other rules its bug breaks (``ALSO``, possibly empty), so
    that a failure on any other rule is a blame the kit put on the wrong rule."""
    also = getattr(broken_module(impl), "ALSO", None)
    assert isinstance(also, dict) and all(
        isinstance(reason, str) and reason.strip() for reason in also.values()), (
        f"tests/callbacks/broken/{impl}.py needs ALSO: dict[rule, reason] (empty if none)")

"""The packaged stream suites reject each deliberately broken run-stream implementation.

Every module in ``tests/streams/broken/`` breaks one ``RS-`` rule of the reference
(named by its ``BREAKS`` constant and its docstring). Each one is certified in a
subprocess over the packaged stream suites only (harness: ``tests/certify.py``): the
JSON report must show that rule with the expected outcome (``OUTCOME``, default
"fail"), the run must exit 1, and most other stream rules must still pass. The unbroken
reference runs through the same harness as a control. Every variant declares the other
rules its bug breaks (``ALSO``, checked both ways), and every MUST rule of the stream
contract has a variant that breaks it alone, or a spec entry saying why none can.
"""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from tests.certify import (
    CONTROL, STREAM_SUITES, Certification, assert_control_passes, assert_documented, assert_rejected,
    assert_targeted, certify, selected, start_all, uncovered_must_rules,
)
from tests.certify import broken_module as _module

PACKAGE = "tests.streams.broken"
BROKEN = sorted(p.stem for p in (Path(__file__).parent / "broken").glob("[a-z]*.py"))
STREAM_SUITE_DIRS = [STREAM_SUITES]


def broken_module(name: str) -> Any:
    return _module(PACKAGE, name)


def _certify(name: str, workdir: Path) -> Certification:
    impl = CONTROL if name == CONTROL else f"{PACKAGE}.{name}"
    return certify(name, impl, STREAM_SUITE_DIRS, workdir)


@pytest.fixture(scope="module")
def stream_certifications(
        request: pytest.FixtureRequest,
        tmp_path_factory: pytest.TempPathFactory) -> dict[str, Future[Certification]]:
    names = selected(request.session, __name__, "stream_impl")
    return start_all(request, tmp_path_factory.mktemp("stream-certifications"), names, _certify)


@pytest.mark.parametrize("stream_impl", BROKEN)
def test_broken_stream_module_is_documented(stream_impl: str) -> None:
    assert_documented(broken_module(stream_impl), stream_impl, "RS-")


@pytest.mark.parametrize("stream_impl", BROKEN)
def test_broken_stream_implementation_is_rejected(stream_impl: str, stream_certifications) -> None:
    assert_rejected(stream_certifications[stream_impl].result(), broken_module(stream_impl))


@pytest.mark.parametrize("stream_impl", BROKEN)
def test_stream_break_is_targeted(stream_impl: str, stream_certifications) -> None:
    assert_targeted(stream_certifications[stream_impl].result(), broken_module(stream_impl))


@pytest.mark.parametrize("stream_impl", [CONTROL])
def test_reference_passes_the_stream_harness(stream_impl: str, stream_certifications) -> None:
    assert_control_passes(stream_certifications[stream_impl].result())


def test_every_must_rule_has_a_single_rule_variant() -> None:
    """The kit proves each MUST rule of the stream contract can fail: a variant breaks it
    alone and is rejected on it (the tests above), or its spec entry says why no
    implementation can break it alone (``*Single-rule break:* none``)."""
    missing = uncovered_must_rules("RS-", [broken_module(name) for name in BROKEN])
    assert not missing, (f"MUST rules with no single-rule broken variant in "
                         f"tests/streams/broken/: {missing}")


@pytest.mark.parametrize("stream_impl", BROKEN)
def test_variant_declares_what_else_it_breaks(stream_impl: str) -> None:
    """Every variant names the other rules its bug breaks (``ALSO``, possibly empty), so
    that a failure on any other rule is a blame the kit put on the wrong rule."""
    also = getattr(broken_module(stream_impl), "ALSO", None)
    assert isinstance(also, dict) and all(
        isinstance(reason, str) and reason.strip() for reason in also.values()), (
        f"tests/streams/broken/{stream_impl}.py needs ALSO: dict[rule, reason] (empty if none)")

"""Certifications over the wire for the kit's own tests (a layer over ``tests.certify``).

``certify_over_wire(name, impl, suites, workdir)`` certifies the Python implementation
``impl`` (anything ``--impl`` resolves) served by the Python driver in a subprocess:
``--impl=wire:python:<impl>``, or ``wire:reference`` for the reference. The suites, the
profile, the seed and the report are those of ``tests.certify.certify``, so a report over
the wire compares rule by rule with the in-process one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from tests.certify import CALLBACK_SUITES, Certification, certify

#: Property-based modules run for a callback variant only when they cite its rule (as
#: tests/test_broken.py does: the rest of a run's time is theirs).
SLOW_SUITES = {"test_properties.py"}


def wire_impl(impl: str) -> str:
    return "wire:reference" if impl == "reference" else f"wire:python:{impl}"


def certify_over_wire(name: str, impl: str, suites: Sequence[Path], workdir: Path) -> Certification:
    return certify(name, wire_impl(impl), suites, workdir)


def callback_suites(rule: str | None) -> list[Path]:
    """The callback suite modules a variant breaking ``rule`` is certified over."""
    cites = re.compile(rf"[\"']{re.escape(rule)}[\"']") if rule else None
    return [path for path in sorted(CALLBACK_SUITES.glob("test_*.py"))
            if cites is None or path.name not in SLOW_SUITES
            or cites.search(path.read_text(encoding="utf-8"))]

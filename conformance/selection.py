"""``--runcert-rules``: which rules a run certifies.

A pattern is a rule ID (``CB-ID-1``), a glob over rule IDs (``CB-SCOPE-*``, ``RS-BP-?``)
or an area name (``CB-SCOPE``, ``RS-BP``); patterns are separated by commas.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fnmatch import fnmatchcase

from conformance.rules import Rule

AREA = re.compile(r"(?:CB|RS|TR)-[A-Z]+")


class SelectionError(ValueError):
    pass


def parse(value: str | None) -> list[str]:
    """The patterns of a ``--runcert-rules`` value (empty: no selection)."""
    return [p.strip().upper() for p in re.split(r"[,\s]+", value or "") if p.strip()]


def matching(pattern: str, rules: Mapping[str, Rule]) -> set[str]:
    if AREA.fullmatch(pattern):
        return {rid for rid, rule in rules.items() if rule.area == pattern}
    return {rid for rid in rules if fnmatchcase(rid, pattern)}


def select(patterns: list[str], rules: Mapping[str, Rule]) -> frozenset[str]:
    """The rules the patterns name; a pattern naming none is an error."""
    chosen: set[str] = set()
    for pattern in patterns:
        found = matching(pattern, rules)
        if not found:
            raise SelectionError(
                f"{pattern!r} matches no rule (give rule IDs like CB-ID-1, globs like "
                f"CB-SCOPE-*, or areas like RS-BP)")
        chosen |= found
    return frozenset(chosen)

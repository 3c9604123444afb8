"""The JSON report of a certification run (format ``runcert-report/1``, specs/reports.md).

The plugin gathers what a run found (:class:`RunInfo` and the per-rule results) and this
module turns it into the documented document; :func:`load` reads any report version a
reader must accept.
"""

from __future__ import annotations

import json
import platform
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from conformance.adapter import Adapter
from conformance.outcomes import (
    DESELECTED, FAILING, NOT_APPLICABLE, NOT_RUN, PASS, RuleResult, totals,
)
from conformance.rules import sort_key

FORMAT = "runcert-report/1"
READABLE = ("runcert-report/0", FORMAT)
MAX_MESSAGES = 5
_NO_FAILURE = frozenset({PASS, NOT_APPLICABLE, DESELECTED, NOT_RUN})


@dataclass
class RunInfo:
    """What the header of a report says about the run."""

    adapter: Adapter
    profile: str
    seed: int | str | None
    started: float  # time.time() at the start
    duration: float
    exit_status: int | None
    selection: list[str] | None  # the --runcert-rules patterns
    partial: bool
    ended_early: str | None = None  # why not every selected test ran (None: all did)


def runcert_version() -> str:
    try:
        return metadata.version("runcert")
    except metadata.PackageNotFoundError:
        return "unknown"


def _seed(seed: int | str | None) -> int | str | None:
    if isinstance(seed, str) and seed.strip().lstrip("-").isdigit():
        return int(seed)
    return seed


def _timestamp(when: float) -> str:
    return datetime.fromtimestamp(when, timezone.utc).isoformat(timespec="seconds").replace(
        "+00:00", "Z")


def verdict(results: Mapping[str, RuleResult], complete: bool = True) -> str:
    """``meets`` only when no rule failed and every selected test ran to an outcome."""
    if not any(r.tests for r in results.values()):
        return "no rule ran"
    if any(r.outcome in FAILING for r in results.values()):
        return "fails"
    return "meets" if complete else "incomplete"


def rule_record(result: RuleResult) -> dict[str, Any]:
    rule = result.rule
    failed = result.outcome not in _NO_FAILURE
    return {
        "level": rule.level,
        "title": rule.title,
        "spec": {"file": f"specs/{rule.file}", "anchor": rule.anchor},
        "outcome": result.outcome,
        "tests": result.tests,
        "duration": round(result.duration, 4),
        "messages": result.messages[:MAX_MESSAGES],
        "message": result.messages[0] if failed and result.messages else None,
        "transcript": result.transcripts[0] if failed and result.transcripts else None,
    }


def build(info: RunInfo, results: Mapping[str, RuleResult]) -> dict[str, Any]:
    """The report of a run concerning ``results`` (rule ID -> result)."""
    adapter = info.adapter
    return {
        "format": FORMAT,
        "runcert_version": runcert_version(),
        "implementation": {
            "name": adapter.name, "version": adapter.version,
            "description": adapter.description,
            "capabilities": sorted(adapter.capabilities),
            "deviations": dict(sorted(adapter.known_deviations.items())),
            **({"supported": adapter.supported} if adapter.supported else {}),
        },
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "hypothesis": {"profile": info.profile, "seed": _seed(info.seed)},
        "started": _timestamp(info.started),
        "duration": round(info.duration, 3),
        "verdict": verdict(results, complete=not info.ended_early),
        "exit_status": info.exit_status,
        "selection": info.selection,
        "partial": info.partial,
        **({"ended_early": info.ended_early} if info.ended_early else {}),
        "failing_rules": sorted((rid for rid, r in results.items() if r.outcome in FAILING),
                                key=sort_key),
        "totals": dict(sorted(totals(results.values()).items())),
        "rules": {rid: rule_record(results[rid]) for rid in sorted(results, key=sort_key)},
    }


def write(path: Path, doc: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


class ReportError(ValueError):
    """A file that is not a runcert report this version can read."""


def load(path: Path) -> dict[str, Any]:
    """A report of any readable format version (``runcert-report/0`` or ``/1``)."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportError(f"{path}: not a readable JSON file ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") not in READABLE:
        found = doc.get("format") if isinstance(doc, dict) else type(doc).__name__
        raise ReportError(f"{path}: $.format: expected one of {list(READABLE)}, got {found!r}")
    for key in ("implementation", "rules"):
        if not isinstance(doc.get(key), dict):
            raise ReportError(f"{path}: $.{key}: expected an object")
    return doc

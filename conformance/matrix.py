"""The compliance matrix: JSON reports rendered as one Markdown table per spec area.

    python -m conformance.matrix REPORT.json [REPORT.json | DIR ...] -o MATRIX.md [--check]

Rows are the rules of the contract (``specs/``, CB- areas then RS-; the TR- rules of the
transcript format are no outcome of an implementation), grouped by area in spec order;
columns are the reports, one per implementation version.
A directory argument stands for the ``*.json`` files in it. The output depends on the
reports, the specs and the deviation manifests of the built-in adapters only (never on
the order of the arguments, the clock or the machine), so a checked-in matrix can be
compared byte for byte with a fresh rendering.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import os
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

from conformance.outcomes import (
    DEVIATION_FIXED, FAIL, KNOWN_DEVIATION, LEGEND, NOT_RUN, OPTIONAL_UNMET, PASS, SYMBOL,
    TIMEOUT,
)
from conformance.rules import Rule, catalogue, contract_rules, specs_root

FORMATS = ("runcert-report/0", "runcert-report/1")
PREFIX_ORDER = ("CB", "RS", "TR")
NOTE_LENGTH = 200
NOTED = (KNOWN_DEVIATION, FAIL, TIMEOUT, DEVIATION_FIXED, OPTIONAL_UNMET)
_AREA_HEADING = re.compile(r"^# (.+?)(?:\s*\(`[A-Z]+-[A-Z]+`\))?\s*$")


class ReportError(Exception):
    """A report cannot be read: the message names the file, the JSON path and what was
    expected."""


@dataclass(frozen=True)
class Column:
    """One report: an implementation at one version and its per-rule outcomes."""

    name: str
    version: str
    source: str  # the report's file name
    outcomes: dict[str, str]
    notes: dict[str, str] = field(default_factory=dict)  # rule -> one-line note
    header: dict[str, str] = field(default_factory=dict)  # run facts shown under the matrix

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"


# -- reading reports ---------------------------------------------------------------------

def _expect(value: Any, kind: type | tuple[type, ...], where: str, what: str) -> Any:
    if not isinstance(value, kind):
        raise ReportError(f"{where}: expected {what}, got {json.dumps(value)[:60]}")
    return value


def load_report(path: Path) -> Column:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"{path}: cannot read the report: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ReportError(f"{path}: not JSON: {exc}") from None
    return column_from(doc, path.name, str(path))


def column_from(doc: Any, source: str, where: str | None = None) -> Column:
    """Build a column from a parsed report (format runcert-report/0 or /1)."""
    where = where or source
    _expect(doc, dict, f"{where}: $", "a JSON object (a runcert report)")
    if doc.get("format") not in FORMATS:
        raise ReportError(f"{where}: $.format: expected one of {', '.join(FORMATS)}, "
                          f"got {json.dumps(doc.get('format'))}")
    impl = _expect(doc.get("implementation"), dict, f"{where}: $.implementation", "an object")
    name = _expect(impl.get("name"), str, f"{where}: $.implementation.name", "a string")
    version = _expect(impl.get("version"), str, f"{where}: $.implementation.version",
                      "a string")
    rules = _expect(doc.get("rules"), dict, f"{where}: $.rules", "an object of rule records")
    outcomes: dict[str, str] = {}
    messages: dict[str, list[str]] = {}
    for rid, record in rules.items():
        at = f"{where}: $.rules.{rid}"
        _expect(record, dict, at, "a rule record object")
        outcome = record.get("outcome")
        if outcome not in LEGEND:
            raise ReportError(f"{at}.outcome: expected one of {', '.join(LEGEND)}, "
                              f"got {json.dumps(outcome)}")
        outcomes[rid] = outcome
        messages[rid] = [m for m in record.get("messages") or [] if isinstance(m, str)]
    reasons = _deviation_reasons(doc, name)
    notes = {rid: note for rid, outcome in outcomes.items()
             if (note := _note(rid, outcome, rules[rid], reasons, messages[rid]))}
    return Column(name, version, source, outcomes, notes, _header(doc))


def _header(doc: dict[str, Any]) -> dict[str, str]:
    facts = {"format": doc.get("format"), "runcert": doc.get("runcert_version"),
             "python": doc.get("python"), "verdict": doc.get("verdict")}
    profile = doc.get("hypothesis") if isinstance(doc.get("hypothesis"), dict) else {}
    facts["hypothesis"] = profile.get("profile") or doc.get("hypothesis_profile")
    return {k: str(v) for k, v in facts.items() if v not in (None, "")}


def _deviation_reasons(doc: dict[str, Any], name: str) -> dict[str, str]:
    """Manifest reasons: carried by the report when it has them, else read from the
    built-in adapter's ``DEVIATIONS`` (without importing the library it adapts)."""
    carried = doc["implementation"].get("deviations")
    if isinstance(carried, dict) and all(isinstance(v, str) for v in carried.values()):
        return dict(carried)
    return manifest(name)


def _reason_of(node: ast.expr) -> str | None:
    """A manifest value's (first) reason: a string, ``Deviation("...", ...)`` or a list."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Deviation":
        found = node.args[:1] or [k.value for k in node.keywords if k.arg == "reason"]
        return _reason_of(found[0]) if found else None
    if isinstance(node, (ast.List, ast.Tuple)) and node.elts:
        return _reason_of(node.elts[0])
    return None


@cache
def manifest(name: str) -> dict[str, str]:
    """The ``DEVIATIONS`` literal of a built-in adapter module, read from its source (rule
    -> first reason), without importing the library it adapts."""
    from conformance.resolve import BUILTIN

    module = BUILTIN.get(name)
    spec = importlib.util.find_spec(module) if module else None
    if spec is None or not spec.origin:
        return {}
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        if (isinstance(target, ast.Name) and target.id == "DEVIATIONS"
                and isinstance(node.value, ast.Dict)):
            return {key.value: reason for key, value in zip(node.value.keys, node.value.values)
                    if isinstance(key, ast.Constant) and (reason := _reason_of(value))}
    return {}


def _note(rid: str, outcome: str, record: dict[str, Any], reasons: dict[str, str],
          messages: list[str]) -> str:
    if outcome not in NOTED:
        return ""
    text = ""
    if outcome in (KNOWN_DEVIATION, DEVIATION_FIXED):
        text = record.get("deviation") if isinstance(record.get("deviation"), str) else ""
        text = text or reasons.get(rid, "")
    if outcome == DEVIATION_FIXED:
        text = f"listed as a deviation, yet every test passed ({text})" if text else ""
    if not text and messages:
        text = _strip_origin(messages[0], rid)
    return one_line(text)


def _strip_origin(message: str, rid: str) -> str:
    """``tests/x.py::test_y[async]: CB-ID-1: expected ...`` -> ``expected ...``."""
    head, sep, rest = message.partition(": ")
    if sep and "::" in head:
        message = rest
    return message.removeprefix(f"{rid}: ")


def one_line(text: str, limit: int = NOTE_LENGTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def expand(paths: Iterable[Path]) -> list[Path]:
    """Report files; a directory stands for its ``*.json`` files."""
    found: list[Path] = []
    for path in paths:
        found.extend(sorted(path.glob("*.json")) if path.is_dir() else [path])
    return found


# -- rendering ---------------------------------------------------------------------------

def _version_key(version: str) -> tuple[tuple[int, Any], ...]:
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"[.+\-]", version))


def order(columns: Sequence[Column]) -> list[Column]:
    """The reference first, then implementations by name, versions newest first."""
    by_version = sorted(columns, key=lambda c: (_version_key(c.version), c.source), reverse=True)
    return sorted(by_version, key=lambda c: (c.name != "reference", c.name))


def areas(rules: dict[str, Rule]) -> dict[str, list[Rule]]:
    """Areas in spec order: CB-, RS-, TR- (then any other prefix), each in file order."""
    grouped: dict[str, list[Rule]] = {}
    for rule in rules.values():
        grouped.setdefault(rule.area, []).append(rule)

    def key(area: str) -> tuple[int, str, str, int]:
        prefix = area.split("-")[0]
        first = grouped[area][0]
        rank = PREFIX_ORDER.index(prefix) if prefix in PREFIX_ORDER else len(PREFIX_ORDER)
        return rank, prefix, first.file, list(rules).index(first.id)

    return {area: grouped[area] for area in sorted(grouped, key=key)}


def area_title(rule: Rule, root: Path | None) -> str:
    if root is not None:
        path = root / rule.file
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if m := _AREA_HEADING.match(line):
                    return m.group(1).strip()
    return rule.area


def cell(outcome: str) -> str:
    return SYMBOL[outcome]


def tally(outcomes: Iterable[str]) -> str:
    counts = {o: 0 for o in LEGEND}
    for outcome in outcomes:
        counts[outcome] += 1
    return ", ".join(f"{n} {SYMBOL[o]}" for o, n in counts.items() if n) or "–"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def render(reports: Sequence[Column], *, rules: dict[str, Rule] | None = None,
           specs_link: str = "specs", specs_dir: Path | None = None) -> str:
    """The matrix as Markdown. ``specs_link`` is the path from the matrix file to the
    specs directory; ``specs_dir`` is where area titles are read (None: use IDs)."""
    rules = contract_rules() if rules is None else rules  # TR- rules certify no implementation
    columns = order(reports)
    grouped = areas(rules)
    out = [
        "# Compliance matrix",
        "",
        "Generated by `python -m conformance.matrix` from the JSON reports listed under "
        "[Reports](#reports); do not edit by hand. Each cell is the rule's outcome in that "
        "certification run (legend below); a rule the run did not cover shows as "
        f"`{SYMBOL[NOT_RUN]}`.",
        "",
    ]
    out += _summary(grouped, columns)
    out += _history(rules, columns)
    for area, members in grouped.items():
        out += _area(area, area_title(members[0], specs_dir), members, columns, specs_link)
    out += _legend()
    out += _sources(columns, rules)
    return "\n".join(out) + "\n"


def _summary(grouped: dict[str, list[Rule]], columns: Sequence[Column]) -> list[str]:
    out = ["## Totals", "", _row(["area", "rules", *(c.label for c in columns)]),
           _row(["---"] * (len(columns) + 2))]
    for area, members in grouped.items():
        out.append(_row([f"[{area}](#{area.lower()})", str(len(members)),
                         *(tally(c.outcomes.get(r.id, NOT_RUN) for r in members)
                           for c in columns)]))
    every = [r for members in grouped.values() for r in members]
    out.append(_row(["**all**", f"**{len(every)}**",
                     *(f"**{tally(c.outcomes.get(r.id, NOT_RUN) for r in every)}**"
                       for c in columns)]))
    return out + [""]


def _area(area: str, title: str, members: list[Rule], columns: Sequence[Column],
          specs_link: str) -> list[str]:
    out = [f"## {area}", "", f"{_escape(title)} — [{members[0].file}]({specs_link}/{members[0].file})",
           "", _row(["rule", "level", "title", *(c.label for c in columns)]),
           _row(["---", "---", "---", *(":---:" for _ in columns)])]
    for rule in members:
        link = f"[{rule.id}]({specs_link}/{rule.file}#{rule.anchor})"
        out.append(_row([link, rule.level, _escape(rule.title),
                         *(cell(c.outcomes.get(rule.id, NOT_RUN)) for c in columns)]))
    out.append(_row(["**totals**", "", "",
                     *(tally(c.outcomes.get(r.id, NOT_RUN) for r in members) for c in columns)]))
    out.append("")
    notes = _notes(members, columns)
    if notes:
        out += ["Notes:", "", *notes, ""]
    return out


def _notes(members: list[Rule], columns: Sequence[Column]) -> list[str]:
    """One line per rule and distinct note; columns sharing a note share the line."""
    lines = []
    for rule in members:
        shared: dict[tuple[str, str], list[str]] = {}
        for c in columns:
            if rule.id in c.notes:
                outcome = c.outcomes[rule.id]
                shared.setdefault((outcome, c.notes[rule.id]), []).append(c.label)
        for (outcome, note), labels in shared.items():
            lines.append(f"- **{rule.id}** ({', '.join(labels)}; {outcome}): {_escape(note)}")
    return lines


HISTORIC = frozenset({KNOWN_DEVIATION, FAIL, TIMEOUT, OPTIONAL_UNMET})  # "shows" a deviation


def _release_key(column: Column) -> Any:
    try:
        return (0, Version(column.version))
    except InvalidVersion:
        return (1, _version_key(column.version))


def _history(rules: dict[str, Rule], columns: Sequence[Column]) -> list[str]:
    """The version view: for each implementation certified at several releases, every rule
    whose outcome is not the same pass everywhere, across releases (oldest first), with the
    first and last swept release that shows the deviation and the release that fixed it."""
    out: list[str] = []
    by_name: dict[str, list[Column]] = {}
    for column in columns:
        by_name.setdefault(column.name, []).append(column)
    for name, versions in by_name.items():
        if len({c.version for c in versions}) < 2:
            continue
        versions = sorted(versions, key=_release_key)
        rows = [_history_row(rule, versions) for rule in rules.values()]
        rows = [row for row in rows if row]
        out += [f"## History of {name}", "",
                f"Every rule whose outcome is not *pass* in all {len(versions)} swept releases "
                f"of {name}, oldest first. *Shown in* is the first and last swept release "
                f"that shows the deviation (`{SYMBOL[KNOWN_DEVIATION]}`, `{SYMBOL[FAIL]}`, "
                f"`{SYMBOL[TIMEOUT]}` or `{SYMBOL[OPTIONAL_UNMET]}`); *fixed in* is the first "
                "swept release after it that passes (between two swept releases the change "
                "happened at one of the releases in between; the manifest's version ranges "
                "give the exact boundary).", "",
                _row(["rule", *(c.version for c in versions), "shown in", "fixed in"]),
                _row(["---", *(":---:" for _ in versions), "---", "---"])]
        out += rows or [_row(["(none)", *("" for _ in versions), "", ""])]
        out.append("")
    return out


def _history_row(rule: Rule, versions: list[Column]) -> str:
    outcomes = [c.outcomes.get(rule.id, NOT_RUN) for c in versions]
    if all(o == outcomes[0] for o in outcomes) and outcomes[0] not in HISTORIC:
        return ""
    shown = [i for i, o in enumerate(outcomes) if o in HISTORIC]
    span = (f"{versions[shown[0]].version} – {versions[shown[-1]].version}"
            if shown else "–")
    fixed = next((versions[i].version for i in range(shown[-1] + 1, len(versions))
                  if outcomes[i] == PASS), "–") if shown else "–"
    return _row([rule.id, *(cell(o) for o in outcomes), span, fixed])


def _legend() -> list[str]:
    out = ["## Legend", "", _row(["symbol", "outcome", "meaning"]), _row(["---"] * 3)]
    out += [_row([f"`{SYMBOL[o]}`", o, meaning]) for o, meaning in LEGEND.items()]
    return out + [""]


def _sources(columns: Sequence[Column], rules: dict[str, Rule]) -> list[str]:
    keys = sorted({k for c in columns for k in c.header})
    out = ["## Reports", "", _row(["column", "report", *keys]),
           _row(["---"] * (len(keys) + 2))]
    for c in columns:
        out.append(_row([c.label, f"`{c.source}`", *(_escape(c.header.get(k, "")) for k in keys)]))
    kit_rules = set(catalogue()) - set(contract_rules())  # TR-: in older reports, not shown
    stale = {c.label: sorted(set(c.outcomes) - set(rules) - kit_rules) for c in columns}
    stale = {label: ids for label, ids in stale.items() if ids}
    if stale:
        out += ["", "Rules in a report that the specs no longer define (not shown): " + "; ".join(
            f"{label}: {', '.join(ids)}" for label, ids in stale.items())]
    return out + [""]


# -- command -----------------------------------------------------------------------------

def default_specs_link(output: Path | None) -> str:
    """The specs directory relative to the matrix file (``specs`` at a checkout's root)."""
    root = specs_root()
    base = (output.resolve().parent if output else Path.cwd())
    if root.name != "specs":  # packaged copy: link where a checkout keeps them
        return "specs"
    return Path(os.path.relpath(root, base)).as_posix()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m conformance.matrix",
        description="Render runcert JSON reports as a Markdown compliance matrix.")
    parser.add_argument("reports", nargs="+", type=Path, metavar="REPORT",
                        help="a report written by --runcert-report, or a directory of them")
    parser.add_argument("-o", "--output", type=Path, default=None,
                        help="write the matrix here (default: standard output)")
    parser.add_argument("--specs-link", default=None,
                        help="path or URL of specs/ as seen from the matrix "
                             "(default: relative to the output file)")
    parser.add_argument("--check", action="store_true",
                        help="do not write: exit 1 if OUTPUT differs from a fresh rendering")
    args = parser.parse_args(argv)
    files = expand(args.reports)
    if not files:
        parser.error("no report found in " + ", ".join(map(str, args.reports)))
    try:
        columns = [load_report(path) for path in files]
    except ReportError as exc:
        print(f"runcert matrix: {exc}", file=sys.stderr)
        return 2
    link = args.specs_link or default_specs_link(args.output)
    text = render(columns, specs_link=link, specs_dir=specs_root())
    for column in columns:
        stale = sorted(set(column.outcomes) - set(catalogue()))
        if stale:
            print(f"runcert matrix: {column.source}: rules the specs no longer define: "
                  f"{', '.join(stale)}", file=sys.stderr)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else None
        if current != text:
            print(f"runcert matrix: {args.output} is stale; regenerate it with "
                  f"`python -m conformance.matrix {' '.join(map(str, args.reports))} "
                  f"-o {args.output}`", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

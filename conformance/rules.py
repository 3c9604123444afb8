"""The rule catalogue, read from the Markdown specs (``specs/``).

A rule is a level-3 heading ``### <ID> · <title>`` followed by a ``**Level:** ...``
line. The specs are the single source: the kit reads levels and titles from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

RULE_ID = re.compile(r"\b(?:CB|RS|TR)-[A-Z]+-\d+\b")
_HEADING = re.compile(r"^### ((?:CB|RS|TR)-([A-Z]+)-(\d+)) · (.+)$")
_LEVEL = re.compile(r"^\*\*Level:\*\* (MUST|SHOULD|MAY)\b")


@dataclass(frozen=True)
class Rule:
    id: str
    area: str
    number: int
    title: str
    level: str
    file: str  # path relative to the specs root
    anchor: str

    @property
    def normative(self) -> bool:
        """MUST rules fail a certification; SHOULD/MAY ones are 'optional unmet'."""
        return self.level == "MUST"


def specs_root() -> Path:
    """The specs directory: packaged copy when installed, ``specs/`` in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_specs", here.parent / "specs"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("runcert: cannot find the specs directory")


def parse_rules(root: Path) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for path in sorted(root.rglob("*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        fenced = False
        for i, line in enumerate(lines):
            if line.startswith("```"):  # examples in code fences are not rules
                fenced = not fenced
            m = None if fenced else _HEADING.match(line)
            if not m:
                continue
            level = next(
                (lv.group(1) for lv in map(_LEVEL.match, lines[i + 1 : i + 4]) if lv), None
            )
            if level is None:
                raise ValueError(f"{path}:{i + 1}: rule {m.group(1)} has no **Level:** line")
            if m.group(1) in rules:
                raise ValueError(f"{path}:{i + 1}: rule {m.group(1)} is defined twice")
            rules[m.group(1)] = Rule(
                id=m.group(1),
                area=f"{m.group(1).split('-')[0]}-{m.group(2)}",
                number=int(m.group(3)),
                title=m.group(4).strip(),
                level=level,
                file=path.relative_to(root).as_posix(),
                anchor=_anchor(line[4:]),
            )
    return rules


def _anchor(heading: str) -> str:
    """GitHub-style anchor of a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.lower())
    return text.strip().replace(" ", "-")


@cache
def catalogue() -> dict[str, Rule]:
    return parse_rules(specs_root())


#: The parts of the specs an implementation is certified against.
CONTRACT_PARTS = ("CB", "RS")


@cache
def contract_rules() -> dict[str, Rule]:
    """The rules an implementation is certified against: the callback (``CB-``) and
    run-stream (``RS-``) contracts, in catalogue order.

    The ``TR-`` rules specify the transcript format and the kit's tools, which behave
    the same whatever is certified: the kit's own tests check them, and they are no
    outcome of an implementation (a certification counting them would credit even an
    implementation whose callback manager is ``dict`` with 21 passes).
    """
    return {rid: rule for rid, rule in catalogue().items()
            if rid.split("-", 1)[0] in CONTRACT_PARTS}


def sort_key(rule_id: str) -> tuple[str, str, int]:
    prefix, area, number = rule_id.split("-")
    return prefix, area, int(number)

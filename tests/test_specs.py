"""The specs are well formed: every rule has an ID, a level, intent, hint and source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conformance.rules import catalogue, parse_rules, specs_root

HEADING = re.compile(r"^### ((?:CB|RS|TR)-[A-Z]+-\d+) · ")


def _blocks() -> list[tuple[str, str, list[str]]]:
    blocks = []
    for path in sorted(specs_root().rglob("*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        fence = [line.startswith("```") for line in lines]
        inside = [sum(fence[: i + 1]) % 2 == 1 for i in range(len(lines))]
        starts = [i for i, line in enumerate(lines) if HEADING.match(line) and not inside[i]]
        for a, b in zip(starts, starts[1:] + [len(lines)]):
            blocks.append((HEADING.match(lines[a]).group(1), path.name, lines[a:b]))
    return blocks


BLOCKS = _blocks()


def test_catalogue_is_not_empty() -> None:
    assert len(catalogue()) >= 50


@pytest.mark.parametrize("rule_id, file, block", BLOCKS, ids=[b[0] for b in BLOCKS])
def test_rule_block_is_complete(rule_id: str, file: str, block: list[str]) -> None:
    text = "\n".join(block)
    assert re.search(r"^\*\*Level:\*\* (MUST|SHOULD|MAY) · \*\*Source:\*\* \S", text, re.M), \
        f"{file}: {rule_id} needs '**Level:** MUST|SHOULD|MAY · **Source:** ...'"
    assert "- *Intent:* " in text, f"{file}: {rule_id} has no intent line"
    assert "- *If this fails, check:* " in text, f"{file}: {rule_id} has no hint line"
    normative = [line for line in block[1:] if line and not line.startswith(("**", "- *"))]
    assert normative, f"{file}: {rule_id} has no normative sentence"


def test_rule_area_matches_file_prefix() -> None:
    for rule in catalogue().values():
        assert rule.file.split("/")[0] in {"callbacks", "streams", "transcripts"}, rule


def test_parser_rejects_a_rule_without_level(tmp_path: Path) -> None:
    (tmp_path / "x.md").write_text("### CB-X-1 · t\n\nno level here\n")
    with pytest.raises(ValueError, match=r"^.*x\.md:1: rule CB-X-1 has no \*\*Level:\*\* line$"):
        parse_rules(tmp_path)


def test_parser_rejects_a_duplicate_rule(tmp_path: Path) -> None:
    block = "### CB-X-1 · t\n\n**Level:** MUST · **Source:** s\n\n"
    (tmp_path / "x.md").write_text(block + block)
    with pytest.raises(ValueError, match=r"rule CB-X-1 is defined twice$"):
        parse_rules(tmp_path)


def test_parser_skips_code_fences(tmp_path: Path) -> None:
    block = "### CB-X-1 · t\n\n**Level:** MUST · **Source:** s\n\n"
    (tmp_path / "x.md").write_text("```\n" + block + "```\n" + block)
    assert list(parse_rules(tmp_path)) == ["CB-X-1"]

"""Traceability, both ways: every rule in specs/ is tested; every test cites real rules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.rules import RULE_ID, catalogue, contract_rules, specs_root

ROOT = Path(__file__).resolve().parent.parent
KIT = ROOT / "conformance"


def _collect(tmp_path_factory: pytest.TempPathFactory, *args: str) -> dict[str, list[str]]:
    """nodeid -> cited rules of the tests ``python -m tests.collect_rules ARGS`` collects."""
    out = tmp_path_factory.mktemp("trace") / "items.json"
    proc = subprocess.run(
        [sys.executable, "-m", "tests.collect_rules", args[0], str(out), *args[1:]],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """nodeid -> cited rules, as the plugin sees them when certifying the reference."""
    return _collect(tmp_path_factory, "reference")


@pytest.fixture(scope="module")
def kit_collected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """nodeid -> cited rules of the kit's own tests (where the TR- rules are checked)."""
    return _collect(tmp_path_factory, "-", "tests")


def test_every_rule_has_a_test(collected: dict[str, list[str]],
                               kit_collected: dict[str, list[str]]) -> None:
    """Each contract rule by a conformance test; each TR- rule by a kit self-test."""
    cited = {rule for rules in collected.values() for rule in rules}
    untested = sorted(set(contract_rules()) - cited)
    assert not untested, f"rules of the contract that no conformance test cites: {untested}"
    kit_cited = {rule for rules in kit_collected.values() for rule in rules}
    unchecked = sorted(set(catalogue()) - set(contract_rules()) - kit_cited)
    assert not unchecked, f"TR- rules that no kit self-test (tests/) cites: {unchecked}"


def test_conformance_tests_cite_rules_of_the_contract_only(
        collected: dict[str, list[str]]) -> None:
    """A certification reports contract rules only: a conformance test citing a TR- rule
    would run in every certification and count for nothing (or as a pass of anything)."""
    outside = {node: r for node, rs in collected.items() for r in rs if r not in contract_rules()}
    assert not outside, f"conformance tests citing rules outside the contract: {outside}"


def test_every_test_cites_existing_rules(collected: dict[str, list[str]],
                                         kit_collected: dict[str, list[str]]) -> None:
    rules = catalogue()
    bad = {node: r for node, rs in {**collected, **kit_collected}.items() for r in rs
           if r not in rules}
    assert not bad, f"tests citing rules that specs/ does not define: {bad}"


def test_every_conformance_test_cites_a_rule(collected: dict[str, list[str]]) -> None:
    assert collected, "no conformance test collected"
    bare = sorted(node for node, rules in collected.items() if not rules)
    assert not bare, f"conformance tests that cite no rule: {bare}"


def test_rule_ids_in_kit_code_exist() -> None:
    """A rule ID written anywhere in the kit (check() calls, transcripts) must exist."""
    rules = catalogue()
    unknown: dict[str, set[str]] = {}
    for path in list(KIT.rglob("*.py")) + list(KIT.rglob("*.json")):
        for rid in RULE_ID.findall(path.read_text(encoding="utf-8")):
            if rid not in rules:
                unknown.setdefault(rid, set()).add(str(path.relative_to(ROOT)))
    assert not unknown, f"rule IDs named in the kit that specs/ does not define: {unknown}"


def test_packaged_specs_match_the_checkout() -> None:
    """The rules the kit reads (a packaged copy when installed) are the checkout's specs/."""
    from conformance.rules import parse_rules

    assert parse_rules(specs_root()) == parse_rules(ROOT / "specs")

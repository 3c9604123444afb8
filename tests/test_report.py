"""The JSON report (runcert-report/1, specs/reports.md) and the JUnit XML properties.

Every report read through ``Run`` is validated against specs/schemas/report.schema.json
(tests/conftest.py); these tests check what the schema cannot: the values.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from datetime import datetime

import pytest

from conformance.report import FORMAT, ReportError, load, runcert_version
from conformance.rules import catalogue, specs_root

from .conftest import REPO, report_errors, suite

FAST = "--runcert-profile=fast"
IDENTITY = suite("test_identity")

# Conformance tests written for these tests: failures that name a reproducing transcript.
FAILING_WITH_TRANSCRIPTS = textwrap.dedent("""\
    import pytest
    from conformance.checks import RuleViolation

    @pytest.mark.rule("CB-ID-1")
    def test_violation_names_its_transcript():
        raise RuleViolation("CB-ID-1", "expected 1, got 2", transcript="golden/t1.json")

    @pytest.mark.rule("CB-ID-2")
    def test_note_names_the_transcript():
        exc = ValueError("shrunk counterexample differs")
        exc.add_note("transcript=counterexamples/cb-id-2.json")
        raise exc

    @pytest.mark.rule("CB-ID-3")
    def test_violation_without_transcript():
        raise RuleViolation("CB-ID-3", "expected a, got b")

    @pytest.mark.rule("CB-ID-4", "CB-ID-5")
    def test_two_rules_passing():
        pass
    """)


def test_header(runcert):
    before = time.time()
    run = runcert("--impl=reference", FAST, "--hypothesis-seed=1234", IDENTITY)
    doc = run.report
    assert run.ret == 0, run.text
    assert doc["format"] == FORMAT == "runcert-report/1"
    assert doc["runcert_version"] == runcert_version() != "unknown"
    assert doc["implementation"]["name"] == "reference"
    assert doc["implementation"]["deviations"] == {}
    assert doc["hypothesis"] == {"profile": "fast", "seed": 1234}
    started = datetime.strptime(doc["started"], "%Y-%m-%dT%H:%M:%S%z").timestamp()
    assert before - 1 <= started <= time.time()
    assert 0 < doc["duration"] < time.time() - before + 1
    assert (doc["verdict"], doc["exit_status"], doc["failing_rules"]) == ("meets", 0, [])
    assert doc["selection"] is None and doc["partial"] is True  # a path was given
    identity = {r for r in catalogue() if r.startswith("CB-ID-")}
    assert set(doc["rules"]) == identity
    assert doc["totals"] == {"pass": len(identity)}


def test_rule_records_link_to_the_spec(runcert):
    doc = runcert("--impl=reference", FAST, IDENTITY).report
    for rid, record in doc["rules"].items():
        rule = catalogue()[rid]
        assert (record["level"], record["title"]) == (rule.level, rule.title)
        spec = REPO / record["spec"]["file"]
        assert spec == specs_root() / rule.file and spec.exists(), record["spec"]
        assert f"### {rid} · {rule.title}" in spec.read_text(encoding="utf-8")
        assert record["spec"]["anchor"].startswith(rid.lower() + "--")
        assert record["tests"] and all("test_identity.py::" in t for t in record["tests"])
        assert record["duration"] > 0
        assert (record["message"], record["transcript"]) == (None, None)


@pytest.fixture
def failing_run(runcert, pytester):
    pytester.makepyfile(test_transcripts=FAILING_WITH_TRANSCRIPTS)
    return runcert("--impl=reference", FAST, "test_transcripts.py")


def test_failure_records_carry_the_message_and_the_transcript(failing_run):
    rules = failing_run.report["rules"]
    assert failing_run.ret == 1
    assert failing_run.report["failing_rules"] == ["CB-ID-1", "CB-ID-2", "CB-ID-3"]
    one, two, three = rules["CB-ID-1"], rules["CB-ID-2"], rules["CB-ID-3"]
    assert [one["outcome"], two["outcome"], three["outcome"]] == ["fail"] * 3
    assert one["message"] == "test_transcripts.py::test_violation_names_its_transcript: " \
                             "CB-ID-1: expected 1, got 2"
    assert one["transcript"] == "golden/t1.json"
    assert two["message"].endswith("CB-ID-2: ValueError: shrunk counterexample differs")
    assert two["transcript"] == "counterexamples/cb-id-2.json"
    assert three["message"].endswith("CB-ID-3: expected a, got b")
    assert three["transcript"] is None
    for rid in ("CB-ID-4", "CB-ID-5"):
        assert rules[rid]["outcome"] == "pass" and rules[rid]["tests"] == [
            "test_transcripts.py::test_two_rules_passing"]


def test_report_path_from_the_ini_setting(pytester):
    ini = pytester.makeini("[pytest]\nruncert_report = out/ini-report.json\n"
                           "asyncio_default_fixture_loop_scope = function\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-c", str(ini),
                           "--impl=reference", FAST, IDENTITY, "-k", "test_fresh_run_ids"],
                          cwd=pytester.path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO), "PYTEST_ADDOPTS": ""})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = load(pytester.path / "out" / "ini-report.json")
    assert report_errors(doc) == []
    assert {r: v["outcome"] for r, v in doc["rules"].items()} == {"CB-ID-1": "pass"}


# -- reading reports ------------------------------------------------------------------------

def test_load_accepts_both_format_versions(tmp_path):
    for version in ("runcert-report/0", "runcert-report/1"):
        path = tmp_path / f"{version.rsplit('/', 1)[1]}.report"
        path.write_text(json.dumps({"format": version, "implementation": {"name": "x"},
                                    "rules": {"CB-ID-1": {"outcome": "pass"}}}))
        assert load(path)["format"] == version


@pytest.mark.parametrize(("content", "message"), [
    ('{"format": "runcert-report/9", "implementation": {}, "rules": {}}',
     r"\$\.format: expected one of \['runcert-report/0', 'runcert-report/1'\], "
     r"got 'runcert-report/9'"),
    ('{"format": "runcert-report/1", "implementation": {}, "rules": []}',
     r"\$\.rules: expected an object"),
    ("[1, 2]", r"\$\.format: expected one of .*, got 'list'"),
    ("{not json", r"not a readable JSON file"),
])
def test_load_rejects_what_it_cannot_read(tmp_path, content, message):
    path = tmp_path / "bad.report"
    path.write_text(content)
    with pytest.raises(ReportError, match=rf"^{re.escape(str(path))}: {message}"):
        load(path)


def test_schema_rejects_a_report_missing_its_failure_message(failing_run):
    doc = json.loads(json.dumps(failing_run.report))
    doc["rules"]["CB-ID-1"]["message"] = None
    del doc["hypothesis"]
    errors = report_errors(doc)
    assert any(e.startswith("$.rules.CB-ID-1.message: None is not of type 'string'")
               for e in errors), errors
    assert any("'hypothesis' is a required property" in e for e in errors), errors


# -- JUnit XML ------------------------------------------------------------------------------

def _properties(case: ET.Element) -> list[tuple[str, str]]:
    return [(p.get("name"), p.get("value")) for p in case.iter("property")]


def test_junit_xml_carries_the_rule_ids(runcert, pytester):
    pytester.makepyfile(test_transcripts=FAILING_WITH_TRANSCRIPTS)
    junit = pytester.path / "junit.xml"
    run = runcert("--impl=reference", FAST, f"--junitxml={junit}", "test_transcripts.py",
                  IDENTITY, "-k", "transcript or fresh_run_ids or two_rules")
    assert run.ret == 1, run.text
    cases = {c.get("name"): c for c in ET.parse(junit).iter("testcase")}
    assert _properties(cases["test_two_rules_passing"]) == [
        ("rule", "CB-ID-4"), ("rule", "CB-ID-5"),
        ("rule_outcome", "CB-ID-4: pass"), ("rule_outcome", "CB-ID-5: pass")]
    assert _properties(cases["test_violation_names_its_transcript"]) == [
        ("rule", "CB-ID-1"), ("rule_outcome", "CB-ID-1: fail")]
    fresh = [c for name, c in cases.items() if name.startswith("test_fresh_run_ids[")]
    assert fresh and all(("rule", "CB-ID-1") in _properties(c) for c in fresh)


def test_checked_in_reports_match_the_schema():
    """The reports the compliance matrix is rendered from were written by the kit too."""
    files = sorted((REPO / "reports").glob("*.json"))
    assert files, f"no report in {REPO / 'reports'}"
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("format") == FORMAT:
            assert report_errors(doc) == [], path

"""The compliance matrix: the checked-in MATRIX.md is current, and the renderer's parts."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from conformance import matrix
from conformance.outcomes import (
    FAIL, KNOWN_DEVIATION, LEGEND, NOT_APPLICABLE, NOT_RUN, PASS, SYMBOL,
)
from conformance.rules import catalogue, contract_rules, parse_rules, specs_root

ROOT = Path(__file__).resolve().parent.parent
MATRIX = ROOT / "MATRIX.md"
REPORTS = ROOT / "reports"
REGENERATE = "regenerate it with `tox -e matrix` (python -m conformance.matrix reports -o MATRIX.md)"
_RULE_ROW = re.compile(r"^\| \[((?:CB|RS|TR)-[A-Z]+-\d+)\]\(")


def _columns_of_tables(text: str) -> set[tuple[str, ...]]:
    return {tuple(c.strip() for c in line.strip("|").split("|"))[3:]
            for line in text.splitlines() if line.startswith("| rule | level | title |")}


# -- the checked-in matrix ---------------------------------------------------------------

@pytest.fixture(scope="module")
def checked_in() -> str:
    assert MATRIX.is_file(), f"{MATRIX} is missing; {REGENERATE}"
    return MATRIX.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def reports() -> list[matrix.Column]:
    files = matrix.expand([REPORTS])
    assert files, f"no report in {REPORTS}"
    return [matrix.load_report(path) for path in files]


def test_matrix_rows_are_the_rules_of_the_specs(checked_in: str) -> None:
    """Every rule of the contract, once; no TR- rule (the kit's own tests check those)."""
    listed = [m.group(1) for line in checked_in.splitlines() if (m := _RULE_ROW.match(line))]
    rules = contract_rules()
    gone = sorted(set(listed) - set(rules))
    missing = sorted(set(rules) - set(listed))
    assert not gone, f"MATRIX.md names rules the specs no longer define: {gone}; {REGENERATE}"
    assert not missing, f"MATRIX.md misses rules of the specs: {missing}; {REGENERATE}"
    assert len(listed) == len(set(listed)), "MATRIX.md lists a rule twice"


def test_matrix_columns_are_the_reports(checked_in: str,
                                        reports: list[matrix.Column]) -> None:
    expected = tuple(c.label for c in matrix.order(reports))
    assert _columns_of_tables(checked_in) == {expected}, (
        f"MATRIX.md's columns differ from the reports in reports/ ({expected}); {REGENERATE}")


def test_matrix_is_the_rendering_of_the_reports(checked_in: str,
                                                reports: list[matrix.Column]) -> None:
    fresh = matrix.render(reports, specs_link=matrix.default_specs_link(MATRIX),
                          specs_dir=ROOT / "specs")
    assert fresh == checked_in, f"MATRIX.md is stale; {REGENERATE}"


def test_reports_cover_the_reference_and_every_release_of_the_sweep_plan(
        reports: list[matrix.Column]) -> None:
    from conformance.sweep import load_plan

    versions: dict[str, set[str]] = {}
    for column in reports:
        versions.setdefault(column.name, set()).add(column.version)
    assert "reference" in versions, "no report of the reference in reports/"
    planned: dict[str, set[str]] = {}
    for target in load_plan(ROOT / "reports" / "sweep.toml").targets:
        planned.setdefault(target.implementation, set()).add(target.version)
    for library, wanted in planned.items():
        missing = sorted(wanted - versions.get(library, set()))
        assert not missing, (f"reports/ lacks {library} {missing} of reports/sweep.toml; run "
                             "`tox -e sweep` (runcert-sweep --plan reports/sweep.toml -o reports)")


def test_report_files_are_named_after_the_implementation(reports: list[matrix.Column]) -> None:
    for column in reports:
        stem = column.source.removesuffix(".json")
        expected = "reference" if column.name == "reference" else f"{column.name}-{column.version}"
        assert stem == expected, f"reports/{column.source} holds {column.label}: name it {expected}.json"


def test_reports_name_only_rules_of_the_specs(reports: list[matrix.Column]) -> None:
    rules = catalogue()
    stale = {c.source: sorted(set(c.outcomes) - set(rules)) for c in reports}
    stale = {source: ids for source, ids in stale.items() if ids}
    assert not stale, f"reports certify rules the specs no longer define (re-certify): {stale}"


# -- the renderer, on synthetic specs and reports ----------------------------------------

SPECS = {
    # Alphabetical order of the files would put TR first and RS before CB: the matrix
    # orders areas by prefix (CB, RS, TR), then by file.
    "a-transcripts/01-format.md": "# Transcript format (`TR-FMT`)\n\n"
                                  "### TR-FMT-1 · Files are JSON\n\n**Level:** MUST\n",
    "b-streams/01-pump.md": "# Pumping (`RS-PUMP`)\n\n"
                            "### RS-PUMP-1 · Caller pumps\n\n**Level:** MUST\n",
    "c-callbacks/01-cons.md": "# Construction (`CB-CONS`)\n\n"
                              "### CB-CONS-1 · Defaults | empty\n\n**Level:** MUST\n\n"
                              "### CB-CONS-2 · Child managers\n\n**Level:** SHOULD\n",
    "c-callbacks/02-id.md": "# Identity (`CB-ID`)\n\n"
                            "### CB-ID-1 · Run ids\n\n**Level:** MUST\n",
}


@pytest.fixture()
def specs(tmp_path: Path) -> Path:
    root = tmp_path / "specs"
    for name, text in SPECS.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture()
def rules(specs: Path) -> dict[str, Any]:
    return parse_rules(specs)


def report(name: str, version: str, outcomes: dict[str, str], *, fmt: str = "runcert-report/1",
           deviations: dict[str, str] | None = None,
           messages: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """A synthetic report; format /1 ones are complete (they match the report schema)."""
    messages = messages or {}
    rules = {rid: _record(rid, outcome, messages.get(rid, [])) for rid, outcome in outcomes.items()}
    implementation: dict[str, Any] = {"name": name, "version": version, "capabilities": []}
    doc: dict[str, Any] = {"format": fmt, "implementation": implementation, "rules": rules}
    if fmt == "runcert-report/0":
        return doc
    implementation.update(description="", deviations=deviations or {})
    failing = sorted(rid for rid, o in outcomes.items() if o == FAIL)
    doc.update(runcert_version="0.1.0", python="3.11.7", platform="Linux",
               hypothesis={"profile": "default", "seed": 1}, started="2025-01-01T00:00:00Z",
               duration=1.0, verdict="fails" if failing else "meets", exit_status=0,
               selection=None, partial=False, failing_rules=failing,
               totals={o: list(outcomes.values()).count(o) for o in set(outcomes.values())})
    return doc


def _record(rid: str, outcome: str, messages: list[str]) -> dict[str, Any]:
    failed = outcome not in (PASS, NOT_APPLICABLE, NOT_RUN)
    return {"level": "MUST", "title": rid, "spec": {"file": "specs/x.md", "anchor": rid.lower()},
            "outcome": outcome, "tests": [] if outcome == NOT_RUN else [f"t.py::test_{rid}"],
            "duration": 0.0, "messages": messages,
            "message": (messages[0] if messages else "violated") if failed else None,
            "transcript": None}


def column(doc: dict[str, Any], source: str = "r.json") -> matrix.Column:
    return matrix.column_from(doc, source)


def render(rules: dict[str, Any], specs: Path, *docs: dict[str, Any]) -> str:
    columns = [column(d, f"{d['implementation']['name']}-{d['implementation']['version']}.json")
               for d in docs]
    return matrix.render(columns, rules=rules, specs_link="specs", specs_dir=specs)


def rows(text: str, first_cell: str) -> list[list[str]]:
    return [[c.strip() for c in re.split(r"(?<!\\)\|", line.strip()[1:-1])]
            for line in text.splitlines() if line.startswith(f"| {first_cell}")]


def test_areas_in_spec_order_cb_then_rs_then_tr(rules: dict[str, Any]) -> None:
    assert list(matrix.areas(rules)) == ["CB-CONS", "CB-ID", "RS-PUMP", "TR-FMT"]
    assert [r.id for r in matrix.areas(rules)["CB-CONS"]] == ["CB-CONS-1", "CB-CONS-2"]


def test_area_sections_carry_titles_and_rule_rows(rules: dict[str, Any], specs: Path) -> None:
    text = render(rules, specs, report("reference", "1.0", {r: PASS for r in rules}))
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## Totals", "## CB-CONS", "## CB-ID", "## RS-PUMP", "## TR-FMT",
                        "## Legend", "## Reports"]
    assert "Construction — [c-callbacks/01-cons.md](specs/c-callbacks/01-cons.md)" in text
    assert "Transcript format — [a-transcripts/01-format.md]" in text


def test_each_rule_links_to_its_spec_anchor(rules: dict[str, Any], specs: Path) -> None:
    text = render(rules, specs, report("reference", "1.0", {}))
    assert "| [CB-CONS-2](specs/c-callbacks/01-cons.md#cb-cons-2--child-managers) | SHOULD |" in text
    assert "[TR-FMT-1](specs/a-transcripts/01-format.md#tr-fmt-1--files-are-json)" in text
    # a pipe in a title does not split the table row
    assert "| Defaults \\| empty |" in text


def test_cells_use_the_legend_symbols_and_missing_rules_are_not_run(
        rules: dict[str, Any], specs: Path) -> None:
    doc = report("lib", "2.0", {"CB-CONS-1": PASS, "CB-CONS-2": FAIL, "CB-ID-1": NOT_APPLICABLE},
                 messages={"CB-CONS-2": ["t.py::test_x: CB-CONS-2: expected 1, got 2"]})
    text = render(rules, specs, doc)
    cells = {r[0].split("]")[0].lstrip("["): r[3] for r in rows(text, "[") if "](specs/" in r[0]}
    assert cells == {"CB-CONS-1": SYMBOL[PASS], "CB-CONS-2": SYMBOL[FAIL],
                     "CB-ID-1": SYMBOL[NOT_APPLICABLE], "RS-PUMP-1": SYMBOL[NOT_RUN],
                     "TR-FMT-1": SYMBOL[NOT_RUN]}


def test_per_area_and_overall_totals_per_column(rules: dict[str, Any], specs: Path) -> None:
    a = report("lib", "2.0", {"CB-CONS-1": PASS, "CB-CONS-2": KNOWN_DEVIATION, "CB-ID-1": PASS,
                              "RS-PUMP-1": NOT_APPLICABLE, "TR-FMT-1": PASS})
    b = report("lib", "1.0", {"CB-CONS-1": FAIL, "CB-CONS-2": KNOWN_DEVIATION})
    text = render(rules, specs, a, b)
    area_totals = rows(text, "**totals**")
    assert area_totals[0][3:] == ["1 +, 1 dev", "1 -, 1 dev"]  # CB-CONS
    assert area_totals[1][3:] == ["1 +", "1 ."]  # CB-ID
    summary = {r[0]: r[1:] for r in rows(text, "[") + rows(text, "**all**") if len(r) == 4}
    assert summary["[CB-CONS](#cb-cons)"] == ["2", "1 +, 1 dev", "1 -, 1 dev"]
    assert summary["**all**"] == ["**5**", "**3 +, 1 n/a, 1 dev**", "**1 -, 1 dev, 3 .**"]


def test_columns_headed_with_name_and_version_in_a_stable_order(
        rules: dict[str, Any], specs: Path) -> None:
    docs = [report("zlib", "1.10.0", {}), report("reference", "0.1", {}),
            report("zlib", "1.9.3", {}), report("alib", "3.0", {})]
    text = render(rules, specs, *docs)
    assert _columns_of_tables(text) == {("reference 0.1", "alib 3.0", "zlib 1.10.0", "zlib 1.9.3")}
    assert render(rules, specs, *reversed(docs)) == text, "argument order changed the output"


def test_history_shows_each_deviation_across_releases(rules: dict[str, Any],
                                                     specs: Path) -> None:
    """The version view: oldest first, the span of releases showing a deviation, and the
    first later release that passes; rules passing everywhere are left out."""
    text = render(rules, specs,
                  report("lib", "1.10", {"CB-CONS-1": PASS, "CB-ID-1": PASS, "RS-PUMP-1": PASS}),
                  report("lib", "1.2", {"CB-CONS-1": KNOWN_DEVIATION, "CB-ID-1": PASS,
                                        "RS-PUMP-1": FAIL}),
                  report("lib", "1.9", {"CB-CONS-1": KNOWN_DEVIATION, "CB-ID-1": PASS,
                                        "RS-PUMP-1": PASS}),
                  report("other", "1.0", {"CB-CONS-1": FAIL}))
    history = text.split("## History of lib")[1].split("\n## ")[0]
    assert "| rule | 1.2 | 1.9 | 1.10 | shown in | fixed in |" in history
    assert "| CB-CONS-1 | dev | dev | + | 1.2 – 1.9 | 1.10 |" in history
    assert "| RS-PUMP-1 | - | + | + | 1.2 – 1.2 | 1.9 |" in history
    assert "CB-ID-1" not in history
    assert "## History of other" not in text  # one release: no history


def test_legend_lists_every_outcome(rules: dict[str, Any], specs: Path) -> None:
    text = render(rules, specs, report("reference", "1.0", {}))
    legend = text.split("## Legend", 1)[1].split("## Reports", 1)[0]
    for outcome, meaning in LEGEND.items():
        assert f"| `{SYMBOL[outcome]}` | {outcome} | {meaning} |" in legend


def test_deviation_notes_give_the_manifest_reason_once_per_distinct_reason(
        rules: dict[str, Any], specs: Path) -> None:
    reason = {"CB-CONS-1": "merges lists by set()"}
    new = report("lib", "2.0", {"CB-CONS-1": KNOWN_DEVIATION}, deviations=reason)
    old = report("lib", "1.0", {"CB-CONS-1": KNOWN_DEVIATION}, deviations=reason)
    text = render(rules, specs, new, old)
    notes = [line for line in text.splitlines() if line.startswith("- **")]
    assert notes == ["- **CB-CONS-1** (lib 2.0, lib 1.0; known deviation): merges lists by set()"]


def test_failure_notes_give_the_first_message_on_one_line(
        rules: dict[str, Any], specs: Path) -> None:
    doc = report("lib", "1.0", {"CB-ID-1": FAIL}, fmt="runcert-report/0", messages={
        "CB-ID-1": ["suites/t.py::test_id[sync]: CB-ID-1: expected a UUID,\n got 'x' | 'y'",
                    "suites/t.py::test_id[async]: CB-ID-1: other"]})
    notes = [line for line in render(rules, specs, doc).splitlines() if line.startswith("- **")]
    assert notes == ["- **CB-ID-1** (lib 1.0; fail): expected a UUID, got 'x' \\| 'y'"]
    assert len(matrix.one_line("x" * 500)) == matrix.NOTE_LENGTH


def test_a_report_without_reasons_takes_them_from_the_builtin_manifest() -> None:
    reasons = matrix.manifest("langchain_core")
    assert reasons and all(isinstance(v, str) and v for v in reasons.values())
    assert set(reasons) <= set(catalogue())
    rid = sorted(reasons)[0]
    doc = report("langchain_core", "1.7.2", {rid: KNOWN_DEVIATION}, fmt="runcert-report/0")
    assert column(doc).notes == {rid: matrix.one_line(reasons[rid])}
    assert matrix.manifest("no-such-adapter") == {}


@pytest.mark.parametrize("mutate, where", [
    (lambda d: d.update(format="runcert-report/9"), "$.format: expected one of"),
    (lambda d: d.pop("implementation"), "$.implementation: expected an object"),
    (lambda d: d["implementation"].update(version=None), "$.implementation.version"),
    (lambda d: d.update(rules=[]), "$.rules: expected an object"),
    (lambda d: d["rules"]["CB-ID-1"].update(outcome="ok"), "$.rules.CB-ID-1.outcome"),
])
def test_malformed_reports_are_rejected_with_file_and_path(mutate: Any, where: str) -> None:
    doc = report("lib", "1.0", {"CB-ID-1": PASS})
    mutate(doc)
    with pytest.raises(matrix.ReportError, match=re.escape(where)) as err:
        matrix.column_from(doc, "bad.json")
    assert str(err.value).startswith("bad.json: ")


def test_both_report_formats_are_read() -> None:
    for fmt in matrix.FORMATS:
        assert column(report("lib", "1.0", {"CB-ID-1": PASS}, fmt=fmt)).outcomes == {
            "CB-ID-1": PASS}


def test_command_writes_the_matrix_and_check_detects_a_stale_one(tmp_path: Path) -> None:
    reports_dir = tmp_path / "reports"
    reports_dir.mkdir()
    for doc in (report("reference", "1.0", {"CB-ID-1": PASS}),
                report("lib", "2.0", {"CB-ID-1": FAIL})):
        impl = doc["implementation"]
        (reports_dir / f"{impl['name']}-{impl['version']}.json").write_text(json.dumps(doc))
    out = tmp_path / "MATRIX.md"
    assert matrix.main([str(reports_dir), "-o", str(out)]) == 0
    first = out.read_bytes()
    link = matrix.default_specs_link(out)
    assert not Path(link).is_absolute() and (out.parent / link).resolve() == specs_root()
    assert f"[CB-ID-1]({link}/callbacks/02-identity.md#cb-id-1".encode() in first
    assert matrix.main([str(reports_dir), "-o", str(out), "--check"]) == 0
    assert matrix.main([str(reports_dir), "-o", str(out)]) == 0
    assert out.read_bytes() == first, "same reports, different bytes"
    out.write_text("old\n")
    assert matrix.main([str(reports_dir), "-o", str(out), "--check"]) == 1


def test_command_reports_an_unreadable_report(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert matrix.main([str(bad), "-o", str(tmp_path / "M.md")]) == 2
    assert f"{bad}: not JSON" in capsys.readouterr().err

"""The transcript schema, the validator, user replay and the record command agree.

``specs/schemas/transcript.schema.json`` and ``conformance.transcripts.validate`` describe
the same format: both accept every packaged transcript; both reject each malformed example
the schema can express, and the ones it cannot (rule IDs that must exist, labels that must
be declared, ...) are exactly those the validator alone rejects.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.test_transcript_rules import BASE, MALFORMED, PACKAGED, Malformed
from conformance.transcripts.validate import TranscriptError, canonical, validate

REPO = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((REPO / "specs" / "schemas" / "transcript.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def scenario_validator() -> Any:
    return jsonschema.Draft202012Validator({**SCHEMA, "$ref": "#/$defs/scenario"})


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("path", PACKAGED, ids=[f"{p.parent.name}/{p.stem}" for p in PACKAGED])
def test_packaged_transcript_is_valid_for_both(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    errors = [f"{list(e.absolute_path)}: {e.message[:200]}" for e in VALIDATOR.iter_errors(doc)]
    assert not errors, errors[:3]
    validate(doc, path, stem=path.stem)


@pytest.mark.parametrize("case", MALFORMED, ids=[m.name for m in MALFORMED])
def test_schema_and_validator_agree_on_malformed(case: Malformed) -> None:
    doc = case.document()
    with pytest.raises(TranscriptError) as caught:
        validate(doc, BASE[case.contract], stem=BASE[case.contract].stem)
    assert (caught.value.rule, caught.value.path) == (case.rule, case.where)
    schema_rejects = not VALIDATOR.is_valid(doc)
    assert schema_rejects == case.schema, (
        f"{case.name}: the schema {'rejects' if schema_rejects else 'accepts'} it; "
        f"MALFORMED says schema={case.schema}")


def test_scenario_without_observations_is_valid_for_both() -> None:
    for path in BASE.values():
        doc = json.loads(path.read_text(encoding="utf-8"))
        del doc["expected"], doc["outcomes"]
        assert scenario_validator().is_valid(doc)
        assert not VALIDATOR.is_valid(doc)  # a transcript needs its observations
        validate(doc, path, stem=path.stem, scenario=True)
        with pytest.raises(TranscriptError, match=r"\$: expected a field 'expected'"):
            validate(doc, path, stem=path.stem)


def test_malformed_examples_cover_every_structural_rule() -> None:
    covered = {m.rule for m in MALFORMED}
    for prefix in ("TR-FMT-1", "TR-FMT-2", "TR-FMT-3", "TR-FMT-4", "TR-CB-", "TR-STREAM-"):
        assert any(r.startswith(prefix) for r in covered), prefix


# -- the user directory and the record command, end to end --------------------------------------

def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=240)


SUITE = str(REPO / "conformance" / "suites" / "user")


def test_user_directory_replay_and_rejection(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "retries.json").write_bytes(
        (REPO / "conformance/transcripts/callbacks/retries.json").read_bytes())
    bad = json.loads(BASE["callbacks"].read_text())
    bad["program"]["requests"][0]["root"]["steps"][2] = {"texts": "x"}
    (mine / "agent_request_handler.json").write_text(canonical(bad))
    proc = run(["-m", "pytest", "--impl=reference", "-p", "no:cacheprovider", "-q", SUITE,
                "--runcert-transcripts=mine", "-rf"], tmp_path)
    out = proc.stdout
    assert proc.returncode == 1, out[-3000:]
    assert "2 passed" in out and "1 failed" in out, out[-3000:]
    expected = (f"{mine / 'agent_request_handler.json'}: $.program.requests[0].root.steps[2]: "
                f"expected exactly one step kind")
    assert expected in out, out[-3000:]
    assert "Traceback" not in out and "validate.py" not in out, out[-3000:]
    # the TR- rule it breaks is no outcome of the reference: the summary lists it apart
    assert re.search(r"^runcert: failed on no rule of the contract: .*"
                     r"test_user_transcript\[agent_request_handler\]: .*"
                     r"expected exactly one step kind", out, re.M), out[-3000:]
    assert re.search(r"^runcert: reference meets every rule that ran, but the run FAILS: "
                     r"1 test\(s\) failed on no rule of the contract", out, re.M), out[-3000:]


@pytest.mark.parametrize("shape", ["arrays", "calls"])
def test_a_deeply_nested_transcript_is_one_error_naming_the_file(tmp_path: Path, shape) -> None:
    """A document nested 10^5 levels deep (beyond the recursion limit): one failing test
    naming the file, not a RecursionError that ends the collection; the other
    transcripts still run."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "retries.json").write_bytes(
        (REPO / "conformance/transcripts/callbacks/retries.json").read_bytes())
    depth = 100_000
    if shape == "arrays":
        (mine / "deep.json").write_text("[" * depth + "]" * depth)
    else:  # a program of calls within calls
        call = '{"kind": "chain", "name": "c", "steps": [{"call": '
        (mine / "deep.json").write_text(
            '{"id": "deep", "program": {"requests": [{"name": "r", "root": ' + call * depth
            + '{"kind": "chain", "name": "c"}' + "}]}" * depth + "}]}}")
    proc = run(["-m", "pytest", "--impl=reference", "-p", "no:cacheprovider", "-q", SUITE,
                "--runcert-transcripts=mine", "-rf"], tmp_path)
    out = proc.stdout
    assert proc.returncode == 1, out[-3000:] + proc.stderr[-3000:]
    assert "2 passed" in out and "1 failed" in out, out[-3000:]
    assert (f"{mine / 'deep.json'}: $: expected a document nested less deeply (its nesting "
            f"exceeds the recursion limit) [TR-FMT-1]") in out, out[-3000:]
    assert "RecursionError" not in out + proc.stderr, out[-3000:]


def test_no_directory_collects_no_user_test(tmp_path: Path) -> None:
    proc = run(["-m", "pytest", "--impl=reference", "-p", "no:cacheprovider", "-q",
                "--collect-only", SUITE, str(REPO / "conformance/callbacks/suites/test_identity.py")],
               tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "test_user_transcript" not in proc.stdout
    assert "skipped" not in proc.stdout


def test_record_command(tmp_path: Path) -> None:
    golden = json.loads(BASE["streams"].read_text())
    del golden["expected"], golden["outcomes"]
    scenario = tmp_path / "async_with_break.json"
    scenario.write_text(json.dumps(golden))
    command = ["-m", "conformance.transcripts.record", str(scenario), "--impl", "reference"]
    first = run(command, tmp_path)
    assert first.returncode == 0, first.stderr
    assert scenario.read_text() == BASE["streams"].read_text()
    again = run(command, tmp_path)
    assert again.returncode == 2 and "add --force" in again.stderr, again.stderr
    assert run(command + ["--force"], tmp_path).returncode == 0
    packaged = run(command + ["-o", str(BASE["streams"])], tmp_path)
    assert packaged.returncode == 2 and "packaged golden" in packaged.stderr, packaged.stderr


def test_record_command_rejects_a_malformed_scenario(tmp_path: Path) -> None:
    scenario = tmp_path / "case.json"
    scenario.write_text(json.dumps({"format": "runcert-transcript/1", "id": "case"}))
    proc = run(["-m", "conformance.transcripts.record", str(scenario), "--impl", "reference"],
               tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"runcert-record: {scenario}: $: expected a field 'title' "
                                   f"(missing) [TR-FMT-1]")

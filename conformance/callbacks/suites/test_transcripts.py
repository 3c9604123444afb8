"""Golden transcripts: named scenario programs replayed on the implementation.

Each ``conformance/transcripts/callbacks/<id>.json`` file is the truth: its program is
run on every lane it lists and each handler's records are compared with the file's,
rule-attributed (:func:`conformance.callbacks.programs.compare`); finally the observed document
must equal the file's. ``pytest --impl=reference
conformance/callbacks/suites/test_transcripts.py --snapshot-update`` re-records the files
from the scenario inputs in :mod:`conformance.callbacks.scenarios` (syrupy writes them).

Only recording uses syrupy: a replay compares with the file itself, so that a
certification neither depends on syrupy's bookkeeping nor prints its maintenance advice
(a golden file whose test is not applicable, like the trace group's for an adapter
without trace groups, is "unused", and following the advice to re-run with
``--snapshot-update`` would delete it). That the file is the canonical text of its
document is TR-FMT-5, which the kit's own tests check.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance.adapter import CB_TRACE_GROUP
from conformance.callbacks.programs import LANE_CAPABILITY, lane_rules, observe, replay
from conformance.transcripts import document, golden_ids, golden_path, load_golden
from conformance.transcripts.extension import TranscriptExtension, recording
from conformance.callbacks.scenarios import by_id

# Files are named by scenario id, not by test name; syrupy warns about that when writing.
pytestmark = pytest.mark.filterwarnings("ignore:Can not relate snapshot name:UserWarning")

RECORD_HINT = ("record it from the reference: pytest --impl=reference "
               "conformance/callbacks/suites/test_transcripts.py --snapshot-update")


def _header(scenario_id: str) -> dict[str, Any]:
    """The file when there is one (it is the truth), else the scenario's inputs."""
    if golden_path(scenario_id).exists():
        return load_golden(scenario_id)
    return by_id()[scenario_id]


def handler_lanes(program: dict[str, Any]) -> set[str]:
    """The lanes whose handler base classes the program's handlers need: a transcript
    records what handlers of given kinds saw, so it is replayed with those kinds only."""
    return {LANE_CAPABILITY["async" if spec.get("async", False) else "sync"]
            for spec in program.get("handlers", {}).values()}


def _params() -> list[Any]:
    params = []
    for scenario_id in sorted(set(golden_ids()) | set(by_id())):
        header = _header(scenario_id)
        groups = any(r["root"]["kind"] == "group" for r in header["program"]["requests"])
        for lane in header["lanes"]:
            needs = sorted({LANE_CAPABILITY[lane], *handler_lanes(header["program"])}
                           | ({CB_TRACE_GROUP} if groups else set()))
            params.append(pytest.param(
                scenario_id, lane, id=f"{scenario_id}-{lane}",
                marks=[pytest.mark.rule(*lane_rules(header["rules"], lane)),
                       pytest.mark.requires(*needs)]))
    return params


@pytest.mark.parametrize(("scenario_id", "transcript_lane"), _params())
def test_transcript(runcert_adapter, request, scenario_id, transcript_lane):
    """Replay one golden transcript on one lane (or record it, under --snapshot-update)."""
    if recording(request):
        if runcert_adapter.name != "reference":
            pytest.fail("golden transcripts are recorded from --impl=reference only",
                        pytrace=False)
        if scenario_id not in by_id():
            pytest.fail(f"{golden_path(scenario_id)} has no scenario in "
                        f"conformance/callbacks/scenarios.py: delete the file", pytrace=False)
        inputs = by_id()[scenario_id]
        records, outcomes = observe(runcert_adapter, inputs["program"], transcript_lane)
        doc = document(inputs, records, outcomes)
        assert doc == request.getfixturevalue("snapshot").use_extension(TranscriptExtension)
        return
    if not golden_path(scenario_id).exists():
        pytest.fail(f"scenario {scenario_id} has no golden transcript; {RECORD_HINT}",
                    pytrace=False)
    golden = load_golden(scenario_id)
    records, outcomes = replay(golden, runcert_adapter, transcript_lane)
    assert {**golden, "expected": records, "outcomes": outcomes} == golden

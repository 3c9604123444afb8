"""Golden stream transcripts: scripted runs and consumer actions replayed on the implementation.

Each ``conformance/transcripts/streams/<id>.json`` file is the truth: its program (a script,
declared projections and consumer actions, see :mod:`conformance.streams.programs`) runs
on the implementation and every action's observation is compared with the file's, the
first difference attributed to the rule that action cites; finally the observed document
must equal the file's. ``pytest --impl=reference
conformance/streams/suites/test_transcripts.py --snapshot-update`` re-records the
files from :mod:`conformance.streams.scenarios` (syrupy writes them).

Only recording uses syrupy: a replay compares with the file itself, so that a
certification neither depends on syrupy's bookkeeping nor prints its maintenance advice
(a golden file whose test is not applicable is "unused", and following the advice to
re-run with ``--snapshot-update`` would delete it). That the file is the canonical text
of its document is TR-FMT-5, which the kit's own tests check.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance.streams.programs import CONTRACT, needs, observe, replay
from conformance.transcripts import (
    STREAMS_DIR, document, golden_ids, golden_path, load_golden,
)
from conformance.transcripts.extension import TranscriptExtension, recording
from conformance.streams.scenarios import by_id

pytestmark = pytest.mark.filterwarnings("ignore:Can not relate snapshot name:UserWarning")

RECORD_HINT = ("record it from the reference: pytest --impl=reference "
               "conformance/streams/suites/test_transcripts.py --snapshot-update")


class StreamTranscriptExtension(TranscriptExtension):
    """The callback transcripts' extension, over the stream transcripts' directory."""

    directory = STREAMS_DIR


def load_stream_golden(scenario_id: str) -> dict[str, Any]:
    doc = load_golden(scenario_id, STREAMS_DIR)
    if doc.get("contract") != CONTRACT:
        raise ValueError(f"{scenario_id}.json is not a {CONTRACT} transcript")
    return doc


def _header(scenario_id: str) -> dict[str, Any]:
    if golden_path(scenario_id, STREAMS_DIR).exists():
        return load_stream_golden(scenario_id)
    return by_id()[scenario_id]


def _params() -> list[Any]:
    params = []
    for scenario_id in sorted(set(golden_ids(STREAMS_DIR)) | set(by_id())):
        header = _header(scenario_id)
        for lane in header["lanes"]:
            params.append(pytest.param(
                scenario_id, id=f"{scenario_id}-{lane}",
                marks=[pytest.mark.rule(*header["rules"]),
                       pytest.mark.requires(*needs(header["program"]))]))
    return params


@pytest.mark.parametrize("scenario_id", _params())
def test_stream_transcript(runcert_adapter, request, scenario_id):
    """Replay one golden stream transcript (or record it, under --snapshot-update)."""
    if recording(request):
        if runcert_adapter.name != "reference":
            pytest.fail("golden transcripts are recorded from --impl=reference only",
                        pytrace=False)
        if scenario_id not in by_id():
            pytest.fail(f"{golden_path(scenario_id, STREAMS_DIR)} has no scenario in "
                        f"conformance/streams/scenarios.py: delete the file",
                        pytrace=False)
        inputs = by_id()[scenario_id]
        records, outcomes = observe(runcert_adapter, inputs["program"])
        doc = {**document(inputs, records, outcomes), "contract": CONTRACT}
        assert doc == request.getfixturevalue("snapshot").use_extension(
            StreamTranscriptExtension)
        return
    if not golden_path(scenario_id, STREAMS_DIR).exists():
        pytest.fail(f"scenario {scenario_id} has no golden transcript; {RECORD_HINT}",
                    pytrace=False)
    golden = load_stream_golden(scenario_id)
    records, outcomes = replay(golden, runcert_adapter)
    assert {**golden, "expected": records, "outcomes": outcomes} == golden

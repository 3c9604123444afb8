"""The golden transcripts on disk match the scenario definitions they were recorded from."""

from __future__ import annotations

import pytest

from conformance.transcripts import golden_ids, load_golden
from conformance.callbacks.scenarios import by_id

INPUTS = ("id", "title", "source", "rules", "lanes", "program")


def test_every_scenario_has_a_golden_file() -> None:
    assert sorted(by_id()) == golden_ids(), (
        "scenarios.py and conformance/transcripts/callbacks/ disagree; re-record with "
        "pytest --impl=reference conformance/callbacks/suites/test_transcripts.py --snapshot-update")


def test_at_least_fifteen_named_scenarios() -> None:
    assert len(golden_ids()) >= 15


@pytest.mark.parametrize("scenario_id", golden_ids())
def test_golden_inputs_match_the_definition(scenario_id: str) -> None:
    doc, defined = load_golden(scenario_id), by_id()[scenario_id]
    stale = [key for key in INPUTS if doc[key] != defined[key]]
    assert not stale, f"{scenario_id}.json is stale in {stale}; re-record it with --snapshot-update"
    assert doc["expected"], f"{scenario_id}.json records no observation"

"""The golden stream transcripts on disk match the scenario definitions they were recorded from."""

from __future__ import annotations

import pytest

from conformance.rules import catalogue
from conformance.streams.programs import CONTRACT, HANDLERS, cited
from conformance.transcripts import STREAMS_DIR, golden_ids, load_golden
from conformance.streams.scenarios import SCENARIOS, by_id

INPUTS = ("id", "title", "source", "rules", "lanes", "contract", "program")


def test_every_stream_scenario_has_a_golden_file() -> None:
    assert sorted(by_id()) == golden_ids(STREAMS_DIR), (
        "conformance/streams/scenarios.py and conformance/transcripts/streams/ disagree; re-record with "
        "pytest --impl=reference conformance/streams/suites/test_transcripts.py "
        "--snapshot-update")


def test_at_least_ten_named_stream_scenarios() -> None:
    assert len(golden_ids(STREAMS_DIR)) >= 10
    assert len({s["id"] for s in SCENARIOS}) == len(SCENARIOS), "duplicate scenario ids"


@pytest.mark.parametrize("scenario_id", golden_ids(STREAMS_DIR))
def test_stream_golden_inputs_match_the_definition(scenario_id: str) -> None:
    doc, defined = load_golden(scenario_id, STREAMS_DIR), by_id()[scenario_id]
    stale = [key for key in INPUTS if doc.get(key) != defined[key]]
    assert not stale, f"{scenario_id}.json is stale in {stale}; re-record it with --snapshot-update"
    assert doc["contract"] == CONTRACT
    assert len(doc["expected"]) == len(doc["program"]["actions"]), (
        f"{scenario_id}.json records {len(doc['expected'])} observations for "
        f"{len(doc['program']['actions'])} actions")


@pytest.mark.parametrize("scenario_id", sorted(by_id()))
def test_stream_scenario_cites_only_its_rules(scenario_id: str) -> None:
    """Every rule an action or a counter is attributed to is one the scenario lists."""
    scenario = by_id()[scenario_id]
    known = set(catalogue())
    assert set(scenario["rules"]) <= known, f"unknown rules {set(scenario['rules']) - known}"
    assert cited(scenario) <= set(scenario["rules"]), (
        f"actions cite {cited(scenario) - set(scenario['rules'])} not in the scenario's rules")
    unknown = {a["do"] for a in scenario["program"]["actions"]} - set(HANDLERS)
    assert not unknown, f"unknown actions {unknown}"

"""The callback-manager contract as the shared core sees it (:mod:`conformance.contracts`):
its lanes, its transcript checker, how a program is observed, recorded and replayed, and
the definitions of its implementations' deviation reproductions."""

from __future__ import annotations

from typing import Any

from conformance.adapter import CB_TRACE_GROUP, Adapter
from conformance.callbacks import manager_probes, probes  # noqa: F401 - the probes register
from conformance.callbacks.deviations import LANGCHAIN_CORE, LANGCHAIN_JS
from conformance.callbacks.format import CallbackChecker
from conformance.callbacks.programs import LANE_CAPABILITY, compare, lanes_for, observe, replay
from conformance.checks import RuleViolation
from conformance.contracts import Contract
from conformance.transcripts.record import RecordError


def record(doc: dict[str, Any], adapter: Adapter) -> tuple[Any, Any]:
    """A scenario's records and outcomes on its first lane; every other lane must agree
    (one transcript holds one truth for every lane)."""
    runnable = lanes_for(doc, adapter)
    missing = [lane for lane in doc["lanes"] if lane not in runnable]
    if missing:
        raise RecordError(f"{adapter.name} cannot run lane(s) {missing} of this scenario "
                          f"(capabilities needed: "
                          f"{[LANE_CAPABILITY[lane] for lane in missing]}, and "
                          f"callbacks.trace_group for a group)")
    first, *others = doc["lanes"]
    records, outcomes = observe(adapter, doc["program"], first)
    for lane in others:
        other, other_outcomes = observe(adapter, doc["program"], lane)
        try:
            compare(records, other, doc["rules"], expected_outcomes=outcomes,
                    observed_outcomes=other_outcomes, program=doc["program"])
        except RuleViolation as difference:
            raise RecordError(
                f"the {first} and {lane} lanes of {adapter.name} disagree, nothing written "
                f"(one transcript holds one truth for every lane): {difference.message} "
                f"[{difference.rule}]; record each lane in a transcript of its own") from None
    return records, outcomes


def needs(doc: dict[str, Any], lane: str) -> list[str]:
    """A lane's capability, and trace groups when a request is a group."""
    groups = any(r["root"]["kind"] == "group" for r in doc["program"]["requests"])
    return [LANE_CAPABILITY[lane]] + ([CB_TRACE_GROUP] if groups else [])


CONTRACT = Contract(
    name="callbacks", prefix="CB-", area="CB", lanes=LANE_CAPABILITY,
    program_lanes=("sync", "async"), checker=CallbackChecker, observe=observe,
    record=record, needs=needs, replay=replay, deviations={"langchain_core": LANGCHAIN_CORE,
                                                 "langchain_js": LANGCHAIN_JS})

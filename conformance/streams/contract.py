"""The run-stream contract as the shared core sees it (:mod:`conformance.contracts`): its
lanes, its transcript checker, how a program is observed, recorded and replayed, and the
definitions of its implementations' deviation reproductions."""

from __future__ import annotations

from typing import Any

from conformance.adapter import RS_ASYNC, RS_SYNC, Adapter
from conformance.contracts import Contract
from conformance.streams import probes  # noqa: F401 - the probes register
from conformance.streams import programs
from conformance.streams.deviations import LANGGRAPH, LANGGRAPH_JS
from conformance.streams.format import StreamChecker
from conformance.transcripts.record import RecordError


def observe(adapter: Adapter, program: dict[str, Any], lane: str) -> tuple[Any, Any]:
    """A stream program's records and outcomes (programs run on the async lane)."""
    return programs.observe(adapter, program)


def record(doc: dict[str, Any], adapter: Adapter) -> tuple[Any, Any]:
    """A scenario's records and outcomes; a RecordError if the adapter lacks a capability."""
    missing = [c for c in programs.needs(doc["program"]) if not adapter.has(c)]
    if missing:
        raise RecordError(f"{adapter.name} does not declare {missing}, which this scenario needs")
    return programs.observe(adapter, doc["program"])


def needs(doc: dict[str, Any], lane: str) -> list[str]:
    """The capabilities the program needs (it runs on the async lane)."""
    return programs.needs(doc["program"])


def replay(doc: dict[str, Any], adapter: Adapter, lane: str) -> Any:
    """Replay a stream transcript; raise its first attributed difference."""
    return programs.replay(doc, adapter)


CONTRACT = Contract(
    name="streams", prefix="RS-", area="STREAM", lanes={"sync": RS_SYNC, "async": RS_ASYNC},
    program_lanes=("async",), checker=StreamChecker, observe=observe, record=record,
    needs=needs, replay=replay,
    deviations={"langgraph": LANGGRAPH, "langgraph_js": LANGGRAPH_JS})

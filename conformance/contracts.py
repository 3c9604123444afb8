"""The contracts the kit certifies, each served by one half of ``conformance/``.

The shared core (transcripts, counterexamples, deviation reproductions, the release sweep)
handles documents of every contract but imports no half: it asks this registry for the
:class:`Contract` a document names, and the half answers with its own functions. A half
describes itself in a module ``conformance/<half>/contract.py`` holding ``CONTRACT``;
adding a contract is adding its package and its module's name to :data:`HALVES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from conformance.adapter import Adapter
from conformance.checks import RuleViolation
from conformance.errors import ProgramError

#: The modules that describe a contract, one per half (imported on first use).
HALVES = ("conformance.callbacks.contract", "conformance.streams.contract")

Observation = tuple[Any, Any]  # (records, outcomes) of a program on one lane


@dataclass(frozen=True)
class Contract:
    """What the core needs to know of one contract; every callable is the half's own."""

    name: str  # a transcript's "contract" field ("callbacks", "streams")
    prefix: str  # its rule IDs: "CB-", "RS-"
    area: str  # its transcript-format rules: TR-<area>-n
    lanes: Mapping[str, str]  # lane -> the adapter capability that runs it
    program_lanes: tuple[str, ...]  # the lanes its programs (transcripts) run on
    checker: type  # the transcript Checker of its program and results
    #: observe(adapter, program, lane): the records and outcomes of a program
    observe: Callable[[Adapter, dict[str, Any], str], Observation]
    #: record(doc, adapter): a scenario's results on adapter (RecordError if it cannot)
    record: Callable[[dict[str, Any], Adapter], Observation]
    #: needs(doc, lane): the capabilities replaying a transcript on ``lane`` needs
    needs: Callable[[dict[str, Any], str], list[str]]
    #: replay(doc, adapter, lane): replay a transcript; raise its first attributed difference
    replay: Callable[[dict[str, Any], Adapter, str], Any]
    #: implementation -> rule -> the definition of its deviation reproduction(s)
    deviations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@cache
def contracts() -> dict[str, Contract]:
    """Every contract by name, loading each half once (its probes register on import)."""
    found: dict[str, Contract] = {}
    for module in HALVES:
        contract = importlib.import_module(module).CONTRACT
        found[contract.name] = contract
    return found


def contract(name: str) -> Contract:
    """The contract called ``name``; a ProgramError for a name no half serves."""
    known = contracts()
    if name not in known:
        raise ProgramError(f"unknown contract {name!r} (known: {', '.join(sorted(known))})")
    return known[name]


def contract_of(doc: Mapping[str, Any]) -> Contract:
    """The contract a transcript or reproduction is of (``callbacks`` when it names none)."""
    return contract(doc.get("contract", "callbacks"))


def first_difference(doc: dict[str, Any], adapter: Adapter) -> RuleViolation | None:
    """The first attributed difference of a transcript on ``adapter``, or None: each of its
    lanes the adapter can run, in the transcript's order; the message names the lane."""
    found = contract_of(doc)
    for lane in doc["lanes"]:
        if not all(adapter.has(c) for c in found.needs(doc, lane)):
            continue
        try:
            found.replay(doc, adapter, lane)
        except RuleViolation as violation:
            return RuleViolation(violation.rule, f"[{lane} lane] {violation.message}")
    return None

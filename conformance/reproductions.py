"""Deviation reproductions: the files that show a known deviation, and their replay.

A reproduction file (format ``runcert-deviation/2``) lives in
``conformance/transcripts/deviations/<implementation>/<RULE-ID>.json``::

    {"format": "runcert-deviation/2", "rule": "CB-...", "implementation": "langchain_core",
     "versions": ">=0.3,<1.8",          # the manifest entry's PEP 440 range ("": every version)
     "confirmed_on": ["0.3.86", "1.7.2"],  # releases whose replay gave ``observed``
     "reason": "<the manifest's reason>",
     "contract": "streams",                        # optional; absent: "callbacks"
     "lanes": ["sync", "async"],
     "program": {...}                            # a program of the contract, or
     "probe": {"name": "<probe>", "args": {...}},  # a registered probe
     "expected": {lane: observation},              # recorded from the reference
     "observed": {lane: observation}}              # recorded from the implementation

An observation is taken once per listed lane. A program is one of its contract's programs,
observed by the contract's ``observe`` (:mod:`conformance.contracts`) as
``{"records": ..., "outcomes": ...}``. A probe (:mod:`conformance.probing`) is
``probe(adapter, lane, **args) -> JSON-able observation``, defined by each half
(``conformance/<half>/probes.py``) for the deviations a program cannot express.
:func:`replay_deviation` takes it again on any adapter; the file reproduces the deviation
while the implementation still gives ``observed`` and ``observed != expected``; a release
outside ``versions`` is expected to give ``expected`` (it meets the rule). ``confirmed_on``
is kept by the release sweep (``runcert-sweep --update-repros``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance.adapter import Adapter
from conformance.contracts import contract_of
from conformance.errors import ProgramError
from conformance.probing import PROBES

FORMAT = "runcert-deviation/2"
DEVIATIONS_DIR = Path(__file__).resolve().parent / "transcripts" / "deviations"

# -- replay ------------------------------------------------------------------------------

def replay_deviation(doc: dict[str, Any], adapter: Adapter) -> dict[str, Any]:
    """The observation of a reproduction's program or probe on ``adapter``, per lane.

    The result is normalised through JSON, so it compares equal to a stored observation.
    """
    observation = {lane: observe_lane(doc, adapter, lane) for lane in doc["lanes"]}
    return json.loads(json.dumps(observation))


def observe_lane(doc: dict[str, Any], adapter: Adapter, lane: str) -> Any:
    contract = contract_of(doc)  # loads every half: their probes register
    if lane not in contract.lanes:
        raise ProgramError(f"the {contract.name} contract has no {lane} lane")
    if not adapter.has(contract.lanes[lane]):
        raise ProgramError(f"{adapter.name} cannot run the {contract.name} {lane} lane")
    if "program" in doc:
        if lane not in contract.program_lanes:
            raise ProgramError(f"{contract.name} programs run on the "
                               f"{' and '.join(contract.program_lanes)} lane(s) only")
        records, outcomes = contract.observe(adapter, doc["program"], lane)
        return {"records": records, "outcomes": outcomes}
    spec = doc["probe"]
    if spec["name"] not in PROBES:
        raise ProgramError(f"unknown probe {spec['name']!r}")
    return PROBES[spec["name"]](adapter, lane, **spec.get("args", {}))


# -- files -------------------------------------------------------------------------------

def repro_dir(implementation: str) -> Path:
    return DEVIATIONS_DIR / implementation


def repro_stem(rule: str, index: int) -> str:
    """The file stem of the reproduction of a rule's ``index``-th manifest entry:
    ``RULE`` for the first, ``RULE_2`` for the second, and so on."""
    return rule if index == 0 else f"{rule}_{index + 1}"


def repro_index(stem: str) -> int:
    """The manifest entry a reproduction file stem stands for (inverse of repro_stem)."""
    _, sep, n = stem.rpartition("_")
    return int(n) - 1 if sep and n.isdigit() else 0


def repro_paths(implementation: str) -> list[Path]:
    """The reproduction files of ``implementation``, sorted by rule."""
    return sorted(repro_dir(implementation).glob("*.json"))


def load_repro(path: str | Path) -> dict[str, Any]:
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    if doc.get("format") != FORMAT:
        raise ProgramError(f"{path}: not a {FORMAT} reproduction")
    if ("program" in doc) == ("probe" in doc):
        raise ProgramError(f"{path}: needs exactly one of 'program' and 'probe'")
    return doc


def dumps(doc: dict[str, Any]) -> str:
    """The canonical text of a reproduction file."""
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"

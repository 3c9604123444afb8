"""Golden transcripts: JSON files recording what each scenario program must show.

A transcript (format ``runcert-transcript/1``) is::

    {"format": "runcert-transcript/1", "id": "...", "title": "...",
     "source": "seed and passage the scenario comes from",
     "rules": ["CB-..."],            # the rules a difference is attributed to
     "lanes": ["sync", "async"],     # the managers it runs on
     "program": {...},               # see conformance.callbacks.programs
     "expected": {"<handler label>": [record, ...]},
     "outcomes": {"<request>": "ok" | "ErrorName: message"}}

Each record is ``{"event", "run", "parent", "tags", "metadata", "data"}`` with run ids
replaced by node labels (``request/path/name``). The expected part is recorded from the
reference implementation with syrupy (see :mod:`conformance.transcripts.extension`);
the replay test (``callbacks/suites/test_transcripts.py``) runs the program of every
file on any implementation and compares, rule-attributed, with
:func:`conformance.callbacks.programs.compare`.

Stream transcripts (``"contract": "streams"``, in ``streams/``) share the format and
this loader (``directory=STREAMS_DIR``); their program, observations and comparison are
described in :mod:`conformance.streams.programs`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from conformance.errors import ProgramError

CALLBACKS_DIR = Path(__file__).resolve().parent / "callbacks"
STREAMS_DIR = Path(__file__).resolve().parent / "streams"
ID = re.compile(r"[a-z0-9_]+")
FIELDS = ("format", "id", "title", "source", "rules", "lanes", "program", "expected",
          "outcomes")


def golden_path(scenario_id: str, directory: Path = CALLBACKS_DIR) -> Path:
    if not ID.fullmatch(scenario_id):
        raise ProgramError(f"transcript id {scenario_id!r} must match {ID.pattern}")
    return directory / f"{scenario_id}.json"


def golden_ids(directory: Path = CALLBACKS_DIR) -> list[str]:
    """Ids of the golden transcripts on disk (callback ones by default), sorted."""
    return sorted(p.stem for p in directory.glob("*.json"))


def load_golden(scenario_id: str, directory: Path = CALLBACKS_DIR) -> dict[str, Any]:
    """A golden transcript, validated (specs/transcripts/, :mod:`.validate`)."""
    from conformance.transcripts.validate import load_transcript

    return load_transcript(golden_path(scenario_id, directory))


def document(inputs: dict[str, Any], expected: dict[str, Any],
             outcomes: dict[str, str]) -> dict[str, Any]:
    """A transcript document from scenario inputs and what was observed."""
    keys = ("id", "title", "source", "rules", "lanes", "program")
    from conformance.transcripts.validate import FORMAT

    return {"format": FORMAT, **{k: inputs[k] for k in keys}, "expected": expected,
            "outcomes": outcomes}

"""Record a transcript from a scenario program (specs/transcripts/05-record.md).

Usage::

    python -m conformance.transcripts.record SCENARIO.json --impl NAME [-o OUT] [--force]
    runcert-record SCENARIO.json --impl NAME [-o OUT] [--force]

SCENARIO.json is a transcript without ``expected`` and ``outcomes`` (or with them: they are
recorded again). The program runs with the implementation NAME (resolved like ``pytest
--impl``) on every lane the scenario lists; the full transcript is written to OUT
(default: ``<id>.json`` next to the scenario) for review before it becomes golden.

The command refuses, unless ``--force`` is given, to write over an existing file (except
a bare scenario file being recorded in place: it holds no observations to lose) and to
write into the kit's packaged golden directories.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from conformance.adapter import Adapter
from conformance.contracts import contract
from conformance.errors import ProgramError
from conformance.transcripts.validate import RESULTS, canonical, id_of, load_transcript, parse, validate

PACKAGED = Path(__file__).resolve().parent  # callbacks/, streams/, deviations/


class RecordError(Exception):
    """The command cannot record or write the transcript (the message says why)."""


def record(scenario: dict[str, Any], adapter: Adapter, file: str = "<scenario>") -> dict[str, Any]:
    """The full transcript of ``scenario`` as ``adapter``'s implementation runs it."""
    name = validate(scenario, file, scenario=True)
    header = {k: v for k, v in scenario.items() if k not in RESULTS}
    expected, outcomes = contract(name).record(header, adapter)
    doc = {**header, "expected": expected, "outcomes": outcomes}
    validate(doc, file)
    return doc


def packaged(path: Path) -> bool:
    """Whether ``path`` lies in the kit's packaged transcript directories."""
    return path.resolve().is_relative_to(PACKAGED)


def target(scenario_path: Path, doc: dict[str, Any], out: Path | None, force: bool) -> Path:
    """Where to write, or a RecordError saying which flag or name is needed."""
    path = out if out is not None else scenario_path.parent / f"{doc['id']}.json"
    if id_of(path.stem) != doc["id"]:
        raise RecordError(f"{path}: the file name must give the transcript's id "
                          f"{doc['id']!r} (TR-FMT-2), e.g. {doc['id']}.json")
    if packaged(path) and not force:
        raise RecordError(f"{path} is in the kit's packaged golden transcripts; recording "
                          f"there changes what every user replays: add --force to do it "
                          f"deliberately")
    if path.exists() and not force:
        in_place = path.resolve() == scenario_path.resolve() and "expected" not in doc
        if not in_place:
            raise RecordError(f"{path} exists; add --force to record over it (or -o OUT "
                              f"for another file)")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="runcert-record", description="Record a runcert transcript from a scenario.")
    parser.add_argument("scenario", type=Path, help="a transcript, with or without expected")
    parser.add_argument("--impl", required=True, help="implementation (as for pytest --impl)")
    parser.add_argument("-o", "--output", type=Path, default=None,
                        help="where to write (default: <id>.json next to the scenario)")
    parser.add_argument("--force", action="store_true",
                        help="write over an existing file or into the packaged goldens")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except (RecordError, ProgramError) as exc:
        print(f"runcert-record: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from conformance.resolve import ResolutionError, resolve

    scenario = parse(args.scenario)
    validate(scenario, args.scenario, scenario=True)
    path = target(args.scenario, scenario, args.output, args.force)
    try:
        adapter = resolve(args.impl)
    except ResolutionError as exc:
        raise RecordError(str(exc)) from None
    doc = record(scenario, adapter, str(args.scenario))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(canonical(doc), encoding="utf-8")
    load_transcript(path)  # what was written reads back as a valid transcript
    print(f"runcert-record: wrote {path} ({args.impl}, lanes {', '.join(doc['lanes'])}); "
          f"review it before it becomes golden")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""(Re)write the deviation reproductions of every implementation with a definition table.

Usage (from the repository root, with the implementations installed)::

    python -m conformance.transcripts.record_deviations                    # every file
    python -m conformance.transcripts.record_deviations --impl langgraph   # one implementation
    python -m conformance.transcripts.record_deviations CB-DISP-2          # only these rules
    python -m conformance.transcripts.record_deviations --check            # compare, write nothing
    python -m conformance.transcripts.record_deviations --replay           # judge by the ranges

:func:`tables` maps each implementation to its definitions: rule -> lanes plus a program or a
probe (and the contract, when it is not ``callbacks``), or a list of such definitions, one
per manifest entry when the rule has several (each entry its own range and reproduction:
``<RULE-ID>.json`` for the first, ``<RULE-ID>_2.json`` for the second, ...). Each contract half
defines its implementations' tables (``conformance/<half>/deviations.py``: langchain_core's
callback deviations, langgraph's run-stream deviations) and offers them through
:mod:`conformance.contracts`. For every rule in an implementation's
deviation manifest, the definition's program or probe is replayed
(:func:`conformance.reproductions.replay_deviation`) against the reference (``expected``) and
against the implementation (``observed``), and the result is written to
``conformance/transcripts/deviations/<implementation>/<RULE-ID>.json`` together with the
manifest entry's reason and version range; the installed version must lie in that range
and joins the file's ``confirmed_on``. Rules whose entry does not hold for the installed
version are left as they are. ``--replay`` records nothing: it replays every file on the
installed version and prints, per rule, whether it gives ``observed`` (inside the range)
or ``expected`` (outside it) as its range says it should; the release sweep collects it. Recording refuses a definition whose two
observations are equal (it would reproduce nothing), a manifest rule without a definition,
and a definition for a rule the manifest does not list; files of rules the manifest no
longer lists are removed. ``--check`` writes nothing: it reports files that are missing,
differ from a fresh recording or name an unlisted rule, and exits with status 1 if any.

After editing a definition, re-record and commit the changed files; the kit test
``tests/test_deviation_repros.py`` replays every file against both sides.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from packaging.version import Version

from conformance.adapter import Deviation
from conformance.contracts import contracts
from conformance.reproductions import (
    FORMAT, dumps, load_repro, replay_deviation, repro_dir, repro_paths, repro_stem,
)
from conformance.resolve import resolve

def tables() -> dict[str, dict[str, Any]]:
    """Implementation -> its definition table: rule -> lanes plus a program or a probe (a
    list of them when the rule has several manifest entries), from every contract."""
    return {name: dict(table) for contract in contracts().values()
            for name, table in contract.deviations.items()}


class RecordingError(Exception):
    """The definitions and the manifest disagree, or a definition reproduces nothing."""


def definition(implementation: Any, rule: str, index: int) -> dict[str, Any]:
    """The definition of the ``index``-th manifest entry of ``rule``: the table holds one
    definition for every entry of the rule, or a list with one per entry."""
    found = tables().get(implementation.name, {}).get(rule)
    if found is None:
        raise RecordingError(f"{rule} is in {implementation.name}'s manifest but has no "
                             "definition here")
    if isinstance(found, list):
        if len(found) != len(implementation.manifest()[rule]):
            raise RecordingError(f"{rule}: {len(found)} definitions for "
                                 f"{len(implementation.manifest()[rule])} manifest entries")
        return found[index]
    return found


def record(rule: str, index: int, reference: Any, implementation: Any,
           confirmed_on: list[str] | None = None) -> dict[str, Any]:
    """The reproduction document of the ``index``-th manifest entry of ``rule``, freshly
    observed on both adapters.

    The installed version must lie in the entry's range (it is where ``observed`` comes
    from); it joins ``confirmed_on``, the versions the reproduction was confirmed on.
    """
    entries = implementation.manifest().get(rule)
    if not entries:
        raise RecordingError(f"{rule} is not in {implementation.name}'s deviation manifest")
    entry = entries[index]
    if not entry.holds_for(implementation.version):
        raise RecordingError(f"{rule}: the manifest entry holds for {entry.versions}, the "
                             f"installed {implementation.name} is {implementation.version}; "
                             "record it with a version in that range")
    doc = {"format": FORMAT, "rule": rule, "implementation": implementation.name,
           "versions": entry.versions, "reason": entry.reason,
           **definition(implementation, rule, index)}
    doc["expected"] = replay_deviation(doc, reference)
    doc["observed"] = replay_deviation(doc, implementation)
    if doc["observed"] == doc["expected"]:
        raise RecordingError(f"{rule}: {implementation.name} gives the reference's "
                             "observation; the definition reproduces nothing")
    doc["confirmed_on"] = sort_versions({*(confirmed_on or ()), implementation.version})
    return doc


def sort_versions(versions: Any) -> list[str]:
    return sorted(set(versions), key=Version)


def expected_files(implementation: Any) -> dict[str, tuple[str, int]]:
    """Reproduction file stem -> (rule, entry index), one per manifest entry."""
    return {repro_stem(rule, i): (rule, i)
            for rule, entries in implementation.manifest().items() for i in range(len(entries))}


def replay_file(path: Path, implementation: Any) -> str:
    """What the installed implementation gives for one reproduction file: ``observed``
    (the deviation is there), ``expected`` (it meets the rule) or ``other``."""
    doc = load_repro(path)
    try:
        found = replay_deviation(doc, implementation)
    except Exception as exc:  # noqa: BLE001 - an old release may lack the API: say so
        return f"other: {type(exc).__name__}: {exc}"
    if found == doc["observed"]:
        return "observed"
    return "expected" if found == doc["expected"] else "other"


def prediction(doc: dict[str, Any], implementation: Any) -> str | None:
    """What a reproduction should give on the installed version, by its range:
    ``observed`` inside it; ``expected`` outside it (that release meets the rule), unless
    another manifest entry of the same rule holds there (``None``: that entry's own
    reproduction predicts this release, not this one)."""
    if Deviation(doc["reason"], doc["versions"]).holds_for(implementation.version):
        return "observed"
    entries = implementation.manifest().get(doc["rule"], [])
    return None if any(e.holds_for(implementation.version) for e in entries) else "expected"


def replay_summary(implementation: Any) -> dict[str, Any]:
    """Every reproduction of ``implementation`` replayed on the installed version, judged
    by its range: the JSON the release sweep collects from each environment."""
    rows = {}
    for path in repro_paths(implementation.name):
        doc = load_repro(path)
        predicted = prediction(doc, implementation)
        got = replay_file(path, implementation)
        ran = not got.startswith("other: ")  # the replay itself did not raise
        agrees = ran if predicted is None else got == predicted
        rows[path.stem] = {"rule": doc["rule"], "in_range": predicted == "observed",
                           "gives": got, "predicted": predicted, "agrees": agrees}
    return {"implementation": implementation.name, "version": implementation.version,
            "reproductions": rows}


def record_implementation(implementation: Any, reference: Any, rules: list[str],
                          check: bool) -> list[str]:
    """Record (or with ``check`` compare) the entries of ``rules`` that hold for the
    installed version; the names of stale, missing or unlisted files (when checking)."""
    stray = sorted(set(tables()[implementation.name]) - set(implementation.manifest()))
    if stray:
        raise RecordingError(f"{implementation.name}: definitions for rules the manifest "
                             f"does not list: {stray}")
    out = repro_dir(implementation.name)
    if not check:
        out.mkdir(parents=True, exist_ok=True)
    files = expected_files(implementation)
    problems = [path.name for path in out.glob("*.json") if path.stem not in files]
    for name in problems if not check else []:
        (out / name).unlink()
        print(f"removed {out / name} (not in the manifest)")
    for stem, (rule, index) in sorted(files.items()):
        if rule not in rules or not implementation.manifest()[rule][index].holds_for(
                implementation.version):
            continue
        path = out / f"{stem}.json"
        confirmed = load_repro(path).get("confirmed_on", []) if path.exists() else []
        text = dumps(record(rule, index, reference, implementation, confirmed))
        if not check:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
        elif not path.exists() or path.read_text(encoding="utf-8") != text:
            problems.append(path.name)
    return [f"{implementation.name}/{name}" for name in problems] if check else []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rules", nargs="*", help="rules to record (default: the manifests')")
    parser.add_argument("--impl", action="append", choices=sorted(tables()),
                        help="implementation to record (repeatable; default: all)")
    parser.add_argument("--check", action="store_true",
                        help="compare with a fresh recording, write nothing")
    parser.add_argument("--replay", action="store_true",
                        help="replay every reproduction on the installed version, judged by "
                             "its range; print the summary as JSON, write nothing")
    options = parser.parse_args(argv)
    implementations = [resolve(name) for name in options.impl or sorted(tables())]
    if options.replay:
        print(json.dumps([replay_summary(i) for i in implementations], sort_keys=True))
        return 0
    reference = resolve("reference")
    unknown = set(options.rules) - {r for i in implementations for r in i.manifest()}
    if unknown:
        raise RecordingError(f"no selected implementation lists {sorted(unknown)}")
    problems = []
    for implementation in implementations:
        rules = sorted(implementation.manifest())
        if options.rules:
            rules = [rule for rule in rules if rule in options.rules]
        problems += record_implementation(implementation, reference, rules, options.check)
    if options.check and problems:
        print(f"stale, missing or unlisted: {', '.join(sorted(problems))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

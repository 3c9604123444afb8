"""Every manifest deviation of a real library has a reproduction, judged by its range.

For each implementation with a definition table (``record_deviations.tables()``), each file
in ``conformance/transcripts/deviations/<implementation>/`` is replayed against the real
library at the installed (pinned) version: inside the entry's version range it must give
``observed``, which differs from ``expected``; outside it, ``expected`` (that release meets
the rule). It is also replayed against the reference (it must give ``expected``). The
files and the adapter's manifest name the same rules, reasons and ranges, and a file whose
range holds for the installed version lists it in ``confirmed_on``. Implementations that
are not installed (langchain_js, langgraph_js: no ``node``, or the JS driver's
packages not installed) are skipped. Re-record with
``python -m conformance.transcripts.record_deviations --impl NAME``.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from conformance.reproductions import (
    load_repro, replay_deviation, repro_dir, repro_index, repro_paths, repro_stem,
)
from conformance.resolve import DRIVERS, resolve
from conformance.transcripts.record_deviations import (
    definition, expected_files, prediction, tables,
)

RECORD = "python -m conformance.transcripts.record_deviations --impl"
IMPLEMENTATIONS = sorted(tables())
FILES = [(name, path) for name in IMPLEMENTATIONS for path in repro_paths(name)]
FILE_IDS = [f"{name}/{path.stem}" for name, path in FILES]
DEFINED = ("contract", "lanes", "program", "probe")  # what a definition fixes in its file


def installed(name: str) -> bool:
    if name in DRIVERS:  # served by a Node driver, not a Python package
        return importlib.import_module(DRIVERS[name]).missing() is None  # type: ignore[no-any-return]
    return importlib.util.find_spec(name) is not None


def adapter_of(name: str) -> Any:
    if not installed(name):
        pytest.skip(f"{name} is not installed")
    return resolve(name)


@pytest.fixture(scope="module")
def reference() -> Any:
    return resolve("reference")


def show(observation: Any) -> str:
    return json.dumps(observation, indent=1, sort_keys=True)


@pytest.mark.parametrize("name", IMPLEMENTATIONS)
def test_one_reproduction_per_manifest_entry(name: str) -> None:
    real = adapter_of(name)
    on_disk = sorted(path.stem for path in repro_paths(name))
    manifest = sorted(expected_files(real))
    assert on_disk == manifest, (
        f"{repro_dir(name)} and the manifest disagree: without a reproduction "
        f"{sorted(set(manifest) - set(on_disk))}, stale {sorted(set(on_disk) - set(manifest))}; "
        f"re-record with {RECORD} {name}")


@pytest.mark.parametrize(("name", "path"), FILES, ids=FILE_IDS)
def test_header_matches_the_manifest(name: str, path: Path) -> None:
    real = adapter_of(name)
    doc = load_repro(path)
    assert (repro_stem(doc["rule"], repro_index(path.stem)), doc["implementation"]) == (
        path.stem, name)
    entry = real.manifest()[doc["rule"]][repro_index(path.stem)]
    assert (doc["reason"], doc["versions"]) == (entry.reason, entry.versions), (
        f"{path.name}: reason or version range differs from the manifest's; re-record "
        f"with {RECORD} {name}")
    if entry.holds_for(real.version):
        assert real.version in doc["confirmed_on"], (
            f"{path.name} holds for {entry.versions or 'every version'} but was not confirmed "
            f"on the installed {name} {real.version}; re-record with {RECORD} {name}")
    defined = definition(real, doc["rule"], repro_index(path.stem))
    stale = [key for key in DEFINED if doc.get(key) != defined.get(key)]
    assert not stale, f"{path.name} is stale in {stale}; re-record with {RECORD} {name}"


@pytest.mark.parametrize(("name", "path"), FILES, ids=FILE_IDS)
def test_reproduces_against_the_real_library(name: str, path: Path) -> None:
    real = adapter_of(name)
    doc = load_repro(path)
    assert doc["observed"] != doc["expected"], f"{path.name} records no deviation"
    found = replay_deviation(doc, real)  # runs on this release, whatever it predicts
    predicted = prediction(doc, real)
    if predicted == "observed":
        assert found == doc["observed"], (
            f"{doc['rule']}: {name} {real.version} is in the entry's range "
            f"{doc['versions'] or '(every version)'} but no longer gives the recorded "
            f"observation (fixed, or changed?); now:\n{show(found)}\n"
            f"recorded:\n{show(doc['observed'])}")
    elif predicted == "expected":
        assert found == doc["expected"], (
            f"{doc['rule']}: {name} {real.version} is outside the range of every entry of "
            f"the rule, so it must meet the rule, yet gives:\n{show(found)}")
    # else: another entry of the rule holds for this release; its own file judges it


@pytest.mark.parametrize(("name", "path"), FILES, ids=FILE_IDS)
def test_reference_gives_expected(name: str, path: Path, reference: Any) -> None:
    doc = load_repro(path)
    expected = replay_deviation(doc, reference)
    assert expected == doc["expected"], (
        f"{doc['rule']}: the reference now gives:\n{show(expected)}\n"
        f"recorded:\n{show(doc['expected'])}")

"""Every manifest deviation of a real library has a reproduction that still reproduces it.

For each implementation with a definition table (``record_deviations.TABLES``), each file
in ``conformance/transcripts/deviations/<implementation>/`` is replayed against the real
library (it must give ``observed``, which differs from ``expected``) and against the
reference (it must give ``expected``). The files and the adapter's deviation manifest name
the same rules with the same reasons. Implementations that are not installed are skipped.
Re-record with ``python -m conformance.transcripts.record_deviations --impl NAME``.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from conformance.probes import load_repro, replay_deviation, repro_dir, repro_paths
from conformance.resolve import resolve
from conformance.transcripts.record_deviations import TABLES

RECORD = "python -m conformance.transcripts.record_deviations --impl"
IMPLEMENTATIONS = sorted(TABLES)
FILES = [(name, path) for name in IMPLEMENTATIONS for path in repro_paths(name)]
FILE_IDS = [f"{name}/{path.stem}" for name, path in FILES]
DEFINED = ("contract", "lanes", "program", "probe")  # what a definition fixes in its file


def installed(name: str) -> bool:
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
    manifest = sorted(real.deviations)
    assert on_disk == manifest, (
        f"{repro_dir(name)} and the manifest disagree: without a reproduction "
        f"{sorted(set(manifest) - set(on_disk))}, stale {sorted(set(on_disk) - set(manifest))}; "
        f"re-record with {RECORD} {name}")


@pytest.mark.parametrize(("name", "path"), FILES, ids=FILE_IDS)
def test_header_matches_the_manifest(name: str, path: Path) -> None:
    real = adapter_of(name)
    doc = load_repro(path)
    assert (doc["rule"], doc["implementation"]) == (path.stem, name)
    assert doc["version"] == real.version, (
        f"{path.name} was recorded against {name} {doc['version']}, the installed "
        f"version is {real.version}; re-record with {RECORD} {name}")
    assert doc["reason"] == real.deviations.get(doc["rule"]), (
        f"{path.name}: reason differs from the manifest's; re-record with {RECORD} {name}")
    defined = TABLES[name].get(doc["rule"], {})
    stale = [key for key in DEFINED if doc.get(key) != defined.get(key)]
    assert not stale, f"{path.name} is stale in {stale}; re-record with {RECORD} {name}"


@pytest.mark.parametrize(("name", "path"), FILES, ids=FILE_IDS)
def test_reproduces_against_the_real_library(name: str, path: Path) -> None:
    real = adapter_of(name)
    doc = load_repro(path)
    assert doc["observed"] != doc["expected"], f"{path.name} records no deviation"
    observed = replay_deviation(doc, real)
    assert observed == doc["observed"], (
        f"{doc['rule']}: {name} no longer gives the recorded observation (fixed, "
        f"or changed?); now:\n{show(observed)}\nrecorded:\n{show(doc['observed'])}")


@pytest.mark.parametrize(("name", "path"), FILES, ids=FILE_IDS)
def test_reference_gives_expected(name: str, path: Path, reference: Any) -> None:
    doc = load_repro(path)
    expected = replay_deviation(doc, reference)
    assert expected == doc["expected"], (
        f"{doc['rule']}: the reference now gives:\n{show(expected)}\n"
        f"recorded:\n{show(doc['expected'])}")

"""Every langchain_core deviation has a reproduction that still reproduces it.

Each file in ``conformance/transcripts/deviations/langchain_core/`` is replayed against
the real library (it must give ``observed``, which differs from ``expected``) and against
the reference (it must give ``expected``). The files and the adapter's deviation manifest
name the same rules with the same reasons. Re-record with
``python -m conformance.transcripts.record_deviations``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("langchain_core")

from conformance.probes import load_repro, replay_deviation, repro_dir, repro_paths  # noqa: E402
from conformance.resolve import resolve  # noqa: E402
from conformance.transcripts.record_deviations import DEFINITIONS  # noqa: E402

IMPLEMENTATION = "langchain_core"
RECORD = "python -m conformance.transcripts.record_deviations"
PATHS = repro_paths(IMPLEMENTATION)


@pytest.fixture(scope="module")
def real() -> Any:
    return resolve(IMPLEMENTATION)


@pytest.fixture(scope="module")
def reference() -> Any:
    return resolve("reference")


def show(observation: Any) -> str:
    return json.dumps(observation, indent=1, sort_keys=True)


def test_one_reproduction_per_manifest_entry(real: Any) -> None:
    on_disk = sorted(path.stem for path in PATHS)
    manifest = sorted(real.deviations)
    assert on_disk == manifest, (
        f"{repro_dir(IMPLEMENTATION)} and the manifest disagree: without a reproduction "
        f"{sorted(set(manifest) - set(on_disk))}, stale {sorted(set(on_disk) - set(manifest))}; "
        f"re-record with {RECORD}")


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_header_matches_the_manifest(path: Path, real: Any) -> None:
    doc = load_repro(path)
    assert (doc["rule"], doc["implementation"]) == (path.stem, IMPLEMENTATION)
    assert doc["version"] == real.version, (
        f"{path.name} was recorded against {IMPLEMENTATION} {doc['version']}, the installed "
        f"version is {real.version}; re-record with {RECORD}")
    assert doc["reason"] == real.deviations.get(doc["rule"]), (
        f"{path.name}: reason differs from the manifest's; re-record with {RECORD}")
    defined = DEFINITIONS.get(doc["rule"], {})
    stale = [key for key in ("lanes", "program", "probe") if doc.get(key) != defined.get(key)]
    assert not stale, f"{path.name} is stale in {stale}; re-record with {RECORD}"


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_reproduces_against_the_real_library(path: Path, real: Any) -> None:
    doc = load_repro(path)
    assert doc["observed"] != doc["expected"], f"{path.name} records no deviation"
    observed = replay_deviation(doc, real)
    assert observed == doc["observed"], (
        f"{doc['rule']}: {IMPLEMENTATION} no longer gives the recorded observation (fixed, "
        f"or changed?); now:\n{show(observed)}\nrecorded:\n{show(doc['observed'])}")


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_reference_gives_expected(path: Path, reference: Any) -> None:
    doc = load_repro(path)
    expected = replay_deviation(doc, reference)
    assert expected == doc["expected"], (
        f"{doc['rule']}: the reference now gives:\n{show(expected)}\n"
        f"recorded:\n{show(doc['expected'])}")

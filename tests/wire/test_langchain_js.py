"""LangChain.js over the wire: ``--impl=langchain_js`` certifies @langchain/core's real
callback manager through the Node driver (``conformance/drivers/js/langchain_core.mjs``).

A small certification (a few callback suite modules, the self-tests' profile and seed)
checks the driver's hello, the async-only lane (what needs the sync lane is not
applicable) and a few rule outcomes as recorded in the driver's manifest. Skipped, with
the reason, where Node or the driver's packages are missing (``npm ci --prefix
conformance/drivers/js``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.adapters import langchain_js
from tests.certify import CALLBACK_SUITES, REPO, Certification, certify

MISSING = langchain_js.missing()
pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")

MODULES = ["test_construction.py", "test_custom_events.py", "test_noop.py", "test_get_sync.py"]
#: Outcomes recorded for @langchain/core 1.4.0 (README, "Certify LangChain.js and LangGraph.js").
RECORDED = {
    "CB-CONS-1": "pass",
    "CB-CONS-3": "known deviation",   # configure() with nothing returns undefined
    "CB-CONS-5": "known deviation",   # addHandler does not de-duplicate
    "CB-CUSTOM-1": "known deviation",  # no run id generated for a custom event
    "CB-CUSTOM-2": "pass",
    "CB-NOOP-1": "known deviation",   # no getNoopManager
    "CB-SYNC-1": "not applicable",    # needs the sync lane
    # the async tests of these start runs on configure()'s result, undefined when given
    # nothing: they stop on CB-CONS-3 (its deviation), their own rule is not judged
    "CB-CONS-2": "not applicable",
    "CB-CONS-4": "not applicable",
}


SCHEMA = REPO / "specs" / "schemas" / "wire" / "message.schema.json"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("langchain-js")


@pytest.fixture(scope="module")
def certification(workdir: Path) -> Certification:
    """The small certification, every line of its sessions with the driver logged."""
    previous = os.environ.get("RUNCERT_WIRE_LOG")
    os.environ["RUNCERT_WIRE_LOG"] = str(workdir / "session.log")
    try:
        return certify("langchain_js", "langchain_js",
                       [CALLBACK_SUITES / name for name in MODULES], workdir)
    finally:
        if previous is None:
            del os.environ["RUNCERT_WIRE_LOG"]
        else:
            os.environ["RUNCERT_WIRE_LOG"] = previous


def test_every_line_of_the_session_is_valid(certification: Certification, workdir: Path) -> None:
    """What the Node driver writes, and what the kit writes to it, is runcert-wire/1."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    lines = (workdir / "session.log").read_text(encoding="utf-8").splitlines()
    sent = {"<": 0, ">": 0}
    for number, line in enumerate(lines, 1):
        direction, _, raw = line.partition(" ")
        message = json.loads(raw)
        errors = sorted(validator.iter_errors(message), key=str)
        assert not errors, f"line {number} ({direction}): {errors[0].message}: {raw[:300]}"
        sent[direction] += 1
    assert sent["<"] > 100 and sent[">"] > 100, sent


def test_hello_declares_the_async_lane_and_the_manifest() -> None:
    adapter = langchain_js.adapter()
    assert adapter.name == "langchain_js"
    assert adapter.version == "1.4.0"  # the release package-lock.json pins
    assert adapter.capabilities == frozenset({"callbacks.async"})
    assert adapter.callbacks is not None
    assert adapter.callbacks.callback_manager is None and adapter.callbacks.base_handler is None
    assert adapter.callbacks.async_callback_manager is not None
    assert adapter.supported == ">=1.4.0,<1.5"
    known = adapter.known_deviations
    assert {"CB-CONS-3", "CB-EV-7", "CB-PAIR-2"} <= set(known), sorted(known)
    assert not set(known) & {"CB-CONS-2", "CB-CONS-4"}  # stopped on CB-CONS-3, not listed
    for rule, entries in adapter.manifest().items():
        assert all(d.versions == ">=1.4.0,<1.5" for d in entries), rule


def test_sync_lane_rules_are_not_applicable(certification: Certification) -> None:
    outcomes = certification.outcomes()
    sync_rules = [r for r in outcomes if r.startswith("CB-SYNC-")]
    assert sync_rules, sorted(outcomes)
    assert {outcomes[r] for r in sync_rules} == {"not applicable"}, {
        r: outcomes[r] for r in sync_rules}
    messages = [t for t in certification.output.splitlines() if "callbacks.sync" in t]
    assert messages or certification.report, certification.tail()


def test_recorded_outcomes(certification: Certification) -> None:
    outcomes = certification.outcomes()
    got = {rule: outcomes.get(rule) for rule in RECORDED}
    assert got == RECORDED, certification.tail()
    failing = {r for r, o in outcomes.items() if o in ("fail", "timeout", "deviation fixed")}
    assert not failing, ({r: outcomes[r] for r in failing}, certification.tail())
    header = certification.report["implementation"]  # type: ignore[index]
    assert header["name"] == "langchain_js" and header["version"] == "1.4.0"


def test_missing_packages_are_one_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without node_modules, --impl=langchain_js is one line saying what to run."""
    monkeypatch.setattr(langchain_js, "DRIVER_DIR", tmp_path)
    reason = langchain_js.missing()
    assert reason is not None and "npm ci --prefix" in reason
    proc = subprocess.run(
        [sys.executable, "-c", (
            "import sys; from conformance.adapters import langchain_js as j; "
            f"j.DRIVER_DIR = __import__('pathlib').Path({str(tmp_path)!r}); "
            "from conformance.resolve import resolve, ResolutionError\n"
            "try:\n    resolve('langchain_js')\n"
            "except ResolutionError as e:\n    print(e); sys.exit(4)")],
        cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert proc.stdout.strip().count("\n") == 0 and "npm ci --prefix" in proc.stdout
    assert "Traceback" not in proc.stderr

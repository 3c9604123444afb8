"""LangGraph.js over the wire: ``--impl=langgraph_js`` certifies @langchain/langgraph's
real ``GraphRunStream`` (built by its own ``createGraphRunStream()``) through the Node
driver (``conformance/drivers/js/langgraph.mjs``).

A small certification (a few stream suite modules, the self-tests' profile and seed)
checks the driver's hello, the async-only lane (the sync lane's rules are not
applicable) and rule outcomes as the driver's manifest records them, including a rule
that passes and rules whose every test stops on another rule's finding (not judged).
Skipped, with the reason, where Node or the driver's packages are missing (``npm ci
--prefix conformance/drivers/js``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conformance.adapters import langgraph_js
from tests.certify import REPO, STREAM_SUITES, Certification, certify

MISSING = langgraph_js.missing()
pytestmark = pytest.mark.skipif(MISSING is not None, reason=MISSING or "")

MODULES = ["test_pumping.py", "test_projections.py", "test_extensions.py",
           "test_sync_lane.py"]
#: Outcomes recorded for @langchain/langgraph 1.7.3 (README, "Certify LangChain.js and LangGraph.js").
RECORDED = {
    "RS-PUMP-1": "known deviation",   # createGraphRunStream starts its pump at once
    "RS-PUMP-3": "known deviation",
    "RS-PROJ-1": "known deviation",   # a StreamChannel serves any number of readers
    "RS-PROJ-5": "known deviation",   # no tee(n)
    "RS-PROJ-3": "not run",           # every test of it fans out: stopped on RS-PROJ-5
    "RS-PROJ-4": "not run",           # tee(0) cannot be judged without a tee
    "RS-EXT-1": "known deviation",    # extensions: a plain object of non-native projections
    "RS-EXT-3": "known deviation",    # an unknown projection reads undefined
    "RS-SYNC-1": "not applicable",    # LangGraph.js has no sync run stream
}
VERSION = "1.7.3"  # the release package-lock.json pins
RANGE = ">=1.7.3,<1.8"


@pytest.fixture(scope="module")
def certification(tmp_path_factory: pytest.TempPathFactory) -> Certification:
    workdir = tmp_path_factory.mktemp("langgraph-js")
    return certify("langgraph_js", "langgraph_js",
                   [STREAM_SUITES / name for name in MODULES], workdir)


def test_hello_declares_the_async_lane_and_the_manifest() -> None:
    adapter = langgraph_js.adapter()
    assert adapter.name == "langgraph_js"
    assert adapter.version == VERSION
    assert adapter.capabilities == frozenset({"streams.async"})
    assert adapter.streams is not None and adapter.streams.open_sync_run is None
    assert adapter.callbacks is None
    assert adapter.supported == RANGE
    known = adapter.known_deviations
    assert {"RS-PUMP-1", "RS-PROJ-5", "RS-ABORT-3", "RS-EXT-2"} <= set(known), sorted(known)
    for rule, entries in adapter.manifest().items():
        assert all(d.versions == RANGE for d in entries), rule


def test_recorded_outcomes(certification: Certification) -> None:
    outcomes = certification.outcomes()
    got = {rule: outcomes.get(rule) for rule in RECORDED}
    assert got == RECORDED, certification.tail()
    failing = {r for r, o in outcomes.items() if o in ("fail", "timeout", "deviation fixed")}
    assert not failing, ({r: outcomes[r] for r in failing}, certification.tail())
    header = certification.report["implementation"]  # type: ignore[index]
    assert header["name"] == "langgraph_js" and header["version"] == VERSION
    assert "not judged: " in certification.output and "RS-PROJ-3" in certification.output


def test_missing_packages_are_one_usage_error(tmp_path: Path) -> None:
    """Without node_modules, --impl=langgraph_js is one line saying what to run."""
    proc = subprocess.run(
        [sys.executable, "-c", (
            "import sys; from conformance.adapters import langgraph_js as j; "
            f"j.DRIVER_DIR = __import__('pathlib').Path({str(tmp_path)!r}); "
            "from conformance.resolve import resolve, ResolutionError\n"
            "try:\n    resolve('langgraph_js')\n"
            "except ResolutionError as e:\n    print(e); sys.exit(4)")],
        cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert proc.stdout.strip().count("\n") == 0 and "npm ci --prefix" in proc.stdout
    assert "Traceback" not in proc.stderr

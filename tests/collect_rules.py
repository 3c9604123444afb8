"""Collect the packaged suites under an implementation; write each test's rules as JSON.

Used by the traceability self-test: ``python -m tests.collect_rules IMPL OUT.json``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conformance.plugin import cited_rules


class _Recorder:
    def __init__(self) -> None:
        self.items: dict[str, list[str]] = {}

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.items = {item.nodeid: cited_rules(item) for item in session.items}


def main(impl: str, out: Path) -> int:
    recorder = _Recorder()
    code = pytest.main(
        [f"--impl={impl}", "--collect-only", "-q", "-p", "no:cacheprovider"],
        plugins=[recorder],
    )
    out.write_text(json.dumps(recorder.items, indent=1))
    return int(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2])))

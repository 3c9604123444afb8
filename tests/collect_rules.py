"""Collect tests and write each test's cited rules as JSON.

Used by the traceability self-test: ``python -m tests.collect_rules IMPL OUT.json``
collects the packaged suites under an implementation (the contract's rules);
``python -m tests.collect_rules - OUT.json PATH...`` collects the kit's own tests in
PATH (the ``TR-`` rules, which the kit's tests check instead of a certification).
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


def main(impl: str, out: Path, paths: list[str]) -> int:
    recorder = _Recorder()
    selection = paths if impl == "-" else [f"--impl={impl}", *paths]
    code = pytest.main([*selection, "--collect-only", "-q", "-p", "no:cacheprovider"],
                       plugins=[recorder])
    out.write_text(json.dumps(recorder.items, indent=1))
    return int(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2]), sys.argv[3:]))

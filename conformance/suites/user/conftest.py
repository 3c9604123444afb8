"""Users' own transcripts are collected only when a directory is given.

Without ``--runcert-transcripts`` (or the ``runcert_transcripts`` ini setting) the user
transcript test is not collected at all: not a skip, not a pass (TR-REPLAY-4). A test
module cannot drop its own test, hence this hook next to it.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance.plugin import directory_setting


def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: Any) -> Any:
    if name == "test_user_transcript" and (
            directory_setting(collector.config, "runcert_transcripts") is None):
        return []
    return None

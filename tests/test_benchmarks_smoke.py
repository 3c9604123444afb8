"""``python -m benchmarks --quick`` runs to the end and writes its tables.

A smoke test only: it checks that every benchmark completes (each one already checks
that every event was delivered) and that the tables come out. It never asserts a time.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import REPO

SECTIONS = ("### Callback dispatch", "### Run-stream pump", "### Memory",
            "### Scale: concurrent requests")


def test_quick_benchmark_prints_and_writes_every_table(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text("# Results\n\nkept as it is\n")
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--repeats", "1", "--update",
         str(results)], cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    written = results.read_text()
    for section in SECTIONS:
        assert section in done.stdout, f"{section!r} missing from the output"
        assert section in written, f"{section!r} missing from {results.name}"
    assert written.startswith("# Results\n\nkept as it is\n"), "text outside the markers lost"
    assert "<!-- benchmarks:start -->" in written and "<!-- benchmarks:end -->" in written
    assert "| reference | 100 |" in written, "the scale table has no reference row"
    assert "| 0 | 0 |" in written, "crossed or missing events in the scale run"

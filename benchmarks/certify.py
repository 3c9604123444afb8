"""``python -m benchmarks.certify [--runs 3] [--thorough-runs 1] [--update FILE]``.

Times ``pytest --impl=reference -p no:cacheprovider`` with each Hypothesis profile, run
from a temporary directory so that the installed package's suites are what runs (as
``tox -e certify-reference`` does), and lists the slowest tests of the default profile.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .report import environment, replace_section, table

PROFILES = ("fast", "default", "thorough")
DURATION = re.compile(r"^(\d+\.\d+)s (call|setup|teardown)\s+(\S+)$")


def certify(profile: str, cwd: str) -> tuple[float, str]:
    """Wall time of one certification run, and its output."""
    command = [sys.executable, "-m", "pytest", "--impl=reference", "-p", "no:cacheprovider",
               "-q", f"--runcert-profile={profile}", "--durations=15"]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"certification ({profile}) failed:\n{done.stdout[-3000:]}")
    return seconds, done.stdout


def slowest(output: str) -> list[list[str]]:
    return [[f"{m[1]} s", m[3]] for m in map(DURATION.match, output.splitlines()) if m]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.certify", description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs of fast and default")
    parser.add_argument("--thorough-runs", type=int, default=1,
                        help="runs of thorough (about 3 minutes each)")
    parser.add_argument("--update", type=Path, default=None,
                        help="write the tables into this markdown file (between markers)")
    args = parser.parse_args(argv)
    rows: list[list[str]] = []
    durations: list[list[str]] = []
    with tempfile.TemporaryDirectory() as cwd:
        for profile in PROFILES:
            times = []
            for _ in range(args.thorough_runs if profile == "thorough" else args.runs):
                seconds, output = certify(profile, cwd)
                times.append(seconds)
                if profile == "default" and not durations:
                    durations = slowest(output)
            rows.append([profile, f"{statistics.median(times):.1f} s", f"{min(times):.1f} s",
                         f"{max(times):.1f} s", str(len(times))])
    text = (f"{environment()}\n\nCommand: `python -m benchmarks.certify --runs {args.runs} "
            f"--thorough-runs {args.thorough_runs}` (from the repository root), "
            "which runs `pytest --impl=reference -p no:cacheprovider --runcert-profile=P` "
            "from an empty temporary directory (the packaged suites: callbacks and streams "
            "together). Wall time of the whole pytest process, start-up and collection "
            "included.\n\n"
            + table(["profile", "median", "min", "max", "runs"], rows)
            + "\n\nSlowest tests of the default profile (`--durations=15`, first run):\n\n"
            + table(["time", "test"], durations))
    print(text)
    if args.update is not None:
        replace_section(args.update, "certify", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

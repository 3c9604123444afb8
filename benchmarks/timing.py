"""Interleaved, repeated timing: every case runs once per round, rounds rotate the order."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

#: A case runs its whole workload once and returns the seconds it measured.
Case = Callable[[], float]


@dataclass(frozen=True)
class Stats:
    """Seconds per unit (event, dispatch, ...) over the repeats."""

    median: float
    minimum: float
    units: int

    @classmethod
    def of(cls, seconds: list[float], units: int) -> Stats:
        return cls(statistics.median(seconds) / units, min(seconds) / units, units)


def timed(work: Callable[[], object]) -> float:
    """Seconds one call of ``work`` takes."""
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def interleave(cases: dict[str, Case], units: dict[str, int], repeats: int) -> dict[str, Stats]:
    """Run every case ``repeats`` times, round by round, rotating the order each round.

    The libraries share the process and the machine's momentary load: a slow moment
    hits one round of every case, not every round of one case.
    """
    names = list(cases)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for round_no in range(repeats):
        shift = round_no % len(names)
        for name in names[shift:] + names[:shift]:
            gc.collect()
            samples[name].append(cases[name]())
    return {name: Stats.of(samples[name], units[name]) for name in names}


def fmt_time(seconds: float) -> str:
    """A per-unit time with a readable unit."""
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    if seconds >= 1e-6:
        return f"{seconds * 1e6:.2f} µs"
    return f"{seconds * 1e9:.0f} ns"


def fmt_bytes(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Row:
    """One scenario's figures: the reference, the real library and a bare baseline."""

    label: str
    reference: Stats
    real: Stats
    baseline: Stats
    baseline_name: str

    @property
    def speedup(self) -> float:
        """How many times faster the reference is (medians)."""
        return self.real.median / self.reference.median

    @property
    def over_baseline(self) -> float:
        return self.reference.median / self.baseline.median

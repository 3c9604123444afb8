"""The controlled event loop (``conformance.scheduling``) and what it finds.

(a) The loop is deterministic: the same schedule gives the same order of callbacks,
    different schedules give different orders, no schedule is asyncio's own order, and
    the driver, timers and recorded replays behave as documented.
(b) ``tests/streams/broken/step_retired_by_starter.py``, whose bug shows only when a
    joiner of a step wakes before the reader that started it, is rejected on RS-FLIGHT-1
    by the scheduled suites (fast profile, seeds 1 to 5), and passes them with
    ``--runcert-fifo`` (asyncio's FIFO order only).
(c) Its exported counterexample carries the schedule, and replaying the transcript makes
    the same choices and fails on the same rule, every time; without the schedule the
    same program shows nothing.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from conformance.counterexamples import replay
from conformance.resolve import resolve
from conformance.scheduling import MAX_CHOICES, ControlledLoop, Schedule, schedules
from conformance.streams.programs import observe
from conformance.transcripts.validate import load_transcript
from tests.certify import NO_SHRINK, REPO, RUN_LIMIT, STREAM_SUITES

VARIANT = "tests.streams.broken.step_retired_by_starter"
SCHEDULED_SUITES = ("test_machines.py", "test_properties.py")
SEEDS = (1, 2, 3, 4, 5)


# -- (a) the loop --------------------------------------------------------------------------

async def _crowd(log: list[str], tasks: int = 4, rounds: int = 3) -> None:
    """``tasks`` tasks, each logging and yielding ``rounds`` times: all ready at once."""

    async def worker(name: str) -> None:
        for k in range(rounds):
            log.append(f"{name}{k}")
            await asyncio.sleep(0)

    await asyncio.gather(*(worker(chr(ord("a") + i)) for i in range(tasks)))


def order(schedule: Schedule | None) -> list[str]:
    """The order the crowd's steps ran in, on a fresh loop driven by ``schedule``."""
    log: list[str] = []
    loop = asyncio.new_event_loop() if schedule is None else ControlledLoop(schedule)
    try:
        loop.run_until_complete(_crowd(log))
    finally:
        loop.close()
    return log


def test_no_schedule_is_asyncio_order() -> None:
    plain = order(None)
    assert order(Schedule.fifo()) == plain
    assert order(Schedule.replay([])) == plain
    assert order(Schedule.replay([0, 0, 0])) == plain
    assert plain[:4] == ["a0", "b0", "c0", "d0"]


def test_same_schedule_same_order() -> None:
    for choices in ([1], [3, 2, 1], [2, 0, 1, 1, 0, 2]):
        assert order(Schedule.replay(choices)) == order(Schedule.replay(choices))
    for seed in range(5):
        assert order(Schedule.seeded(seed)) == order(Schedule.seeded(seed))


def test_different_schedules_different_orders() -> None:
    orders = {tuple(order(Schedule.replay(c))) for c in ([], [1], [2], [3], [3, 2, 1])}
    assert len(orders) == 5
    assert order(Schedule.replay([3, 2, 1]))[:4] == ["d0", "c0", "b0", "a0"]
    assert len({tuple(order(Schedule.seeded(seed))) for seed in range(10)}) > 5


def test_recorded_choices_replay_the_order() -> None:
    """What a seeded (or drawn) run chose, replayed as a list, repeats its order."""
    for seed in range(10):
        seeded = Schedule.seeded(seed)
        first = order(seeded)
        assert seeded.choices, "four ready tasks make choice points"
        assert order(Schedule.replay(seeded.recorded())) == first


def test_choices_are_bounded() -> None:
    schedule = Schedule.seeded(7, limit=3)
    order(schedule)
    assert len(schedule.choices) == 3
    long = Schedule.seeded(7)
    log: list[str] = []
    loop = ControlledLoop(long)
    loop.run_until_complete(_crowd(log, tasks=6, rounds=30))
    loop.close()
    assert len(long.choices) == MAX_CHOICES


def test_driver_keeps_its_place() -> None:
    """An exempt task's handles never move; the others are ordered around them."""

    async def main(log: list[str]) -> None:
        me = asyncio.current_task()
        assert me is not None
        asyncio.get_running_loop().exempt(me)  # type: ignore[attr-defined]
        task = asyncio.ensure_future(_crowd(log))
        for _ in range(6):
            log.append("driver")
            await asyncio.sleep(0)
        await task

    runs = []
    for choices in ([], [1, 1, 1, 1], [3, 2, 1, 0, 2]):
        log: list[str] = []
        loop = ControlledLoop(Schedule.replay(choices))
        loop.run_until_complete(main(log))
        loop.close()
        runs.append(log)
    positions = {tuple(i for i, x in enumerate(log) if x == "driver") for log in runs}
    assert len(positions) == 1, runs
    assert len({tuple(log) for log in runs}) == 3


def test_timers_are_untouched() -> None:
    """A timer fires when asyncio says so, whatever the schedule."""

    async def main() -> float:
        loop = asyncio.get_running_loop()
        fired = loop.create_future()
        loop.call_later(0.01, fired.set_result, None)
        start = loop.time()
        await asyncio.gather(_crowd([]), fired)
        return loop.time() - start

    loop = ControlledLoop(Schedule.seeded(3))
    assert loop.run_until_complete(main()) >= 0.01
    loop.close()


@settings(max_examples=30, deadline=None)
@given(choices=schedules())
def test_drawn_schedules_are_deterministic(choices: list[int]) -> None:
    """A drawn schedule is a list; replaying it twice gives one order (Hypothesis needs
    that to replay and shrink an example)."""
    assert all(isinstance(c, int) and c >= 0 for c in choices)
    assert len(choices) <= MAX_CHOICES
    assert order(Schedule.replay(choices)) == order(Schedule.replay(choices))


# -- (b) an ordering bug is found only by the scheduled suites ------------------------------

def certify(seed: int, workdir: Path, *extra: str) -> dict[str, str]:
    """The variant certified over the scheduled suites: rule -> outcome."""
    report = workdir / f"seed-{seed}{'-fifo' if extra else ''}.json"
    cmd = [sys.executable, "-m", "pytest", f"--impl={VARIANT}", "--runcert-profile=fast",
           f"--hypothesis-seed={seed}", f"--runcert-report={report}", "-q", "--tb=line",
           "-p", "no:cacheprovider", "-p", NO_SHRINK, *extra,
           *(str(STREAM_SUITES / s) for s in SCHEDULED_SUITES)]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=RUN_LIMIT,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert report.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    doc = json.loads(report.read_text(encoding="utf-8"))
    return {rule: r["outcome"] for rule, r in doc["rules"].items()}


@pytest.fixture(scope="module")
def certifications(tmp_path_factory: pytest.TempPathFactory) -> dict[Any, dict[str, str]]:
    workdir = tmp_path_factory.mktemp("scheduler-certifications")
    jobs = [(seed, mode) for seed in SEEDS for mode in ("scheduled", "fifo")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {job: pool.submit(certify, job[0], workdir,
                                    *(["--runcert-fifo"] if job[1] == "fifo" else []))
                   for job in jobs}
        return {job: future.result() for job, future in futures.items()}


@pytest.mark.parametrize("seed", SEEDS)
def test_ordering_bug_rejected_with_the_scheduler(certifications: Any, seed: int) -> None:
    outcomes = certifications[seed, "scheduled"]
    assert outcomes["RS-FLIGHT-1"] == "fail", outcomes


@pytest.mark.parametrize("seed", SEEDS)
def test_ordering_bug_passes_in_fifo_order(certifications: Any, seed: int) -> None:
    outcomes = certifications[seed, "fifo"]
    failing = {r: o for r, o in outcomes.items() if o != "pass"}
    assert outcomes and not failing, failing


# -- (c) the counterexample replays its interleaving --------------------------------------

@pytest.fixture(scope="module")
def counterexample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("scheduled-counterexample")
    cmd = [sys.executable, "-m", "pytest", f"--impl={VARIANT}", "--runcert-profile=fast",
           "--hypothesis-seed=1", "-q", "--tb=short", "-p", "no:cacheprovider",
           f"--runcert-counterexamples={directory}",
           str(STREAM_SUITES / "test_machines.py::TestBackpressureMachine")]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=RUN_LIMIT,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1",
                               "HYPOTHESIS_STORAGE_DIRECTORY": str(directory / ".db")})
    output = proc.stdout + proc.stderr
    path = directory / "TestBackpressureMachine-RS-FLIGHT-1.json"
    assert proc.returncode == 1 and path.exists(), output[-3000:]
    assert f"counterexample transcript: {path}" in output, output[-3000:]
    assert "reproduces RS-FLIGHT-1" in output, output[-3000:]
    return path


def test_counterexample_carries_its_schedule(counterexample: Path) -> None:
    doc = load_transcript(counterexample)  # valid, schedule included (TR-STREAM-3)
    schedule = doc["program"]["schedule"]
    assert schedule and all(isinstance(c, int) and c >= 0 for c in schedule)
    assert schedule[-1] != 0, "trailing FIFO choices are dropped"
    assert len(schedule) <= MAX_CHOICES


def test_counterexample_replays_the_failure(counterexample: Path) -> None:
    doc = json.loads(counterexample.read_text(encoding="utf-8"))
    variant = resolve(VARIANT)
    for _ in range(3):  # the same interleaving every time
        found = replay(doc, variant)
        assert found is not None and found.rule == "RS-FLIGHT-1", found
    assert replay(doc, resolve("reference")) is None


def test_counterexample_needs_its_schedule(counterexample: Path) -> None:
    """Without the schedule the program runs in FIFO order, where the variant behaves
    like the reference: the schedule is what reproduces the failure."""
    program = json.loads(counterexample.read_text(encoding="utf-8"))["program"]
    del program["schedule"]
    assert observe(resolve(VARIANT), program) == observe(resolve("reference"), program)

"""Time limits that hold against an implementation that does not leave signals alone.

A conformance test's time limit is an alarm: SIGALRM, armed with ``setitimer``, whose
handler raises the kit's :class:`~conformance.checks.ImplementationTimeout` in the main
thread. An implementation can defeat it without meaning to, or on purpose: replace
``signal.signal`` (the handler is never installed, and the default action of SIGALRM
kills the process, report unwritten), set SIGALRM to ``SIG_IGN`` or block it, swallow the
timeout in a loop, or sit in a call that no signal interrupts. Two guards keep such a run
honest:

- :class:`AlarmGuard` arms the alarm with the functions of ``signal`` as they were when
  the kit was imported (before any implementation), and checks around each test that
  the signal handlers, the main thread's signal mask and the module's functions are still
  the kit's. What changed is *tampering*: reported on the test's rules, and undone before
  the next test;
- :class:`Watchdog` is a daemon thread that needs no signal at all: when the test in flight
  outlives :func:`overrun_deadline`, it hands the test to the plugin, which writes the
  report as it stands and ends the process.

Neither helps against code that holds the GIL in C for ever (no Python thread runs, no
signal handler either): only a limit from outside the process stops that.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from conformance.checks import ImplementationTimeout

#: The functions of ``signal`` the time limit relies on, as the kit found them at import.
ORIGINAL: dict[str, Any] = {
    name: getattr(signal, name)
    for name in ("signal", "getsignal", "setitimer", "pthread_sigmask")
    if hasattr(signal, name)}

#: Whether this platform has the alarm at all (not Windows); the watchdog works anyway.
HAS_ALARM = "setitimer" in ORIGINAL and hasattr(signal, "SIGALRM")

#: Seconds the watchdog waits beyond twice the time limit (see :func:`overrun_deadline`).
GRACE = 5.0

#: How often the watchdog looks at the test in flight, seconds.
POLL = 0.2


def overrun_deadline(limit: float) -> float:
    """Seconds after its start at which a test has overrun beyond the alarm's reach.

    The alarm fires at ``limit`` and, re-armed, once more at ``2 * limit`` for a cleanup
    that hangs too; a test still running :data:`GRACE` seconds after that will not be
    stopped by it.
    """
    return 2 * limit + GRACE


def restore_functions() -> list[str]:
    """Put back every function of ``signal`` an implementation replaced; what was."""
    found = []
    for name, function in ORIGINAL.items():
        if getattr(signal, name, None) is not function:
            setattr(signal, name, function)
            found.append(f"signal.{name} was replaced")
    return found


def describe_handler(handler: Any) -> str:
    if handler is signal.SIG_IGN:
        return "SIG_IGN"
    if handler is signal.SIG_DFL:
        return "SIG_DFL"
    if handler is None:
        return "a handler not installed from Python"
    return getattr(handler, "__qualname__", None) or repr(handler)


def unblock_alarm() -> list[str]:
    """Unblock SIGALRM in this (the main) thread; whether it was blocked."""
    mask = ORIGINAL.get("pthread_sigmask")
    if mask is None or not HAS_ALARM:
        return []
    if signal.SIGALRM not in mask(signal.SIG_BLOCK, []):
        return []
    mask(signal.SIG_UNBLOCK, [signal.SIGALRM])
    return ["SIGALRM was blocked"]


def alarm_blocked_in(thread: threading.Thread) -> bool:
    """Whether ``thread`` blocks SIGALRM (Linux: /proc; False where it cannot be told)."""
    if not HAS_ALARM or thread.native_id is None:
        return False
    try:
        with open(f"/proc/self/task/{thread.native_id}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("SigBlk:"):
                    return bool(int(line.split()[1], 16) >> (signal.SIGALRM - 1) & 1)
    except (OSError, ValueError):
        pass
    return False


class AlarmGuard:
    """The alarm of one test: armed, checked, and removed.

    ``expected`` are the other handlers the kit installed (the plugin's SIGINT handler)
    that the test must leave in place too.
    """

    def __init__(self, limit: float, expected: dict[int, Any] | None = None) -> None:
        self.limit = limit
        self.expected = dict(expected or {})
        self.fired = 0  # how often the alarm went off during the test
        self.handler = self._on_alarm  # one bound method: the identity getsignal returns
        self._previous: Any = signal.SIG_DFL

    def _on_alarm(self, signum: int, frame: Any) -> None:
        self.fired += 1
        ORIGINAL["setitimer"](signal.ITIMER_REAL, self.limit)  # again: a hung cleanup too
        raise ImplementationTimeout(f"timeout: the test did not finish within {self.limit:g}s")

    def arm(self) -> list[str]:
        """Install the handler and start the alarm; return the tampering found (and
        undone) since the last test: a function of ``signal`` replaced, SIGALRM blocked."""
        found = restore_functions() + unblock_alarm()
        previous = ORIGINAL["signal"](signal.SIGALRM, self.handler)
        self._previous = signal.SIG_DFL if previous is None else previous
        ORIGINAL["setitimer"](signal.ITIMER_REAL, self.limit)
        return found

    def disarm(self) -> None:
        ORIGINAL["setitimer"](signal.ITIMER_REAL, 0)

    def check(self) -> list[str]:
        """What the test changed of the time limit's machinery, each undone: a handler
        replaced, SIGALRM blocked, a function of ``signal`` replaced."""
        found = restore_functions()
        getsignal, install = ORIGINAL["getsignal"], ORIGINAL["signal"]
        for signum, handler in {signal.SIGALRM: self.handler, **self.expected}.items():
            now = getsignal(signum)
            if now is not handler:
                found.append(f"the {signal.Signals(signum).name} handler was replaced "
                             f"(by {describe_handler(now)})")
                install(signum, handler)
        return found + unblock_alarm()

    def remove(self) -> None:
        """Stop the alarm and put back the handler the test started with."""
        self.disarm()
        ORIGINAL["signal"](signal.SIGALRM, self._previous)

    def why_not(self) -> str:
        """Why the alarm did not end the test in the main thread (for the watchdog)."""
        reasons = [f"signal.{name} is replaced" for name, function in ORIGINAL.items()
                   if getattr(signal, name, None) is not function]
        if HAS_ALARM:
            handler = ORIGINAL["getsignal"](signal.SIGALRM)
            if handler is not self.handler:
                reasons.append(f"the SIGALRM handler is {describe_handler(handler)}")
            if alarm_blocked_in(threading.main_thread()):
                reasons.append("SIGALRM is blocked in the main thread")
        if self.fired:
            reasons.append(f"the alarm went off {self.fired} time(s), and each time the "
                           f"timeout was swallowed")
        return "; ".join(reasons) or ("the alarm never ended the test (a call no signal "
                                      "interrupts, or no alarm on this platform)")


@dataclass(frozen=True)
class InFlight:
    """The test the watchdog watches."""

    item: Any
    started: float  # time.monotonic()
    deadline: float
    why_not: Callable[[], str]  # why the alarm did not stop it, asked at expiry


class Watchdog:
    """A daemon thread that calls ``expire(test, elapsed)`` once, when the test in flight
    passed its deadline; ``expire`` is expected to end the process. If it raises, the
    error is printed and the process ends anyway: a watchdog that stopped watching would
    let the run hang silently."""

    def __init__(self, expire: Callable[[InFlight, float], None]) -> None:
        self._expire = expire
        self._lock = threading.Lock()
        self._current: InFlight | None = None
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="runcert-watchdog", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def watch(self, item: Any, limit: float, why_not: Callable[[], str]) -> None:
        now = time.monotonic()
        with self._lock:
            self._current = InFlight(item, now, now + overrun_deadline(limit), why_not)

    def clear(self) -> None:
        with self._lock:
            self._current = None

    def stop(self) -> None:
        self._stopped.set()

    def _run(self) -> None:
        while not self._stopped.wait(POLL):
            with self._lock:
                current = self._current
            now = time.monotonic()
            if current is None or now < current.deadline:
                continue
            try:
                self._expire(current, now - current.started)
            except BaseException:  # shown, then the process ends: the run must not hang on
                traceback.print_exc()
            sys.stderr.write("runcert: the watchdog could not end the run cleanly; exiting\n")
            sys.stderr.flush()
            os._exit(int(pytest.ExitCode.INTERNAL_ERROR))

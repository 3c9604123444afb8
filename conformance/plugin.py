"""The pytest front door: ``pytest --impl=NAME`` certifies NAME rule by rule.

Without ``--impl`` this plugin only registers its options and markers and stays out of
the way of a project's own tests.
"""

from __future__ import annotations

import math
import os
import random
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from conformance import aio, checks, loops, report, scheduling, selection
from conformance.adapter import Adapter
from conformance.checks import (
    ImplementationRaised, ImplementationTampered, ImplementationTimeout, RuleViolation,
    TestContext, tampering,
)
from conformance.outcomes import (
    DESELECTED, DEVIATION_FIXED, FAIL, FAILING, KNOWN_DEVIATION, NA_PREFIX,
    NOT_APPLICABLE, NOT_RUN,
    OPTIONAL_UNMET, PASS, SEVERITY, SYMBOL, TIMEOUT, RuleResult, TestVerdict, aggregate,
    totals,
)
from conformance.resolve import ResolutionError, resolve
from conformance.rules import RULE_ID, catalogue, contract_rules
from conformance.watchdog import HAS_ALARM, ORIGINAL, AlarmGuard, InFlight, Watchdog

KIT = Path(__file__).resolve().parent  # holds every packaged suite: <half>/suites/, suites/user/
PROFILES = {"fast": 15, "default": 60, "thorough": 400}

adapter_key = pytest.StashKey[Adapter]()
verdicts_key = pytest.StashKey[list[TestVerdict]]()
context_key = pytest.StashKey[TestContext]()
leak_failed_key = pytest.StashKey[bool]()  # the test failed on a leak alone
started_key = pytest.StashKey[float]()
partial_key = pytest.StashKey[bool]()  # paths given, tests deselected or rules selected
patterns_key = pytest.StashKey[list[str]]()  # the --runcert-rules patterns ([]: none)
selected_key = pytest.StashKey["frozenset[str] | None"]()  # the rules they name (None: all)
cited_key = pytest.StashKey[set[str]]()  # rules cited by the collected tests, before selection
timeouts_key = pytest.StashKey[int]()
exit_key = pytest.StashKey[int]()
early_key = pytest.StashKey["str | None"]()  # why the run ended early (None: it did not)
expected_key = pytest.StashKey[set[str]]()  # node IDs of the tests selected to run
finished_key = pytest.StashKey[set[str]]()  # node IDs of the tests that ran to an outcome
sigint_key = pytest.StashKey[Any]()  # the SIGINT handler the plugin replaced
sigint_handler_key = pytest.StashKey[Any]()  # the plugin's own SIGINT handler
watchdog_key = pytest.StashKey[Watchdog]()
tampered_key = pytest.StashKey[str]()  # the test changed the time limit's machinery (a note)
threads_key = pytest.StashKey[list[threading.Thread]]()  # left running by tests
_user_interrupt = False  # a SIGINT reached the process (a real Ctrl-C)
_depth = 0  # nesting of pytest sessions in this process (pytester runs in-process)

# The rule a task left pending violates, per contract: the async manager's "no leaked
# tasks" and the run stream's "no background pulls ... no task left pending".
LEAK_RULES = {"CB": "CB-ASYNC-4", "RS": "RS-PUMP-2"}


def _register_profiles() -> None:
    from hypothesis import HealthCheck, settings

    for name, examples in PROFILES.items():
        settings.register_profile(
            f"runcert-{name}",
            # Not Hypothesis' "ci" profile, loaded by itself when $CI is set: its derandomize
            # would draw other examples than the seed the header and the report name.
            parent=settings.get_profile("default"),
            derandomize=False,
            max_examples=examples,
            deadline=None,  # shared 2-core machines: timing-based deadlines are flaky
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            print_blob=True,
        )


_register_profiles()


# -- options -----------------------------------------------------------------------------

def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("runcert", "runcert conformance certification")
    group.addoption("--impl", dest="runcert_impl", metavar="NAME", default=None,
                    help="certify implementation NAME (built-in: reference, langchain_core; "
                         "an entry point of group runcert.adapters; or pkg.module[:attr])")
    group.addoption("--runcert-timeout", dest="runcert_timeout", default=None,
                    metavar="SECONDS", help="time limit of one conformance test (default 60)")
    group.addoption("--runcert-await-timeout", dest="runcert_await_timeout",
                    default=None, metavar="SECONDS",
                    help="time limit of one await on the implementation (default 5)")
    group.addoption("--runcert-profile", dest="runcert_profile", default=None,
                    choices=sorted(PROFILES), help="Hypothesis profile (default: default)")
    group.addoption("--runcert-report", dest="runcert_report", default=None, metavar="PATH",
                    help="write the per-rule results as JSON to PATH")
    group.addoption("--runcert-transcripts", dest="runcert_transcripts", default=None,
                    metavar="DIR", help="also replay the transcripts in DIR (your own "
                                        "regression cases, same format as the packaged ones)")
    group.addoption("--runcert-counterexamples", dest="runcert_counterexamples", default=None,
                    metavar="DIR", help="write the shrunk counterexample of a failing property "
                                        "or state machine as a replayable transcript into DIR")
    parser.addini("runcert_transcripts", "a directory of your own transcripts to replay",
                  default="")
    parser.addini("runcert_counterexamples", "where shrunk counterexamples are written",
                  default="")
    parser.addini("runcert_timeout", "time limit of one conformance test, seconds", default="60")
    parser.addini("runcert_await_timeout", "time limit of one await, seconds", default="5")
    parser.addini("runcert_profile", "Hypothesis profile: fast, default, thorough",
                  default="default")
    parser.addini("runcert_report", "write the per-rule results as JSON here", default="")
    group.addoption("--runcert-strict", dest="runcert_strict", action="store_true",
                    default=False, help="fail the run on SHOULD/MAY rules too (optional unmet "
                                        "becomes fail): for implementations that claim every rule")
    group.addoption("--runcert-rules", dest="runcert_rules", default=None, metavar="PATTERNS",
                    help="certify only these rules: comma-separated rule IDs (CB-ID-1), globs "
                         "(CB-SCOPE-*) or areas (RS-BP); the others show as deselected")
    parser.addini("runcert_rules", "certify only these rules (IDs, globs or areas)", default="")
    group.addoption("--runcert-fifo", dest="runcert_fifo", action="store_true", default=False,
                    help="no controlled scheduling: every run-stream scenario runs in "
                         "asyncio's own FIFO order (to compare, or to tell an ordering bug "
                         "from another)")


def _setting(config: pytest.Config, name: str) -> Any:
    value = config.getoption(name)
    return value if value not in (None, "") else config.getini(name)


#: Time-limit settings -> (option, accepted range in seconds). Below the minimum a timer
#: fires before any test can start (the alarm re-arms itself); above the maximum
#: ``setitimer`` overflows; NaN and infinity are no time limits at all.
TIME_LIMITS = {"runcert_timeout": ("--runcert-timeout", 0.1, 86400.0),
               "runcert_await_timeout": ("--runcert-await-timeout", 0.01, 86400.0)}


def time_limit(config: pytest.Config, name: str) -> float:
    """A time-limit setting in seconds, or one usage error naming the option, the value
    and the accepted range (the command-line option or, when it is not given, the ini
    value)."""
    option, low, high = TIME_LIMITS[name]
    given = config.getoption(name)
    raw = given if given not in (None, "") else config.getini(name)
    where = f"{option}={raw}" if given not in (None, "") else f"ini {name} = {raw}"
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = math.nan
    if not low <= value <= high:  # False for NaN
        raise pytest.UsageError(
            f"runcert: {where}: expected a number of seconds from {low:g} to {high:g}")
    return value


def directory_setting(config: pytest.Config, name: str) -> Path | None:
    """``--runcert-transcripts`` / ``--runcert-counterexamples`` (or their ini values)."""
    value = _setting(config, name)
    return Path(value) if value else None


def strict(config: pytest.Config) -> bool:
    """``--runcert-strict``: a SHOULD/MAY violation is a failure, not "optional unmet"."""
    return bool(config.getoption("runcert_strict", False))


def active(config: pytest.Config) -> bool:
    return adapter_key in config.stash


def is_worker(config: pytest.Config) -> bool:
    """A pytest-xdist worker: runs tests and ships verdicts; the controller reports."""
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    global _depth
    _depth += 1
    config.addinivalue_line("markers", "rule(*ids): the spec rules a conformance test checks")
    config.addinivalue_line(
        "markers", "requires(*capabilities): adapter capabilities the test needs")


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    name = config.getoption("runcert_impl")
    if name is None:
        return
    limits = {option: time_limit(config, option) for option in TIME_LIMITS}
    try:
        adapter = resolve(name)
    except ResolutionError as exc:
        raise pytest.UsageError(f"runcert: {exc}") from None
    rules = catalogue()
    unknown = sorted(set(adapter.deviations) - set(rules))
    if unknown:
        raise pytest.UsageError(
            f"runcert: --impl={name} lists deviations for rules that do not exist: {unknown}")
    _refuse_recording(config, adapter)
    outside = sorted(set(adapter.deviations) - set(contract_rules()))
    if outside:
        raise pytest.UsageError(
            f"runcert: --impl={name} lists deviations for rules outside the contract "
            f"(TR- rules specify the kit's transcript format): {outside}")
    profile = _setting(config, "runcert_profile")
    if profile not in PROFILES:
        raise pytest.UsageError(
            f"runcert: unknown profile {profile!r}; valid choices: {', '.join(PROFILES)}")
    patterns = selection.parse(_setting(config, "runcert_rules"))
    try:
        config.stash[selected_key] = (selection.select(patterns, contract_rules())
                                      if patterns else None)
    except selection.SelectionError as exc:
        raise pytest.UsageError(f"runcert: --runcert-rules: {exc}") from None
    config.stash[patterns_key] = patterns
    config.stash[cited_key] = set()
    config.stash[adapter_key] = adapter
    config.stash[verdicts_key] = []
    config.stash[timeouts_key] = 0
    config.stash[expected_key] = set()
    config.stash[finished_key] = set()
    config.stash[threads_key] = []
    config.stash[started_key] = time.time()
    aio.AWAIT_TIMEOUT = limits["runcert_await_timeout"]
    scheduling.CONTROLLED = not config.getoption("runcert_fifo")
    from hypothesis import settings

    settings.load_profile(f"runcert-{profile}")
    _choose_seed(config)
    paths_given = config.args_source == pytest.Config.ArgsSource.ARGS
    config.stash[partial_key] = paths_given or bool(patterns)
    if not paths_given:
        config.args = [str(KIT)]  # no paths given: run the packaged suites
    _quiet_neighbours(config)
    if not is_worker(config):
        config.pluginmanager.register(_VerdictCollector(config), "runcert-verdicts")


RECORDING_OPTIONS = ("update_snapshots", "update_new_snapshots_only")  # syrupy's


def _refuse_recording(config: pytest.Config, adapter: Adapter) -> None:
    """``--snapshot-update`` records the golden transcripts from the reference; with any
    other implementation it would turn every transcript test into a failure (or, were
    it allowed, rewrite the truth from the implementation under test): one usage error."""
    given = [o for o in RECORDING_OPTIONS if getattr(config.option, o, False)]
    if given and adapter.name != "reference":
        raise pytest.UsageError(
            f"runcert: --snapshot-update records the golden transcripts from "
            f"--impl=reference only; it is not an option of a certification "
            f"(--impl={config.getoption('runcert_impl')})")


def _choose_seed(config: pytest.Config) -> None:
    """A fresh Hypothesis seed unless given; xdist workers use the controller's."""
    if not hasattr(config.option, "hypothesis_seed"):
        return
    shared = getattr(config, "workerinput", {}).get("runcert_seed")
    if shared is not None:
        config.option.hypothesis_seed = shared
    elif config.option.hypothesis_seed is None:
        config.option.hypothesis_seed = random.randrange(2**32)  # shown in the header


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist controller: every worker runs with the seed the header shows."""
    config = node.config
    if active(config):
        node.workerinput["runcert_seed"] = getattr(config.option, "hypothesis_seed", None)


def _quiet_neighbours(config: pytest.Config) -> None:
    """Settings of other plugins that a certification run needs."""
    if hasattr(config.option, "warn_unused_snapshots"):
        # golden transcripts not replayed in a partial run are not an error
        config.option.warn_unused_snapshots = True
    try:  # the suites use no async fixtures; silence pytest-asyncio's unset-scope warning
        if not config.getini("asyncio_default_fixture_loop_scope"):
            config._inicache["asyncio_default_fixture_loop_scope"] = "function"
    except (ValueError, AttributeError):
        pass


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    if not active(config):
        return None
    a = config.stash[adapter_key]
    return [
        f"runcert: implementation {a.name} {a.version}"
        + (f" ({a.description})" if a.description else ""),
        f"runcert: capabilities: {', '.join(sorted(a.capabilities)) or 'none'}",
        f"runcert: known deviations: {len(a.known_deviations)}"
        + (f" (manifest for {a.name} {a.supported})" if a.supported else ""),
        f"runcert: hypothesis profile runcert-{_setting(config, 'runcert_profile')}, "
        f"seed {getattr(config.option, 'hypothesis_seed', None)}",
        f"runcert: time limits: {time_limit(config, 'runcert_timeout'):g}s per test, "
        f"{aio.AWAIT_TIMEOUT:g}s per await",
    ] + _selection_header(config)


def _selection_header(config: pytest.Config) -> list[str]:
    selected = config.stash[selected_key]
    if selected is None:
        return []
    return [f"runcert: rules selected: {','.join(config.stash[patterns_key])} "
            f"({len(selected)} of {len(contract_rules())})"]


# -- collection --------------------------------------------------------------------------

def cited_rules(item: pytest.Item) -> list[str]:
    ids: list[str] = []
    for mark in item.iter_markers("rule"):
        ids.extend(a for a in mark.args if a not in ids)
    return ids


@pytest.hookimpl(trylast=True)  # after -k/-m deselection
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not active(config):
        return
    adapter = config.stash[adapter_key]
    rules = catalogue()
    for item in items:
        ids = cited_rules(item)
        bad = [r for r in ids if r not in rules or not RULE_ID.fullmatch(r)]
        if bad:
            raise pytest.UsageError(f"runcert: {item.nodeid} cites unknown rules {bad}")
        config.stash[cited_key].update(ids)
        item.user_properties.extend(("rule", r) for r in ids)  # JUnit XML properties
        missing = list(dict.fromkeys(  # each once: a lane's mark and a handler kind's
            c for m in item.iter_markers("requires") for c in m.args if not adapter.has(c)))
        if missing:
            item.add_marker(pytest.mark.skip(
                reason=f"{NA_PREFIX}{adapter.name} does not declare {', '.join(missing)}"))
    _select(config, items)


def _select(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the conformance tests that cite none of the selected rules."""
    selected = config.stash[selected_key]
    if selected is None:
        return
    keep, drop = [], []
    for item in items:
        ids = cited_rules(item)
        (drop if ids and selected.isdisjoint(ids) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_deselected(items: list[pytest.Item]) -> None:
    if items and active(items[0].config):
        items[0].config.stash[partial_key] = True


def pytest_collection_finish(session: pytest.Session) -> None:
    config = session.config
    if active(config) and not is_worker(config):
        config.stash[expected_key].update(item.nodeid for item in session.items)
    if active(config) and not any(cited_rules(i) for i in session.items):
        patterns = config.stash[patterns_key]
        raise pytest.UsageError(
            f"runcert: --impl={config.getoption('runcert_impl')} collected no conformance "
            f"test (paths: {' '.join(config.args)}"
            + (f"; rules: {','.join(patterns)}" if patterns else "")
            + "); a certification that runs nothing certifies nothing")


# -- running -----------------------------------------------------------------------------

def _on_sigint(previous: Any) -> Any:
    """A SIGINT handler that remembers a real Ctrl-C, then does what ``previous`` did."""

    def on_sigint(signum: int, frame: Any) -> None:
        global _user_interrupt
        _user_interrupt = True
        if callable(previous):
            previous(signum, frame)
        raise KeyboardInterrupt

    return on_sigint


def pytest_sessionstart(session: pytest.Session) -> None:
    """Tell the user's Ctrl-C from a ``KeyboardInterrupt`` the implementation raises:
    only the first reaches the process as SIGINT (the handler is restored at the end).
    And start the watchdog (see :func:`_overrun`)."""
    global _user_interrupt
    config = session.config
    if not active(config):
        return
    watchdog = Watchdog(lambda test, elapsed: _overrun(config, test, elapsed))
    watchdog.start()
    config.stash[watchdog_key] = watchdog
    loops.start()
    if threading.current_thread() is not threading.main_thread():
        return
    _user_interrupt = False
    previous = ORIGINAL["getsignal"](signal.SIGINT)
    if previous in (signal.SIG_IGN, None):
        return  # SIGINT ignored: any KeyboardInterrupt comes from the implementation
    handler = _on_sigint(previous)
    ORIGINAL["signal"](signal.SIGINT, handler)
    config.stash[sigint_key] = previous
    config.stash[sigint_handler_key] = handler


def _restore_sigint(config: pytest.Config) -> None:
    previous = config.stash.get(sigint_key, None)
    if previous is not None and threading.current_thread() is threading.main_thread():
        ORIGINAL["signal"](signal.SIGINT, previous)
        del config.stash[sigint_key]
        del config.stash[sigint_handler_key]


def raised_by_implementation(exc: BaseException) -> ImplementationRaised | None:
    """What a test let through that would stop the session, when the implementation
    raised it: a ``BaseException`` that is neither an ``Exception``, nor a verdict of the
    kit, nor a pytest outcome (skip, fail, exit), nor the user's Ctrl-C."""
    from _pytest.outcomes import OutcomeException

    if isinstance(exc, (Exception, OutcomeException, BaseExceptionGroup, *checks.VERDICTS)):
        return None
    if isinstance(exc, KeyboardInterrupt) and _user_interrupt:
        return None
    return ImplementationRaised(exc)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Run one conformance test under its time limit: the alarm (where there is one)
    raises a timeout in the test, the watchdog ends the run if the alarm cannot (see
    :mod:`conformance.watchdog`). What the test leaves behind is a finding: tasks or
    threads still running, the time limit's machinery tampered with, a timeout it
    swallowed."""
    config = item.config
    if not active(config) or not cited_rules(item):
        return (yield)
    ctx = TestContext(deviations=frozenset(config.stash[adapter_key].known_deviations),
                      leaks=[])
    item.stash[context_key] = ctx
    checks.set_context(ctx)
    limit = time_limit(config, "runcert_timeout")
    guard = (AlarmGuard(limit, _kit_handlers(config))
             if HAS_ALARM and threading.current_thread() is threading.main_thread() else None)
    changed = guard.arm() if guard else []
    watchdog = config.stash.get(watchdog_key, None)
    if watchdog is not None:
        watchdog.watch(item, limit, guard.why_not if guard else
                       lambda: "there is no alarm on this platform or in this thread")
    before = set(threading.enumerate())
    loops.begin()
    try:
        try:
            result = yield
        except BaseException as exc:
            if guard:
                guard.disarm()
                changed += guard.check()
            left_running(item, before)
            left_open(item)
            surfaced = raised_by_implementation(exc) or (
                swallowed_timeout(guard, exc) if isinstance(exc, Exception) else None)
            if ctx.leaks:
                (surfaced or exc).add_note(f"also: {leak_note(ctx)}")
            if changed:
                item.stash[tampered_key] = tampering(changed)
                (surfaced or exc).add_note(f"also: {item.stash[tampered_key]}")
            if surfaced is not None:
                raise surfaced from exc
            raise
        if guard:
            guard.disarm()
            changed += guard.check()
        left_running(item, before)
        left_open(item)
        if (swallowed := swallowed_timeout(guard, None)) is not None:
            raise swallowed
        if changed:
            raise ImplementationTampered(changed)
        report_leaks(item, ctx)
        return result
    finally:
        if watchdog is not None:
            watchdog.clear()
        if guard:
            guard.remove()
        checks.set_context(TestContext())


def _kit_handlers(config: pytest.Config) -> dict[int, Any]:
    """The signal handlers besides the alarm's that a test must leave in place."""
    handler = config.stash.get(sigint_handler_key, None)
    return {signal.SIGINT: handler} if handler is not None else {}


def swallowed_timeout(guard: AlarmGuard | None,
                      exc: BaseException | None) -> ImplementationTimeout | None:
    """The timeout of a test whose alarm went off, yet that ended without it (it passed,
    or failed with an error of the implementation): the implementation caught the kit's
    timeout and went on. A test that overran its limit never passes."""
    if guard is None or not guard.fired:
        return None
    if exc is not None and any(isinstance(e, ImplementationTimeout) for e in _leaves(exc)):
        return None
    return ImplementationTimeout(
        f"timeout: the test did not finish within {guard.limit:g}s (the alarm went off "
        f"{guard.fired} time(s) and the implementation swallowed the timeout)")


def _overrun(config: pytest.Config, test: InFlight, elapsed: float) -> None:
    """The watchdog's end of a run whose test in flight the alarm could not stop.

    The test is a timeout of every rule it cites, the run ended early; the report is
    written as it stands, one line on stderr says what happened, and the process ends
    (``os._exit``: the main thread is stuck in the implementation). In a pytest-xdist
    worker, the controller reports the worker's end as a crash of the test's rules and
    the run goes on with a new worker.
    """
    _release_output(config)
    item = test.item
    limit = time_limit(config, "runcert_timeout")
    why = test.why_not()
    line = (f"runcert: watchdog: {item.nodeid} was still running {elapsed:.0f}s after it "
            f"started, past its {limit:g}s time limit, which could not stop it ({why}); ")
    if is_worker(config):
        _exit_now(line + "ending this worker", int(pytest.ExitCode.INTERRUPTED))
    message = (f"timeout: the test did not finish within {limit:g}s, and the time limit "
               f"could not stop it ({why}); the watchdog ended the run after {elapsed:.0f}s")
    cited = [r for r in cited_rules(item) if r in contract_rules()]
    config.stash[verdicts_key].append(TestVerdict(
        item.nodeid, {r: TIMEOUT for r in cited}, duration=elapsed, failed=True,
        message="; ".join(f"{r}: {message}" for r in cited) or message))
    config.stash[finished_key].add(item.nodeid)
    config.stash[timeouts_key] += 1
    config.stash[partial_key] = True
    config.stash[early_key] = ended_early(config, int(pytest.ExitCode.INTERRUPTED),
                                          f"the watchdog ended the run: {item.nodeid} "
                                          f"overran its time limit")
    config.stash[exit_key] = int(pytest.ExitCode.INTERRUPTED)
    path = _setting(config, "runcert_report")
    if path:
        report.write(Path(path), report.build(run_info(config), concerned(config)))
        line += f"report written to {path}; "
    final, markup = final_line(config)
    terminal = config.pluginmanager.get_plugin("terminalreporter")
    if terminal is not None:
        terminal.ensure_newline()  # the test in flight's progress line is unfinished
        terminal.write_line(final, bold=True, **markup)
    else:
        sys.stdout.write(final + "\n")
    _exit_now(line + "exiting", config.stash[exit_key])


def _release_output(config: pytest.Config) -> None:
    """Stop pytest's capture of stdout and stderr, so that what the watchdog writes
    reaches the terminal (the captured output of the test in flight is lost with the
    process anyway)."""
    capture = config.pluginmanager.get_plugin("capturemanager")
    if capture is not None:
        capture.suspend_global_capture(in_=False)


def _exit_now(line: str, status: int) -> None:
    """Write ``line`` to stderr, flush both streams and end the process at once."""
    sys.stdout.flush()
    sys.stderr.write(line + "\n")
    sys.stderr.flush()
    os._exit(status)


THREAD_GRACE = 0.5  # seconds a thread started by a test may take to end after it


def left_running(item: pytest.Item, before: set[threading.Thread]) -> None:
    """Non-daemon threads the test started that are still running after it (given a
    short grace to end): a finding like a leaked task (see :func:`report_leaks`), kept
    for the end of the run, where they would keep the process from exiting."""
    started = [t for t in threading.enumerate()
               if t not in before and not t.daemon and t.is_alive()]
    if not started:
        return
    deadline = time.monotonic() + THREAD_GRACE
    for thread in started:
        if not _idle_pool_worker(thread):
            thread.join(max(0.0, deadline - time.monotonic()))
    alive = running(started)
    if not alive:
        return
    item.config.stash[threads_key].extend(alive)
    ctx = item.stash.get(context_key, None)
    if ctx is not None and ctx.leaks is not None:
        ctx.leaks.append(describe_threads(alive))


def left_open(item: pytest.Item) -> None:
    """Event loops the test created and did not close: a finding like a leaked task
    (see :mod:`conformance.loops`)."""
    found = loops.unclosed()
    ctx = item.stash.get(context_key, None)
    if found and ctx is not None and ctx.leaks is not None:
        ctx.leaks.append(loops.describe(found))


def _idle_pool_worker(thread: threading.Thread) -> bool:
    """A ``ThreadPoolExecutor`` worker waiting for work: a pool kept for reuse (such as
    langchain_core's executor for async handlers), which ends at interpreter exit. Its
    innermost Python frame is the pool's worker loop itself; a worker running a task
    (a hung handler) is deeper."""
    from concurrent.futures import thread as pool

    frame = sys._current_frames().get(thread.ident or -1)
    return frame is not None and frame.f_code is pool._worker.__code__


def running(threads: list[threading.Thread]) -> list[threading.Thread]:
    """The non-daemon threads of ``threads`` still at work (not idle in a pool)."""
    return [t for t in threads if t.is_alive() and not t.daemon and not _idle_pool_worker(t)]


def describe_threads(threads: list[threading.Thread]) -> str:
    def target(t: threading.Thread) -> str:
        fn = getattr(t, "_target", None)
        return getattr(fn, "__qualname__", None) or type(t).__qualname__

    names = ", ".join(sorted(f"{t.name} ({target(t)})" for t in threads))
    return f"the implementation left {len(threads)} non-daemon thread(s) running: {names}"


def leak_rule(item: pytest.Item) -> str:
    """The rule a leaked task of ``item``'s scenarios violates (by the contract it tests)."""
    return LEAK_RULES["RS" if any(r.startswith("RS-") for r in cited_rules(item)) else "CB"]


def leak_note(ctx: TestContext) -> str:
    """The first leak the test's scenarios showed, and how many showed one."""
    leaks = ctx.leaks or []
    more = f" (after {len(leaks)} scenarios)" if len(leaks) > 1 else ""
    return leaks[0] + more if leaks else ""


def report_leaks(item: pytest.Item, ctx: TestContext) -> None:
    """A test whose checks all held fails on the tasks its scenarios left pending.

    A leak is its own finding, never in place of the check that failed first: when a
    check failed (or confirmed a listed deviation) the leak is a note on that failure
    (see :func:`classify`); otherwise it fails the leak rule here, naming the tasks.
    """
    if not ctx.leaks or ctx.confirmed:
        return
    item.stash[leak_failed_key] = True
    checks.check(leak_rule(item), False, leak_note(ctx))


def pytest_report_teststatus(report: pytest.TestReport,
                             config: pytest.Config) -> tuple[str, str, str] | None:
    """A test whose only findings are SHOULD/MAY rules unmet counts as "optional unmet"
    in pytest's own summary line (and ``~``, ``OPTIONAL UNMET`` in its progress), not as
    "skipped": it ran, and found something. Known deviations stay "xfailed"."""
    data = getattr(report, "runcert_verdict", None)
    if report.when != "call" or not report.skipped or not isinstance(data, dict):
        return None
    outcomes = set(data.get("outcomes", {}).values())
    if OPTIONAL_UNMET in outcomes and outcomes <= {OPTIONAL_UNMET, KNOWN_DEVIATION}:
        return OPTIONAL_UNMET, "~", "OPTIONAL UNMET"
    return None


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for sub in exc.exceptions for leaf in _leaves(sub)]
    return [exc]


def transcript_of(exc: BaseException) -> str | None:
    """The reproducing transcript an exception names: its ``transcript`` attribute (see
    :class:`RuleViolation`) or a ``transcript=<path>`` note."""
    path = getattr(exc, "transcript", None)
    if isinstance(path, (str, os.PathLike)) and str(path):
        return str(path)
    for note in getattr(exc, "__notes__", None) or ():
        if isinstance(note, str) and note.startswith("transcript="):
            return note.removeprefix("transcript=").strip() or None
    return None


def _transcripts(leaves: list[BaseException], violated: dict[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for leaf in leaves:
        path = transcript_of(leaf)
        if not path:
            continue
        rid = getattr(leaf, "rule", None)
        for r in ([rid] if rid in violated else list(violated)):
            found.setdefault(r, path)
    return found


def describe(exc: BaseException) -> str:
    """The first line of a failure, with the exception's type name unless it is one of
    the kit's own findings (whose message names the rule or the time limit)."""
    text = str(exc).splitlines()[0] if str(exc).strip() else ""
    if isinstance(exc, (RuleViolation, ImplementationRaised, ImplementationTampered,
                        *checks.VERDICTS)):
        return text or type(exc).__name__
    name = type(exc).__name__
    return f"{name}: {text}" if text and not text.startswith(name) else (text or name)


def classify(item: pytest.Item, call: pytest.CallInfo[None], rep: pytest.TestReport,
             adapter: Adapter) -> TestVerdict:
    """Turn one test's result into per-rule outcomes (and adjust the report).

    A listed deviation is *known* only where its own check failed: ``check(rule, ...)``
    recorded it (``TestContext.confirmed``) or raised a :class:`RuleViolation` of that
    rule. Any other failure of a test citing it (another exception, a timeout, a leak)
    is what it is: a release that fixed the deviation but broke something else, or a
    new bug on a listed rule, must not read as the deviation the manifest describes.
    """
    rules = contract_rules()
    cited = [r for r in cited_rules(item) if r in rules]  # TR- rules: no outcome (see rules)
    ctx = item.stash.get(context_key, TestContext())
    confirmed = {r: m for r, m in ctx.confirmed}
    verdict = TestVerdict(rep.nodeid, {}, duration=rep.duration)
    if rep.skipped:
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        outcome = NOT_APPLICABLE if NA_PREFIX in reason else None
        if outcome:
            verdict.outcomes = {r: outcome for r in cited}
        verdict.message = reason
        return verdict
    leaked = f"; also: {leak_note(ctx)}" if ctx.leaks else ""
    if rep.passed:
        verdict.outcomes = {r: KNOWN_DEVIATION if r in confirmed else PASS for r in cited}
        if confirmed:
            verdict.message = "; ".join(f"{r}: {m}" for r, m in confirmed.items()) + leaked
            rep.outcome, rep.wasxfail = "skipped", f"known deviation: {verdict.message}"
        return verdict
    leaves = _leaves(call.excinfo.value) if call.excinfo else []
    timed_out = any(isinstance(e, ImplementationTimeout) for e in leaves)
    own_checks = bool(leaves) and all(isinstance(e, RuleViolation) for e in leaves)
    text = describe(leaves[0]) if leaves else "failed"
    if own_checks:
        violated = {e.rule: e.message for e in leaves  # type: ignore[attr-defined]
                    if e.rule in rules}  # type: ignore[attr-defined]
    elif timed_out and all(getattr(e, "rule", None) in rules for e in leaves):
        # a timeout the kit could attribute (a transcript step citing its rule)
        violated = {e.rule: str(e) for e in leaves}  # type: ignore[attr-defined]
    else:
        violated = {r: text for r in cited}
    outcomes: dict[str, str] = {}
    for rid, message in violated.items():
        rule = rules.get(rid)
        if timed_out:
            outcomes[rid] = TIMEOUT
        elif own_checks and rid in adapter.known_deviations:
            outcomes[rid] = KNOWN_DEVIATION  # confirmed: the rule's own check failed
        elif rule is not None and not rule.normative and not strict(item.config):
            outcomes[rid] = OPTIONAL_UNMET
        else:
            outcomes[rid] = FAIL
    for rid in confirmed:
        outcomes.setdefault(rid, KNOWN_DEVIATION)
    if item.stash.get(leak_failed_key, False):
        leaked = ""  # the leak is the failure itself; every check of the test held
        for rid in cited:
            outcomes.setdefault(rid, PASS)
    elif own_checks:  # stopped on another rule's finding (a premise): its own not judged
        for rid in cited:
            outcomes.setdefault(rid, NOT_RUN)
    tampered = f"; also: {item.stash[tampered_key]}" if tampered_key in item.stash else ""
    verdict.outcomes = outcomes
    verdict.message = "; ".join(f"{r}: {m}" for r, m in violated.items()) + leaked + tampered
    if not outcomes:  # a failure on no rule of the contract: reported apart (summary)
        verdict.message = text
        return verdict
    verdict.transcripts = _transcripts(leaves, violated)
    kinds = set(outcomes.values()) - {NOT_RUN}  # a premise's finding decides the test
    if kinds <= {KNOWN_DEVIATION}:
        rep.outcome = "skipped"
        rep.wasxfail = "known deviation: " + "; ".join(
            f"{r} ({adapter.known_deviations.get(r, '')})" for r in outcomes)
    elif kinds <= {KNOWN_DEVIATION, OPTIONAL_UNMET}:
        path, line, _ = item.location
        rep.outcome = "skipped"
        rep.longrepr = (str(item.path), (line or 0) + 1, f"optional unmet: {verdict.message}")
    else:
        rep.sections.append(("runcert", "rule outcomes: " + ", ".join(
            f"{r}={o}" for r, o in outcomes.items())))
    return verdict


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    config = item.config
    try:
        rep = yield
    except (SystemError, RecursionError):
        if not active(config):
            raise
        # Formatting the failure itself crashed (seen with CPython 3.11.7's AST after a
        # runaway implementation): fall back to a native traceback rather than stop the run.
        saved, config.option.tbstyle = config.option.tbstyle, "native"
        try:
            rep = pytest.TestReport.from_item_and_call(item, call)
        finally:
            config.option.tbstyle = saved
    if not active(config) or not cited_rules(item):
        return rep
    if rep.when == "call" or (rep.when == "setup" and not rep.passed):
        verdict = classify(item, call, rep, config.stash[adapter_key])
        verdict.failed = rep.failed
        # Shipped with the report: under xdist it reaches the controller (reports are
        # serialised with their attributes), which aggregates in pytest_runtest_logreport.
        rep.runcert_verdict = asdict(verdict)
        item.user_properties.extend(
            ("rule_outcome", f"{r}: {o}") for r, o in verdict.outcomes.items())
        if TIMEOUT in verdict.outcomes.values():
            config.stash[timeouts_key] += 1
    return rep


class _VerdictCollector:
    """Registered in the process that reports (not in xdist workers)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.cited: dict[str, list[str]] = {}  # node ID -> rules, from setup reports
        self.node_errors: dict[Any, str] = {}  # xdist gateway -> why its worker went down

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "setup" and report.passed:
            # what the test cites, in case its worker dies before the call ends
            self.cited[report.nodeid] = [v for k, v in report.user_properties if k == "rule"]
        if report.when == "call" or (report.when == "setup" and not report.passed):
            self.config.stash[finished_key].add(report.nodeid)
        if report.when == "???" and report.failed and not hasattr(report, "runcert_verdict"):
            report.runcert_verdict = asdict(self.crashed(report))  # type: ignore[attr-defined]
            self.config.stash[finished_key].add(report.nodeid)
        data = getattr(report, "runcert_verdict", None)
        if isinstance(data, dict):
            self.config.stash[verdicts_key].append(TestVerdict(**data))

    def crashed(self, report: pytest.TestReport) -> TestVerdict:
        """pytest-xdist's report of a test whose worker died while running it (the
        implementation called ``os._exit`` or crashed the interpreter): the failure of
        every rule the test cites (known from its setup report)."""
        rules = contract_rules()
        cited = [r for r in self.cited.get(report.nodeid, []) if r in rules]
        gateway = getattr(getattr(report, "node", None), "gateway", None)
        error = self.node_errors.get(gateway)
        message = (f"worker crashed: {getattr(gateway, 'id', 'the worker')} died while running "
                   f"this test (the implementation ended or crashed the process"
                   + (f"; {error})" if error else ")"))
        return TestVerdict(report.nodeid, {r: FAIL for r in cited},
                           message="; ".join(f"{r}: {message}" for r in cited) or message,
                           failed=True)

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        self.config.stash[expected_key].update(ids)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> Any:
        """After pytest's own summary line: the run's truth in one final line."""
        result = yield
        terminal = self.config.pluginmanager.get_plugin("terminalreporter")
        if terminal is not None and session.exitstatus != pytest.ExitCode.USAGE_ERROR:
            line, markup = final_line(self.config)
            terminal.write_line(line, bold=True, **markup)
        return result

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """What an xdist worker's collection found (see :func:`_worker_summary`)."""
        if error:
            self.node_errors[getattr(node, "gateway", None)] = str(error).strip().splitlines()[-1]
        found = getattr(node, "workeroutput", {}).get("runcert")
        if found:
            self.config.stash[cited_key].update(found["cited"])
            if found["partial"]:
                self.config.stash[partial_key] = True


# -- summary -----------------------------------------------------------------------------

def results(config: pytest.Config) -> dict[str, RuleResult]:
    """Per-rule results. Strictness (deviation fixed) needs every test of a rule, so a
    partial run reports an unconfirmed deviation as a pass with a note instead. With
    ``--runcert-rules``, an unselected rule is "deselected" (a test that ran for another
    rule does not certify it) unless a test saw it fail or time out."""
    adapter = config.stash[adapter_key]
    found = aggregate(contract_rules(), config.stash[verdicts_key],
                      dict(adapter.known_deviations))
    if config.stash[partial_key]:
        for r in found.values():
            if r.outcome == DEVIATION_FIXED:
                r.outcome = PASS
                r.messages.append("listed deviation not confirmed by the tests of this partial run")
    selected = config.stash[selected_key]
    if selected is not None:
        cited = config.stash[cited_key]
        for rid, r in found.items():
            if rid not in selected and r.outcome not in (FAIL, TIMEOUT) and (
                    r.tests or rid in cited):
                r.outcome = DESELECTED
                r.messages = ["not selected by --runcert-rules"]
                r.transcripts = []
    return found


def outside_failures(config: pytest.Config) -> list[TestVerdict]:
    """Failed tests that gave no rule of the contract an outcome: a user transcript that
    could not be read (its test cites the TR- rule it breaks). The run fails on them,
    but no rule's outcome would say why, so the summary lists them apart."""
    return [v for v in config.stash[verdicts_key] if v.failed and not v.outcomes]


def concerned(config: pytest.Config) -> dict[str, RuleResult]:
    """The rules this run says something about: those a test ran for, those selected, and
    those deselected (a partial run says nothing of the others)."""
    selected = config.stash[selected_key] or frozenset()
    return {rid: r for rid, r in results(config).items()
            if r.tests or rid in selected or r.outcome == DESELECTED}


def _worker_summary(config: pytest.Config) -> None:
    """An xdist worker hands its collection's findings to the controller."""
    config.workeroutput["runcert"] = {  # type: ignore[attr-defined]
        "cited": sorted(config.stash[cited_key]), "partial": config.stash[partial_key]}


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    if not active(config):
        return
    if watchdog_key in config.stash:
        config.stash[watchdog_key].stop()
        del config.stash[watchdog_key]
        loops.stop()
    _restore_sigint(config)
    if is_worker(config):
        config.stash[exit_key] = int(session.exitstatus)
        _worker_summary(config)
        return
    if stopped_early(session, exitstatus):
        config.stash[partial_key] = True  # -x, --maxfail or an interruption: tests not run
    early = ended_early(config, exitstatus)
    config.stash[early_key] = early
    if early:
        config.stash[partial_key] = True
    found = concerned(config)
    if any(r.outcome == DEVIATION_FIXED for r in found.values()) and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if early and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.INTERRUPTED  # a run that ended early never passes
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        # with xdist the workers collect: the controller reports the same usage error
        sys.stderr.write(f"ERROR: runcert: --impl={config.getoption('runcert_impl')} collected "
                         f"no conformance test; a certification that runs nothing certifies "
                         f"nothing\n")
        session.exitstatus = pytest.ExitCode.USAGE_ERROR
    config.stash[exit_key] = int(session.exitstatus)
    path = _setting(config, "runcert_report")
    if path:
        report.write(Path(path), report.build(run_info(config), found))


def ended_early(config: pytest.Config, exitstatus: int,
                stopper: str | None = None) -> str | None:
    """Why the run did not bring every selected test to an outcome (None: it did).

    A run that ended early certifies nothing, whatever the rules that ran say: a Ctrl-C,
    ``-x``/``--maxfail``, pytest-xdist giving up after too many crashed workers, the
    watchdog (``stopper`` says what stopped it), or anything else that stopped the
    session.
    """
    if config.option.collectonly:
        return None  # nothing was meant to run
    expected = config.stash[expected_key]
    missing = len(expected - config.stash[finished_key])
    interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
    if not missing and not interrupted:
        return None
    why = (stopper if stopper else "interrupted by the user" if interrupted and _user_interrupt
           else "interrupted" if interrupted else "the session stopped")
    if not missing:
        return why
    return f"{missing} of {len(expected)} selected tests did not run ({why})"


def stopped_early(session: pytest.Session, exitstatus: int) -> bool:
    """Whether the session stopped before running every collected test (``-x``,
    ``--maxfail``, Ctrl-C): such a run is partial, whatever its paths and selection."""
    return bool(session.shouldfail or session.shouldstop) or (
        exitstatus == pytest.ExitCode.INTERRUPTED)


def run_info(config: pytest.Config) -> report.RunInfo:
    started = config.stash[started_key]
    return report.RunInfo(
        adapter=config.stash[adapter_key],
        profile=_setting(config, "runcert_profile"),
        seed=getattr(config.option, "hypothesis_seed", None),
        started=started,
        duration=time.time() - started,
        exit_status=config.stash.get(exit_key, None),
        selection=config.stash[patterns_key] or None,
        partial=config.stash[partial_key],
        ended_early=config.stash.get(early_key, None),
    )


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Do not wait for implementation threads that are still running.

    A sync handler stuck in an executor thread past a timeout, or a non-daemon thread an
    implementation started and never ended, would keep the interpreter from exiting
    (non-daemon threads are joined at exit). After the report is written, a top-level
    run that has such threads (those its tests left running, see :func:`left_running`)
    says so and exits at once with its exit status.
    """
    global _depth
    _depth -= 1
    if _depth or not active(config):
        return
    hung = running(list(dict.fromkeys(config.stash.get(threads_key, []))))
    if not hung:
        return
    names = ", ".join(sorted({t.name for t in hung}))
    if config.stash.get(timeouts_key, 0):
        sys.stderr.write(f"runcert: {len(hung)} implementation thread(s) still hung after a "
                         f"timeout ({names}); exiting without waiting for them\n")
    else:
        sys.stderr.write(f"runcert: {len(hung)} implementation thread(s) still running at the "
                         f"end of the run ({names}); exiting without waiting for them\n")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(config.stash.get(exit_key, int(pytest.ExitCode.TESTS_FAILED)))


def final_line(config: pytest.Config) -> tuple[str, dict[str, bool]]:
    """The last line of every run, in every mode (``-q`` shows no header): what was
    certified (implementation, version, seed), how each rule ended (counts, worst
    first), whether the run was partial, and the verdict. pytest's own line above it
    counts tests, not rules: a SHOULD rule unmet is no failure there, a known deviation
    an "xfailed", and a partial run passes like a full one."""
    adapter = config.stash[adapter_key]
    found = concerned(config)
    ran = [r for r in found.values() if r.tests and r.outcome != DESELECTED]
    head = (f"runcert: {adapter.name} {adapter.version}, seed "
            f"{getattr(config.option, 'hypothesis_seed', None)}: ")
    if not ran:
        return head + "no rule ran: nothing is certified", {"red": True}
    counts = totals(found.values())
    parts = [worst_first(counts)]
    early = config.stash.get(early_key, None)
    if early:
        parts.append(f"ENDED EARLY: {early}")
    partial = config.stash[partial_key]
    if partial:
        parts.append(f"PARTIAL run: {len(ran)} of {len(contract_rules())} rules")
    unjudged = [r.rule.id for r in found.values() if r.outcome == NOT_RUN and r.tests]
    if unjudged:  # every test of theirs stopped on another rule's finding: not certified
        parts.append(f"not judged: {', '.join(unjudged)} (each test stopped on another "
                     f"rule's finding)")
    failing = [r for r in found.values() if r.outcome in FAILING]
    outside = outside_failures(config)
    deviations = counts.get(KNOWN_DEVIATION, 0)
    if failing:
        named = ", ".join(r.rule.id for r in failing[:5]) + (", ..." if len(failing) > 5 else "")
        verdict, markup = f"does NOT meet the contract (failing: {named})", {"red": True}
    elif early:
        verdict, markup = ("INCOMPLETE: the run ended before every selected test ran; "
                           "nothing is certified"), {"red": True}
    elif outside:
        verdict, markup = (f"the run FAILS ({len(outside)} test(s) failed on no rule of "
                           f"the contract)"), {"red": True}
    elif partial:
        verdict, markup = "meets every rule that ran (not a certification)", {"yellow": True}
    elif deviations:
        verdict, markup = f"meets the contract but for {deviations} known deviations", {
            "green": True}
    else:
        verdict, markup = "MEETS the contract", {"green": True}
    return head + "; ".join(parts + [f"verdict: {verdict}"]), markup


def _rule_line(r: RuleResult, adapter: Adapter) -> str:
    rule = r.rule
    line = f"  {SYMBOL[r.outcome]:>6} {rule.id:<13} {rule.level:<6} {r.outcome:<16} {rule.title}"
    if r.outcome in FAILING | {OPTIONAL_UNMET}:
        line += f"  <- {r.messages[0][:160] if r.messages else ''}"
    elif r.outcome == KNOWN_DEVIATION:
        line += f"  <- {adapter.known_deviations.get(r.rule.id, '')[:120]}"
    return line


def worst_first(counts: dict[str, int]) -> str:
    """``1 fail, 3 pass``: counts per outcome in the legend's order, worst first."""
    return ", ".join(f"{counts[o]} {o}" for o in SEVERITY if counts.get(o))


def _write_areas(tr: Any, found: dict[str, RuleResult], adapter: Adapter) -> None:
    by_area: dict[str, list[RuleResult]] = {}
    for rid in sorted(found, key=lambda r: (found[r].rule.file, found[r].rule.number)):
        by_area.setdefault(found[rid].rule.area, []).append(found[rid])
    for area, rows in by_area.items():
        counts = totals(rows)
        tr.write_line(f"{area} ({rows[0].rule.file}): " + worst_first(counts))
        if set(counts) == {DESELECTED}:
            continue  # a wholly deselected area: its count says it all
        for r in rows:
            tr.write_line(_rule_line(r, adapter), red=r.outcome in FAILING,
                          yellow=r.outcome == OPTIONAL_UNMET)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if not active(config) or is_worker(config):
        return
    adapter = config.stash[adapter_key]
    found = concerned(config)
    ran = {rid: r for rid, r in found.items() if r.tests and r.outcome != DESELECTED}
    tr = terminalreporter
    tr.section(f"runcert certification: {adapter.name} {adapter.version}")
    _write_areas(tr, found, adapter)
    if not ran:
        tr.write_line(f"runcert: no conformance test of {adapter.name} ran: nothing is certified",
                      red=True, bold=True)
        return
    counts = totals(found.values())
    tr.write_line("")
    tr.write_line(f"rules: {len(ran)} run of {len(contract_rules())}; " + worst_first(counts))
    tr.write_line("legend: " + "; ".join(f"{SYMBOL[o]} {o}" for o in SEVERITY))  # worst first
    if config.stash[selected_key] is not None:
        tr.write_line(f"runcert: rules selected by --runcert-rules="
                      f"{','.join(config.stash[patterns_key])}; the "
                      f"{counts.get(DESELECTED, 0)} deselected rules are not certified by this run")
    outside = outside_failures(config)
    for verdict in outside:
        tr.write_line(f"runcert: failed on no rule of the contract: {verdict.nodeid}: "
                      f"{verdict.message[:200]}", red=True)
    failing = [r.rule.id for r in found.values() if r.outcome in FAILING]
    if failing:
        tr.write_line(f"runcert: {adapter.name} does NOT meet the contract "
                      f"(failing rules: {', '.join(failing)})", red=True, bold=True)
    elif config.stash.get(early_key, None):
        tr.write_line(f"runcert: the run ENDED EARLY ({config.stash[early_key]}): "
                      f"{adapter.name} is not certified", red=True, bold=True)
    elif outside:
        tr.write_line(f"runcert: {adapter.name} meets every rule that ran, but the run FAILS: "
                      f"{len(outside)} test(s) failed on no rule of the contract (a malformed "
                      f"transcript, or an error of the kit)", red=True, bold=True)
    else:
        tr.write_line(f"runcert: {adapter.name} meets every rule that ran "
                      f"(pass, known deviation, optional unmet or not applicable)",
                      green=True, bold=True)


# -- fixtures the suites use -------------------------------------------------------------

@pytest.fixture
def counterexamples(request: pytest.FixtureRequest, runcert_adapter: Adapter) -> Any:
    """Exports the shrunk counterexample of a failing property as a transcript
    (``--runcert-counterexamples=DIR``; disabled without it)."""
    from conformance.counterexamples import Exporter

    config = request.config
    return Exporter(directory_setting(config, "runcert_counterexamples"), request.node.nodeid,
                    str(config.getoption("runcert_impl")), runcert_adapter,
                    getattr(config.option, "hypothesis_seed", None))


@pytest.fixture(scope="session")
def runcert_adapter(request: pytest.FixtureRequest) -> Adapter:
    if not active(request.config):
        pytest.fail("the runcert suites run under `pytest --impl=NAME`", pytrace=False)
    return request.config.stash[adapter_key]

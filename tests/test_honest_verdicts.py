"""The kit's verdicts are honest: what a run reports is what the implementation did.

Each test certifies a variant of the reference (``tests/variants/``) over one or two
packaged suite modules and reads the per-rule outcomes and messages of the JSON report.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conformance.rules import catalogue

from .conftest import REPO, STREAM_SUITES, USAGE_ERROR, suite

FAST = "--runcert-profile=fast"
TRANSCRIPTS = REPO / "conformance" / "transcripts" / "streams"
USER_SUITE = REPO / "conformance" / "suites" / "user" / "test_user_transcripts.py"


# -- the kit's own exceptions always escape --------------------------------------------------

@pytest.mark.parametrize("impl", ["runcert_adapter", "swallowing"])
def test_a_cancelled_end_dispatch_that_hangs_is_a_timeout(runcert, impl):
    """CB-PAIR-4's test gathers the cancelled task: a caller that hung past the await
    limit (whether its cancellation stayed pending or was swallowed) must end the test
    as a timeout, not be compared away as a cancelled task whose handlers finished."""
    run = runcert(f"--impl=tests.variants.end_waits_when_cancelled:{impl}", FAST,
                  "--runcert-await-timeout=1", suite("test_pairing"),
                  "-k", "test_end_dispatch_survives_cancellation and chain", timeout=120)
    rule = run.report["rules"]["CB-PAIR-4"]
    assert rule["outcome"] == "timeout", run.text
    assert all("did not return within 1s" in m for m in rule["messages"]), rule["messages"]
    assert run.ret == 1, run.text


# -- a known deviation is confirmed by its own check only -------------------------------------

IDENTITY = suite("test_identity")


def test_a_listed_rule_failing_through_another_exception_is_a_fail(runcert):
    """CB-ID-1 is listed, but its checks hold: its async test fails only through an
    unrelated exception. That is a failure, no confirmation of the deviation."""
    run = runcert("--impl=tests.variants.unconfirmed:crashing", FAST, IDENTITY,
                  "-k", "test_fresh_run_ids")
    rule = run.report["rules"]["CB-ID-1"]
    assert rule["outcome"] == "fail", rule
    assert "TypeError" in rule["message"] or "unrelated bug" in rule["message"], rule
    assert run.ret == 1, run.text


def test_a_listed_rule_failing_through_a_leak_is_not_a_known_deviation(runcert):
    """CB-ID-1 is listed, its checks hold, the async dispatch leaks a task: the leak
    fails CB-ASYNC-4; CB-ID-1 is not confirmed (a pass with a note in a partial run)."""
    run = runcert("--impl=tests.variants.unconfirmed:leaking", FAST, IDENTITY,
                  "-k", "test_fresh_run_ids")
    rule = run.report["rules"]["CB-ID-1"]
    assert rule["outcome"] == "pass", rule
    assert any("not confirmed" in m for m in rule["messages"]), rule
    assert run.report["rules"]["CB-ASYNC-4"]["outcome"] == "fail"
    assert run.ret == 1, run.text


def test_a_listed_rule_confirmed_by_its_own_check_is_a_known_deviation(runcert):
    """The deviant variant breaks CB-ID-2 and CB-ID-3 and lists both: known deviations,
    each confirmed by a failing check of its own rule."""
    run = runcert("--impl=tests.variants.deviant", FAST, IDENTITY,
                  "-k", "test_explicit_run_id or test_one_run_per_prompt")
    assert run.ret == 0, run.text
    for rid in ("CB-ID-2", "CB-ID-3"):
        rule = run.report["rules"][rid]
        assert rule["outcome"] == "known deviation", rule
        assert all(f": {rid}: " in m for m in rule["messages"]), rule["messages"]


# -- a leaked task is a finding of its own -----------------------------------------------------

def test_a_leak_is_a_note_on_the_rules_own_failure(runcert):
    """CB-ID-2's check fails and the dispatch leaks: CB-ID-2 reports its own message,
    with the leak as a note, not "the implementation left N task(s) pending"."""
    run = runcert("--impl=tests.variants.leaky", FAST, IDENTITY,
                  "-k", "test_explicit_run_id and async")
    rule = run.report["rules"]["CB-ID-2"]
    assert rule["outcome"] == "fail", rule
    assert rule["messages"], rule
    for message in rule["messages"]:
        assert ": CB-ID-2: " in message and "run_id: expected UUID(" in message, message
        assert "forgotten_flush" in message.partition("; also: ")[2], message
    assert rule["message"].index("expected UUID(") < rule["message"].index("pending")


def test_a_leak_alone_fails_the_leak_rule_naming_the_coroutine(runcert):
    """CB-ID-1's checks hold, the dispatch leaks: CB-ID-1 passes and CB-ASYNC-4 (no
    leaked tasks) fails, naming the coroutine left pending."""
    run = runcert("--impl=tests.variants.leaky", FAST, IDENTITY, "-k", "test_fresh_run_ids")
    outcomes = run.outcomes()
    assert outcomes["CB-ID-1"] == "pass", run.report["rules"]["CB-ID-1"]
    leak = run.report["rules"]["CB-ASYNC-4"]
    assert leak["outcome"] == "fail", leak
    assert leak["tests"] == [t for t in run.report["rules"]["CB-ID-1"]["tests"] if "async" in t]
    assert re.search(r"CB-ASYNC-4: the implementation left \d+ task\(s\) pending: "
                     r"Task-\d+ \(forgotten_flush\)", leak["message"]), leak
    assert run.ret == 1, run.text


def test_a_leaked_thread_is_a_finding_and_does_not_keep_the_run_alive(runcert):
    """Every tool start leaves a non-daemon thread running: CB-ID-1's checks hold, the
    leak fails CB-ASYNC-4 naming the thread and its target, and the process exits after
    the report instead of waiting for the threads forever."""
    run = runcert("--impl=tests.variants.thread_leak", FAST, IDENTITY, "-k", "test_fresh_run_ids",
                  timeout=60)
    assert run.ret == 1, run.text
    assert run.outcomes()["CB-ID-1"] == "pass"
    leak = run.report["rules"]["CB-ASYNC-4"]
    assert leak["outcome"] == "fail" and len(leak["messages"]) == 2, leak
    assert all(re.search(r"CB-ASYNC-4: the implementation left 1 non-daemon thread\(s\) "
                         r"running: flusher \(forgotten_worker\)", m)
               for m in leak["messages"]), leak["messages"]
    run.line(r"runcert: 2 implementation thread\(s\) still running at the end of the run "
             r"\(flusher\); exiting without waiting for them")


def test_an_unclosed_event_loop_is_a_finding(runcert):
    """Every tool start makes an event loop and drops it unclosed: CB-ID-1's checks hold,
    the leak fails CB-ASYNC-4, naming the loop's class and the function that made it.
    The kit's own loops (one per scenario) are closed, so they are not among them."""
    run = runcert("--impl=tests.variants.loop_leak", FAST, IDENTITY, "-k", "test_fresh_run_ids")
    assert run.ret == 1, run.text
    assert run.outcomes()["CB-ID-1"] == "pass"
    leak = run.report["rules"]["CB-ASYNC-4"]
    assert leak["outcome"] == "fail" and len(leak["messages"]) == 2, leak
    assert all(re.search(r"test_fresh_run_ids\[(sync|async)\]: CB-ASYNC-4: the implementation "
                         r"left 1 event loop\(s\) unclosed: \w+EventLoop created in "
                         r"private_loop \(loop_leak\.py:\d+\)$", m)
               for m in leak["messages"]), leak["messages"]


# -- a transcript's difference is blamed on the rule it concerns -------------------------------

def test_a_transcript_difference_is_blamed_on_the_flag_it_concerns(runcert):
    """ignore_flags.json cites CB-IGN-1 first; a tool event delivered to the handler that
    sets ignore_agent is CB-IGN-4's failure (the flag read for tool events)."""
    run = runcert("--impl=tests.variants.ignore_agent_on_tools_ignored", FAST,
                  suite("test_transcripts"), "-k", "ignore_flags")
    assert run.report["failing_rules"] == ["CB-IGN-4"], run.report["failing_rules"]
    message = run.report["rules"]["CB-IGN-4"]["message"]
    assert "handler 'no_agent'" in message and "on_tool_start" in message, message


# -- the transcript format's rules certify nothing --------------------------------------------

def test_a_certification_reports_no_transcript_format_rule(runcert):
    """A full certification of ``dict`` as a callback manager: every rule of the contract
    it runs fails, and the TR- rules (the kit's transcript format) are neither rules of
    the report nor counted in its totals, so it gets no pass at all."""
    contract = {rid for rid in catalogue() if rid.startswith(("CB-", "RS-"))}
    run = runcert("--impl=tests.variants.dict_manager", FAST, "--tb=no", timeout=300)
    doc = run.report
    assert not [r for r in doc["rules"] if r.startswith("TR-")], sorted(doc["rules"])
    assert set(doc["rules"]) == contract
    assert sum(doc["totals"].values()) == len(contract), doc["totals"]
    assert "pass" not in doc["totals"], doc["totals"]
    assert doc["verdict"] == "fails" and run.ret == 1


# -- a certification gives no maintenance advice -----------------------------------------------

def test_a_certification_advises_no_snapshot_update(runcert):
    """Without trace groups the trace group's golden transcript is not applicable: the
    run passes and says nothing of "unused snapshots" or ``--snapshot-update`` (which
    would delete the golden file)."""
    run = runcert("--impl=tests.variants.no_trace_group", FAST, suite("test_transcripts"))
    assert run.ret == 0, run.text
    assert run.report["rules"]["CB-GROUP-1"]["outcome"] == "not applicable"
    assert "snapshot" not in run.text.lower(), run.text


@pytest.mark.parametrize("option", ["--snapshot-update", "--snapshot-update-new-only"])
def test_snapshot_update_outside_the_reference_is_a_usage_error(runcert, option):
    """Recording the golden transcripts is the reference's job: with another --impl the
    option is one usage error, not 43 failing transcript tests."""
    run = runcert("--impl=tests.variants.no_trace_group", FAST, option)
    assert run.ret == USAGE_ERROR, run.text
    assert run.error_line() == (
        "ERROR: runcert: --snapshot-update records the golden transcripts from "
        "--impl=reference only; it is not an option of a certification "
        "(--impl=tests.variants.no_trace_group)")
    assert run.report is None


HELPERS = ["suites", "callbacks", "aio.py",
           "streams", "counterexamples.py"]


def test_outcomes_of_tasks_are_gathered_through_aio():
    """``gather(..., return_exceptions=True)`` returns the kit's own timeout as an
    outcome; the suites and their helpers use ``aio.gather_outcomes``, which raises it."""
    import conformance

    kit = Path(conformance.__file__).resolve().parent
    files = [p for name in HELPERS for p in ([kit / name] if name.endswith(".py")
                                             else sorted((kit / name).rglob("*.py")))]
    offending = [str(p.relative_to(kit)) for p in files if p.name != "aio.py"
                 and "return_exceptions=True" in p.read_text(encoding="utf-8")]
    assert not offending, f"gather(return_exceptions=True) outside conformance/aio.py: {offending}"


# -- a rule that says something finishes judges a hang itself ------------------------------------

ABORT_ONLY_MARKS = "--impl=tests.variants.abort_only_marks"


def test_an_unlisted_hang_a_rule_forbids_is_a_fail_of_that_rule(runcert):
    """abort() leaves the held pull alone and nothing is listed: the reader waiting at
    the abort, and the result method that was pulling, never end. RS-ABORT-2, RS-ABORT-9
    and RS-RES-6 say they end, so each fails by its own check, saying what did not
    finish; none of them is a timeout."""
    run = runcert(ABORT_ONLY_MARKS, FAST, "--runcert-await-timeout=1",
                  str(STREAM_SUITES / "test_abort.py"), str(STREAM_SUITES / "test_results.py"),
                  "-k", "test_cursors_end_cleanly_after_their_buffer or "
                        "test_abort_from_another_task or test_result_waiting_at_abort_returns",
                  timeout=180)
    for rid, what in [("RS-ABORT-2", "the main-log reader awaiting the held pull"),
                      ("RS-ABORT-9", "the main log reader, after abort() from"),
                      ("RS-RES-6", "waiting on the held pull at abort(), did not finish")]:
        rule = run.report["rules"][rid]
        assert rule["outcome"] == "fail", (rid, rule)
        assert any(what in m and "did not finish within 1s" in m for m in rule["messages"]), (
            rid, rule["messages"])
        assert not any("timeout" in m for m in rule["messages"]), (rid, rule["messages"])
    assert run.ret == 1, run.text


def test_a_hang_no_rule_under_test_forbids_stays_a_timeout(runcert, pytester):
    """The same variant, in the golden transcripts: each reader joined at the abort is a
    ``finishes`` join naming RS-ABORT-2 (which says it ends), so its hang fails RS-ABORT-2
    by that rule's own check, even where what the reader reads is RS-ABORT-7's. A user's
    copy whose join is not a ``finishes`` join (RS-ABORT-7 says nothing about ending)
    hangs on it, and that stays a timeout of RS-ABORT-7."""
    golden = json.loads((TRANSCRIPTS / "abort_ignored_cancellation.json").read_text())
    join = next(a for a in golden["program"]["actions"] if a["do"] == "join")
    del join["finishes"]
    join["rule"] = "RS-ABORT-7"
    golden["id"] = "unfinished_join_of_a_user"
    mine = pytester.path / "mine"
    mine.mkdir()
    (mine / "unfinished_join_of_a_user.json").write_text(json.dumps(golden))
    run = runcert(ABORT_ONLY_MARKS, FAST, "--runcert-await-timeout=1",
                  f"--runcert-transcripts={mine}", str(STREAM_SUITES / "test_transcripts.py"),
                  str(USER_SUITE),
                  "-k", "abort_mid_run_then_results or abort_ignored_cancellation or "
                        "unfinished_join_of_a_user",
                  timeout=180)
    rules = run.report["rules"]
    for name in ("abort_mid_run_then_results", "abort_ignored_cancellation"):
        assert any(name in m and "RS-ABORT-2: step #" in m and "(join reader): the task "
                   "did not finish within 1s" in m for m in rules["RS-ABORT-2"]["messages"]), \
            rules["RS-ABORT-2"]["messages"]
    assert rules["RS-ABORT-2"]["outcome"] == "fail", rules["RS-ABORT-2"]
    assert rules["RS-ABORT-7"]["outcome"] == "timeout", rules["RS-ABORT-7"]
    assert [m for m in rules["RS-ABORT-7"]["messages"] if "timeout" in m] == [
        m for m in rules["RS-ABORT-7"]["messages"] if "unfinished_join_of_a_user" in m], \
        rules["RS-ABORT-7"]["messages"]
    assert run.ret == 1, run.text


# -- nothing the implementation raises stops the run ------------------------------------------

RAISING = "tests.variants.raising"
TWO_TESTS = ["-k", "test_fresh_run_ids or (test_explicit_run_id and chain)"]


@pytest.mark.parametrize(("adapter", "raised"), [
    ("keyboard_interrupt", "KeyboardInterrupt"),
    ("system_exit", "SystemExit: 3"),
    ("generator_exit", "GeneratorExit"),
    ("hostile", "Hostile: hostile BaseException subclass"),
])
def test_a_base_exception_the_implementation_raises_fails_the_test_in_flight(
        runcert, adapter, raised):
    """Every tool start raises: test_fresh_run_ids fails CB-ID-1 naming the exception's
    type; the run goes on (the explicit-run-id tests pass), and ends as a failure, not
    as an interrupted run whose rules read "meets"."""
    run = runcert(f"--impl={RAISING}:{adapter}", FAST, IDENTITY, *TWO_TESTS)
    assert run.ret == 1, run.text
    rule = run.report["rules"]["CB-ID-1"]
    assert rule["outcome"] == "fail", rule
    assert len(rule["messages"]) == 2, rule  # both lanes ran
    assert all(m.endswith(f": CB-ID-1: the implementation raised {raised}")
               for m in rule["messages"]), rule["messages"]
    assert run.report["rules"]["CB-ID-2"]["outcome"] == "pass"
    assert run.report["verdict"] == "fails" and "ended_early" not in run.report
    assert re.search(r"\b2 failed, 2 passed\b", run.stats_line), run.stats_line


def test_a_keyboard_interrupt_from_configure_fails_every_test_and_the_run_goes_on(runcert):
    run = runcert(f"--impl={RAISING}:on_configure", FAST, IDENTITY, *TWO_TESTS)
    assert run.ret == 1, run.text
    assert run.outcomes() == {"CB-ID-1": "fail", "CB-ID-2": "fail"}
    assert re.search(r"\b4 failed\b", run.stats_line), run.stats_line
    assert "the implementation raised KeyboardInterrupt" in run.report["rules"]["CB-ID-2"][
        "message"]


def test_a_keyboard_interrupt_from_open_run_fails_the_stream_rules(runcert):
    run = runcert(f"--impl={RAISING}:on_open_run", FAST,
                  str(STREAM_SUITES / "test_pumping.py"), "-k", "not sync")
    assert run.ret == 1, run.text
    failing = run.report["failing_rules"]
    assert failing and all(r.startswith("RS-") for r in failing), failing
    assert all("the implementation raised KeyboardInterrupt" in run.report["rules"][r]["message"]
               for r in failing)
    assert "ended_early" not in run.report and run.report["verdict"] == "fails"


def test_a_real_sigint_stops_the_run_and_the_verdict_says_it_ended_early(runcert):
    """A SIGINT is the user's Ctrl-C (here the implementation sends it to itself, which
    cannot be told apart): the run stops, and although every rule that ran passed, the
    verdict is "incomplete", in the report and in the last line, and the exit status
    says interrupted."""
    run = runcert(f"--impl={RAISING}:sigint", FAST, f"{IDENTITY}::test_explicit_run_id",
                  f"{IDENTITY}::test_fresh_run_ids")
    assert run.ret == 2, run.text
    doc = run.report
    assert doc["rules"]["CB-ID-2"]["outcome"] == "pass"
    assert "CB-ID-1" not in doc["rules"] or doc["rules"]["CB-ID-1"]["outcome"] != "pass"
    assert doc["verdict"] == "incomplete", doc["verdict"]
    assert doc["partial"] is True and doc["exit_status"] == 2
    assert re.fullmatch(r"\d+ of \d+ selected tests did not run \(interrupted by the user\)",
                        doc["ended_early"]), doc["ended_early"]
    assert re.fullmatch(r"runcert: raising_sigint 0\+broken, seed \d+: 1 pass; ENDED EARLY: .*; "
                        r"PARTIAL run: 1 of \d+ rules; verdict: INCOMPLETE: the run ended "
                        r"before every selected test ran; nothing is certified",
                        run.out[-1]), run.out[-1]


# -- a time limit that holds when the implementation does not leave signals alone ------------

SIGNALS = "tests.variants.signals"
LIMIT = "--runcert-timeout=1"
FOUR_TESTS = 4  # TWO_TESTS selects test_fresh_run_ids and test_explicit_run_id, both lanes
WATCHDOG_LINE = (r"runcert: watchdog: \S+::test_fresh_run_ids\[sync\] was still running \d+s "
                 r"after it started, past its 1s time limit, which could not stop it \({why}\); "
                 r"report written to \S+; exiting")


@pytest.mark.parametrize(("adapter", "why"), [
    ("ignore_alarm", r"the SIGALRM handler is SIG_IGN"),
    ("blocked_alarm", r"SIGALRM is blocked in the main thread"),
    ("swallowing_loop", r"the alarm went off \d+ time\(s\), and each time the timeout was "
                        r"swallowed"),
])
def test_a_test_the_alarm_cannot_stop_is_ended_by_the_watchdog(runcert, adapter, why):
    """The first tool start makes the alarm useless (ignored, blocked, or its timeout
    swallowed for ever) and never returns. The watchdog, a thread that needs no signal,
    ends the run soon after the test overran its limit: the report says CB-ID-1 timed out
    and why the limit could not stop it, the run ended early and fails, and one line on
    stderr says what happened."""
    import time

    started = time.monotonic()
    run = runcert(f"--impl={SIGNALS}:{adapter}", FAST, LIMIT, IDENTITY, *TWO_TESTS,
                  timeout=120)
    elapsed = time.monotonic() - started
    assert elapsed < FOUR_TESTS * 1 + 25, f"{elapsed:.0f}s for {FOUR_TESTS} tests, 1s limit"
    assert run.ret == 2, run.text
    doc = run.report
    assert doc is not None, run.text
    rule = doc["rules"]["CB-ID-1"]
    assert rule["outcome"] == "timeout", rule
    assert re.search(r"test_fresh_run_ids\[sync\]: CB-ID-1: timeout: the test did not finish "
                     rf"within 1s, and the time limit could not stop it \({why}\); the watchdog "
                     r"ended the run after \d+s", rule["message"]), rule["message"]
    assert doc["verdict"] == "fails" and doc["partial"] is True and doc["exit_status"] == 2
    assert re.fullmatch(r"3 of 4 selected tests did not run \(the watchdog ended the run: "
                        r"\S+::test_fresh_run_ids\[sync\] overran its time limit\)",
                        doc["ended_early"]), doc["ended_early"]
    run.line(WATCHDOG_LINE.format(why=why))
    assert re.fullmatch(rf"runcert: signals_{adapter} 0\+broken, seed \d+: 1 timeout; ENDED "
                        r"EARLY: .*; verdict: does NOT meet the contract \(failing: CB-ID-1\)",
                        run.out[-1]), run.out[-1]


@pytest.mark.parametrize(("adapter", "change"), [
    ("ignore_alarm_quietly", "the SIGALRM handler was replaced (by SIG_IGN)"),
    ("ignore_interrupts", "the SIGINT handler was replaced (by SIG_IGN)"),
])
def test_a_signal_handler_changed_by_the_implementation_fails_the_test(runcert, adapter, change):
    """Every tool start replaces a handler the kit installed and returns: the test's
    rules fail, naming the change; the kit puts its handler back, so the tests after it
    run as usual (CB-ID-2 passes)."""
    run = runcert(f"--impl={SIGNALS}:{adapter}", FAST, LIMIT, IDENTITY, *TWO_TESTS)
    assert run.ret == 1, run.text
    rule = run.report["rules"]["CB-ID-1"]
    assert rule["outcome"] == "fail" and len(rule["messages"]) == 2, rule
    assert all(m.endswith(f": CB-ID-1: the implementation tampered with the kit's time limit: "
                          f"{change}") for m in rule["messages"]), rule["messages"]
    assert run.report["rules"]["CB-ID-2"]["outcome"] == "pass"
    assert run.report["verdict"] == "fails" and "ended_early" not in run.report


def test_a_timeout_the_implementation_swallowed_is_a_timeout(runcert):
    """The tool start catches the kit's timeout and returns as if nothing happened: the
    test overran its limit, so its rule reads timeout, never pass."""
    run = runcert(f"--impl={SIGNALS}:swallowing_once", FAST, LIMIT, IDENTITY, *TWO_TESTS,
                  timeout=60)
    assert run.ret == 1, run.text
    rule = run.report["rules"]["CB-ID-1"]
    assert rule["outcome"] == "timeout" and len(rule["messages"]) == 2, rule
    assert all(m.endswith(": CB-ID-1: timeout: the test did not finish within 1s (the alarm "
                          "went off 1 time(s) and the implementation swallowed the timeout)")
               for m in rule["messages"]), rule["messages"]
    assert run.report["verdict"] == "fails"


def test_signal_signal_replaced_at_import_does_not_disarm_the_time_limit(runcert):
    """``signal.signal`` is a no-op from the moment the implementation is imported, and
    every tool start sleeps an hour. The kit arms its alarm with the function it found
    before: each hang is a timeout (SIGALRM's default action would have killed the run,
    report unwritten), and the replacement is named on the first test's rules."""
    run = runcert("--impl=tests.variants.signal_replaced", FAST, LIMIT, IDENTITY, *TWO_TESTS,
                  timeout=60)
    assert run.ret == 1, run.text
    rule = run.report["rules"]["CB-ID-1"]
    assert rule["outcome"] == "timeout", rule
    assert any(m.endswith(": CB-ID-1: timeout: the test did not finish within 1s; also: the "
                          "implementation tampered with the kit's time limit: signal.signal "
                          "was replaced") for m in rule["messages"]), rule["messages"]
    assert run.report["rules"]["CB-ID-2"]["outcome"] == "pass"


def test_under_xdist_the_watchdog_ends_the_worker_and_the_run_goes_on(runcert):
    """With ``-n 2`` the watchdog ends the worker whose test it could not stop; the
    controller reports the crash on the test's rules and goes on with a new worker."""
    run = runcert(f"--impl={SIGNALS}:ignore_alarm", FAST, LIMIT, "-n", "2", IDENTITY,
                  *TWO_TESTS, timeout=180)
    assert run.ret == 1, run.text
    rule = run.report["rules"]["CB-ID-1"]
    assert rule["outcome"] == "fail" and len(rule["messages"]) == 2, rule
    assert all("worker crashed" in m for m in rule["messages"]), rule["messages"]
    assert run.report["rules"]["CB-ID-2"]["outcome"] == "pass"
    assert run.report["verdict"] == "fails" and "ended_early" not in run.report

"""The transcript format (specs/transcripts/, rules TR-): packaged files and rejections.

The packaged golden transcripts must be valid and canonical; each kind of malformed
transcript in :data:`MALFORMED` must be rejected with one message naming the file, the
JSON path and the TR rule; replay compares exactly and attributes one difference; the
record command reproduces the golden files and guards them. These tests check the kit's
own format and tools, which behave the same whatever is certified: they are the kit's own
tests (each citing its TR- rule for traceability), not part of a certification, where
they would count as passes of every implementation.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance.checks import RuleViolation, check, check_equal
from conformance.callbacks.programs import compare
from conformance.resolve import resolve
from conformance.streams.programs import compare as compare_stream
from conformance.suites.user.test_user_transcripts import user_params
from conformance.transcripts import CALLBACKS_DIR, STREAMS_DIR
from conformance.transcripts.record import RecordError, record, target
from conformance.transcripts.validate import (
    TranscriptError, canonical, id_of, load_transcript, parse, validate,
)

PACKAGED = sorted(CALLBACKS_DIR.glob("*.json")) + sorted(STREAMS_DIR.glob("*.json"))
BASE = {"callbacks": CALLBACKS_DIR / "agent_request_handler.json",
        "streams": STREAMS_DIR / "async_with_break.json",
        "streams, a join": STREAMS_DIR / "abort_ignored_cancellation.json"}
DELETE = object()


def base(contract: str) -> dict[str, Any]:
    return json.loads(BASE[contract].read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Malformed:
    """One malformed transcript: a change to a packaged one, and how it must be rejected."""

    name: str
    contract: str
    change: tuple[tuple[Any, ...], Any]  # (path of keys, new value or DELETE)
    rule: str
    where: str  # the JSON path the message names
    schema: bool = True  # the JSON Schema rejects it too (False: needs the whole document)

    def document(self) -> dict[str, Any]:
        doc = base(self.contract)
        keys, value = self.change
        parent = doc
        for key in keys[:-1]:
            parent = parent[key]
        if value is DELETE:
            del parent[keys[-1]]
        else:
            parent[keys[-1]] = value
        return doc


ROOT = ("program", "requests", 0, "root")
ACTIONS = ("program", "actions")
MALFORMED = [
    Malformed("missing_title", "callbacks", (("title",), DELETE), "TR-FMT-1", "$"),
    Malformed("unknown_field", "callbacks", (("rule",), ["CB-ID-1"]), "TR-FMT-1", "$.rule"),
    Malformed("wrong_format", "streams", (("format",), "runcert-transcript/2"), "TR-FMT-1",
              "$.format"),
    Malformed("title_not_string", "callbacks", (("title",), 3), "TR-FMT-1", "$.title"),
    Malformed("bad_id", "callbacks", (("id",), "Agent-Request"), "TR-FMT-2", "$.id"),
    Malformed("id_not_file_name", "callbacks", (("id",), "other_case"), "TR-FMT-2", "$.id",
              schema=False),
    # built from parts: the kit's sources never spell a rule that does not exist
    Malformed("unknown_rule", "callbacks", (("rules", 1), "CB-SCOPE-" + "99"), "TR-FMT-3",
              "$.rules[1]", schema=False),
    Malformed("rule_of_other_contract", "streams", (("rules", 0), "CB-ID-1"), "TR-FMT-3",
              "$.rules[0]"),
    Malformed("no_rules", "callbacks", (("rules",), []), "TR-FMT-3", "$.rules"),
    Malformed("action_rule_not_listed", "streams", (ACTIONS + (3, "rule"), "RS-RES-1"),
              "TR-FMT-3", "$.program.actions[3].rule", schema=False),
    Malformed("finishes_rule_not_listed", "streams, a join",
              (ACTIONS + (7, "finishes"), "RS-RES-6"), "TR-FMT-3",
              "$.program.actions[7].finishes", schema=False),
    Malformed("finishes_not_a_rule", "streams, a join", (ACTIONS + (7, "finishes"), "yes"),
              "TR-FMT-3", "$.program.actions[7].finishes"),
    Malformed("unknown_contract", "streams", (("contract",), "stream"), "TR-FMT-4",
              "$.contract"),
    Malformed("stream_sync_lane", "streams", (("lanes",), ["sync"]), "TR-FMT-4",
              "$.lanes[0]"),
    Malformed("no_lanes", "callbacks", (("lanes",), []), "TR-FMT-4", "$.lanes"),
    Malformed("undeclared_handler", "callbacks",
              (("program", "requests", 0, "handlers"), ["reqq"]), "TR-CB-1",
              "$.program.requests[0].handlers[0]", schema=False),
    Malformed("bad_ignore_flag", "callbacks", (("program", "handlers", "req"),
                                               {"ignore": ["tools"]}), "TR-CB-1",
              "$.program.handlers.req.ignore[0]"),
    Malformed("tags_not_list", "callbacks", (("program", "requests", 0, "tags"), "t"),
              "TR-CB-2", "$.program.requests[0].tags"),
    Malformed("no_requests", "callbacks", (("program", "requests"), []), "TR-CB-2",
              "$.program.requests"),
    Malformed("unknown_kind", "callbacks", (ROOT + ("kind",), "agent"), "TR-CB-3",
              "$.program.requests[0].root.kind"),
    Malformed("bad_run_id", "callbacks", (ROOT + ("run_id",), "run-1"), "TR-CB-3",
              "$.program.requests[0].root.run_id"),
    Malformed("unknown_step", "callbacks", (ROOT + ("steps", 2), {"texts": "x"}), "TR-CB-4",
              "$.program.requests[0].root.steps[2]"),
    Malformed("two_step_kinds", "callbacks", (ROOT + ("steps", 0), {"text": "a", "retry": 1}),
              "TR-CB-4", "$.program.requests[0].root.steps[0]"),
    Malformed("token_in_chain", "callbacks", (ROOT + ("steps", 0), {"token": "a"}), "TR-CB-4",
              "$.program.requests[0].root.steps[0]"),
    Malformed("unknown_error_type", "callbacks",
              (ROOT + ("steps", 0), {"error": {"type": "OSError"}}), "TR-CB-4",
              "$.program.requests[0].root.steps[0].error.type"),
    Malformed("cancel_on_sync_lane", "callbacks", (ROOT + ("steps", 0), {"cancel": True}),
              "TR-CB-4", "$.program.requests[0].root.steps[0]", schema=False),
    Malformed("expected_for_undeclared", "callbacks", (("expected", "other"), []), "TR-CB-5",
              "$.expected.other", schema=False),
    Malformed("record_without_event", "callbacks", (("expected", "req", 0, "event"), DELETE),
              "TR-CB-5", "$.expected.req[0]"),
    Malformed("outcome_not_string", "callbacks", (("outcomes", "r1"), None), "TR-CB-5",
              "$.outcomes.r1"),
    Malformed("error_past_end", "streams", (("program", "script", "error_at"), 9),
              "TR-STREAM-1", "$.program.script.error_at", schema=False),
    Malformed("namespace_not_list", "streams",
              (("program", "script", "events", 0, "namespace"), "a"), "TR-STREAM-1",
              "$.program.script.events[0].namespace"),
    Malformed("projection_named_values", "streams",
              (("program", "projections"), [{"name": "values", "method": "values"}]),
              "TR-STREAM-2", "$.program.projections[0].name"),
    Malformed("unknown_action", "streams", (ACTIONS + (1, "do"), "count"), "TR-STREAM-3",
              "$.program.actions[1].do"),
    Malformed("missing_argument", "streams", (ACTIONS + (0, "target"), DELETE),
              "TR-STREAM-3", "$.program.actions[0]"),
    Malformed("undefined_cursor", "streams", (ACTIONS + (2, "cursor"), "v"), "TR-STREAM-3",
              "$.program.actions[2].cursor", schema=False),
    Malformed("schedule_not_choices", "streams", (("program", "schedule"), [0, -1]),
              "TR-STREAM-3", "$.program.schedule[1]"),
    Malformed("expected_too_short", "streams", (("expected", 3), DELETE), "TR-STREAM-4",
              "$.expected", schema=False),
    Malformed("expected_do_stale", "streams", (("expected", 2, "do"), "drain x"),
              "TR-STREAM-4", "$.expected[2].do", schema=False),
    Malformed("counter_missing", "streams", (("outcomes", "source", "pulls"), DELETE),
              "TR-STREAM-4", "$.outcomes.source"),
]
CASES = [pytest.param(m, id=m.name, marks=pytest.mark.rule(m.rule)) for m in MALFORMED]


def rejection(doc: Any, file: Path) -> TranscriptError | None:
    try:
        validate(doc, file, stem=file.stem)
    except TranscriptError as exc:
        return exc
    return None


def _each_packaged(rule: str, problem: Callable[[Path], str | None]) -> None:
    """``problem(path)`` must be None for every packaged transcript."""
    problems = [p for p in map(problem, PACKAGED) if p]
    check(rule, not problems, f"{len(problems)} packaged transcript(s): {problems[:3]}")


def _rejected_on(rule: str) -> Callable[[Path], str | None]:
    def problem(path: Path) -> str | None:
        error = rejection(parse(path), path)
        return str(error) if error is not None and error.rule == rule else None
    return problem


# -- packaged files ------------------------------------------------------------------------

@pytest.mark.parametrize("rule", [
    pytest.param(r, id=r, marks=pytest.mark.rule(r)) for r in (
        "TR-FMT-1", "TR-FMT-2", "TR-FMT-3", "TR-FMT-4", "TR-CB-1", "TR-CB-2", "TR-CB-3",
        "TR-CB-4", "TR-CB-5", "TR-STREAM-1", "TR-STREAM-2", "TR-STREAM-3", "TR-STREAM-4")])
def test_packaged_transcripts_meet(rule):
    """No packaged golden transcript breaks the rule."""
    check(rule, len(PACKAGED) >= 30, f"expected the packaged transcripts, found {PACKAGED}")
    _each_packaged(rule, _rejected_on(rule))


@pytest.mark.rule("TR-FMT-5")
def test_packaged_transcripts_are_canonical():
    """Each packaged file is its document's canonical text, byte for byte."""
    def problem(path: Path) -> str | None:
        text = path.read_text(encoding="utf-8")
        return None if text == canonical(json.loads(text)) else f"{path.name} is not canonical"
    _each_packaged("TR-FMT-5", problem)


@pytest.mark.rule("TR-FMT-2")
def test_id_from_file_name():
    check_equal("TR-FMT-2", id_of("test_tags-CB-TAG-1"), "test_tags_cb_tag_1", "id of a name")
    check_equal("TR-FMT-2", id_of("retries"), "retries", "id of a plain name")


# -- rejections ------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES)
def test_malformed_transcript_is_rejected(case: Malformed):
    """The change is rejected on its rule, at its path, in one line naming the file."""
    file = BASE[case.contract]
    error = rejection(case.document(), file)
    check(case.rule, error is not None, f"{case.name}: accepted, expected a rejection")
    if error is None:
        return
    check_equal(case.rule, (error.rule, error.path), (case.rule, case.where),
                f"{case.name}: rule and path of {str(error)!r}")


@pytest.mark.rule("TR-FMT-6")
@pytest.mark.parametrize("case", MALFORMED, ids=[m.name for m in MALFORMED])
def test_rejection_is_one_precise_message(case: Malformed, tmp_path: Path):
    """Loading the malformed file raises one line: file, JSON path, expectation, rule."""
    path = tmp_path / BASE[case.contract].name
    path.write_text(canonical(case.document()), encoding="utf-8")
    try:
        load_transcript(path)
    except TranscriptError as exc:
        message = str(exc)
        check("TR-FMT-6", message.startswith(f"{path}: $") and "\n" not in message
              and ": expected " in message and message.endswith(f"[{exc.rule}]"),
              f"expected 'FILE: $PATH: expected ... [TR-...]' on one line, got {message!r}")
    except Exception as exc:  # noqa: BLE001 - any other error is the failure
        check("TR-FMT-6", False, f"{case.name}: raised {type(exc).__name__}: {exc}")
    else:
        check("TR-FMT-6", False, f"{case.name}: {path} was accepted")


@pytest.mark.rule("TR-FMT-6")
def test_text_that_is_not_json_is_rejected(tmp_path: Path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "runcert-transcript/1",\n  "id": }', encoding="utf-8")
    try:
        load_transcript(path)
    except TranscriptError as exc:
        check_equal("TR-FMT-6", (exc.path, "line 2" in str(exc)), ("$", True),
                    f"path and position in {str(exc)!r}")
    else:
        check("TR-FMT-6", False, "text that is not JSON was accepted")


# -- replay ------------------------------------------------------------------------------------

@pytest.mark.rule("TR-REPLAY-1")
def test_replay_needs_the_lane_capability(tmp_path: Path):
    """A user transcript's test on each lane requires that lane's capability."""
    (tmp_path / "retries.json").write_bytes((CALLBACKS_DIR / "retries.json").read_bytes())
    (tmp_path / "trace_group.json").write_bytes((CALLBACKS_DIR / "trace_group.json").read_bytes())
    needs = {p.id: sorted(c for m in p.marks if m.name == "requires" for c in m.args)
             for p in user_params(tmp_path)}
    check_equal("TR-REPLAY-1", needs, {
        "retries-sync": ["callbacks.sync"], "retries-async": ["callbacks.async"],
        "trace_group-sync": ["callbacks.sync", "callbacks.trace_group"],
        "trace_group-async": ["callbacks.async", "callbacks.trace_group"]}, "requires marks")


def _first_difference(run: Callable[[], None]) -> RuleViolation | None:
    try:
        run()
    except RuleViolation as violation:
        return violation
    return None


@pytest.mark.rule("TR-REPLAY-2")
@pytest.mark.parametrize("field", ["event", "run", "parent", "tags", "metadata", "data"])
def test_replay_compares_every_field_exactly(field: str):
    doc = base("callbacks")
    same = _first_difference(lambda: compare(doc["expected"], doc["expected"], doc["rules"]))
    check("TR-REPLAY-2", same is None, f"identical records differ: {same}")
    changed = copy.deepcopy(doc["expected"])
    changed["req"][2][field] = "something else"
    found = _first_difference(lambda: compare(doc["expected"], changed, doc["rules"]))
    check("TR-REPLAY-2", found is not None, f"a different {field} was not reported")


@pytest.mark.rule("TR-REPLAY-3")
def test_callback_difference_is_attributed_to_one_rule():
    doc = base("callbacks")
    changed = copy.deepcopy(doc["expected"])
    changed["req"][3]["tags"] = ["other"]
    found = _first_difference(lambda: compare(doc["expected"], changed, doc["rules"]))
    check("TR-REPLAY-3", found is not None and found.rule == "CB-TAG-1"
          and "handler 'req', record #3" in found.message,
          f"expected CB-TAG-1 (the rule of a tags difference) at handler 'req' record #3, "
          f"got {found}")


@pytest.mark.rule("TR-REPLAY-3")
@pytest.mark.parametrize(("handler", "event", "rule"), [
    ("no_agent", "on_tool_start", "CB-IGN-4"), ("no_retriever", "on_retriever_end", "CB-IGN-5"),
    ("no_custom_event", "on_custom_event", "CB-CUSTOM-4")])
def test_ignored_event_delivered_is_blamed_on_its_flag(handler: str, event: str, rule: str):
    """ignore_flags.json cites CB-IGN-1 first: an event of the family a handler ignores,
    delivered all the same, is the rule of that handler's flag."""
    doc = json.loads((CALLBACKS_DIR / "ignore_flags.json").read_text(encoding="utf-8"))
    changed = copy.deepcopy(doc["expected"])
    everything = changed["all"]
    delivered = next(i for i, r in enumerate(everything) if r["event"] == event)
    before = [r for r in everything[:delivered] if r in changed[handler]]
    changed[handler].insert(len(before), everything[delivered])
    found = _first_difference(lambda: compare(doc["expected"], changed, doc["rules"],
                                              program=doc["program"]))
    check("TR-REPLAY-3", found is not None and found.rule == rule
          and f"handler {handler!r}" in found.message and f"extra {event}" in found.message,
          f"expected {rule} (the rule of the flag {handler!r} sets) for an extra {event}, "
          f"got {found}")


@pytest.mark.rule("TR-REPLAY-3")
def test_stream_difference_is_attributed_to_the_action_rule():
    doc = base("streams")
    records = copy.deepcopy(doc["expected"])
    records[3]["observed"] = {"value": None}
    found = _first_difference(lambda: compare_stream(doc, records, doc["outcomes"]))
    check("TR-REPLAY-3", found is not None and found.rule == "RS-RES-6"
          and found.message.startswith("step #3 (output)"),
          f"expected RS-RES-6 (the rule of action 3) at step #3, got {found}")


@pytest.mark.rule("TR-REPLAY-4")
def test_user_directory_parameters(tmp_path: Path):
    """Valid files give a test per lane citing their rules; a bad one, one failing case."""
    check_equal("TR-REPLAY-4", user_params(None), [], "parameters without a directory")
    (tmp_path / "retries.json").write_bytes((CALLBACKS_DIR / "retries.json").read_bytes())
    (tmp_path / "bad.json").write_text("[]", encoding="utf-8")
    params = {p.id: p for p in user_params(tmp_path)}
    check_equal("TR-REPLAY-4", sorted(params), ["bad", "retries-async", "retries-sync"],
                "test ids")
    rules = [m.args for m in params["retries-sync"].marks if m.name == "rule"]
    check_equal("TR-REPLAY-4", rules, [tuple(load_transcript(tmp_path / "retries.json")
                                             ["rules"])], "rules cited")
    bad = params["bad"].values[0]
    check("TR-REPLAY-4", bad.problem is not None and bad.problem.startswith(
        f"{tmp_path / 'bad.json'}: $: expected an object"), f"problem: {bad.problem!r}")
    missing = user_params(tmp_path / "nowhere")
    check("TR-REPLAY-4", len(missing) == 1 and "no such directory" in missing[0].values[0]
          .problem, f"a missing directory: {missing}")


# -- recording ---------------------------------------------------------------------------------

@pytest.mark.rule("TR-REC-1")
@pytest.mark.parametrize("contract", ["callbacks", "streams"])
def test_recording_reproduces_the_golden_file(contract: str):
    """A golden file's scenario, recorded from the reference, is the golden file again."""
    golden = base(contract)
    scenario = {k: v for k, v in golden.items() if k not in ("expected", "outcomes")}
    doc = record(scenario, resolve("reference"), str(BASE[contract]))
    check_equal("TR-REC-1", canonical(doc), canonical(golden), "recorded transcript")


@pytest.mark.rule("TR-REC-2")
def test_recording_guards_existing_and_packaged_files(tmp_path: Path):
    doc = base("callbacks")
    scenario = tmp_path / "scenario.json"
    existing = tmp_path / f"{doc['id']}.json"
    existing.write_text("{}", encoding="utf-8")
    for out, force, expect in ((existing, False, "--force"), (BASE["callbacks"], False,
                                                             "packaged"),
                               (tmp_path / "wrong_name.json", True, "id")):
        try:
            target(scenario, doc, out, force)
        except RecordError as exc:
            check("TR-REC-2", expect in str(exc), f"{out}: {exc} does not mention {expect}")
        else:
            check("TR-REC-2", False, f"writing {out} (force={force}) was not refused")
    check_equal("TR-REC-2", target(scenario, doc, existing, True), existing, "with --force")

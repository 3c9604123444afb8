"""Validation of transcript files, with one precise message per malformed file.

The format is specified in ``specs/transcripts/`` (rules ``TR-``) and, for its shape, in
``specs/schemas/transcript.schema.json``. This validator needs no third-party package: it
checks the shape the schema states plus what a schema cannot (declared handler labels,
rule IDs the catalogue defines, names defined before use, the id equal to the file name).

The first problem found, in document order, is raised as a :class:`TranscriptError`::

    my_case.json: $.program.requests[0].root.steps[2]: expected exactly one step kind
    (text, retry, ...), got keys ['texts'] [TR-CB-4]
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from conformance.callbacks.programs import ERRORS as CB_ERRORS, FORMAT, KINDS, MODEL_KINDS, PARENT_KINDS, ProgramError
from conformance.callbacks.recording import IGNORE_FLAGS
from conformance.rules import catalogue

ID = re.compile(r"[a-z0-9_]+")
RULE = re.compile(r"(CB|RS)-[A-Z]+-\d+")
REQUIRED = ("format", "id", "title", "source", "rules", "lanes", "program")
RESULTS = ("expected", "outcomes")
OPTIONAL = ("contract", "origin")
CONTRACTS = ("callbacks", "streams")
PREFIX = {"callbacks": "CB-", "streams": "RS-"}

HANDLER_OPTIONS = {"async": "bool", "raise_error": "bool", "run_inline": "bool",
                   "ignore": "list", "fail_on": "list"}
NODE_FIELDS = ("kind", "name", "handlers", "tags", "metadata", "run_id", "input", "output",
               "catch", "steps")
STEP_KINDS = ("text", "retry", "token", "custom", "call", "error", "cancel", "rendezvous")
RECORD_FIELDS = ("event", "run", "parent", "tags", "metadata", "data")

STREAM_ERRORS = ("RuntimeError", "ValueError", "KeyError", "Fatal")
COUNTERS = ("pulls", "active", "max_active", "closed", "cancelled")
#: action -> its own arguments (besides the optional rule, run and terms)
ACTIONS: dict[str, tuple[str, ...]] = {
    "subscribe": ("target", "as"), "tee": ("target", "n", "as"), "take": ("cursor", "n"),
    "drain": ("cursor",), "close": ("cursor",), "abort": (), "output": (),
    "interrupted": (), "interrupts": (), "nested": ("path", "as"),
    "async_with": ("target", "n", "exit", "as"), "counters": (), "settle": (),
    "hold": ("index",), "held": ("index",), "release": ("index",), "spawn": ("action", "as"),
    "join": ("task",), "join_all": (),
}
#: optional arguments of some actions
ACTION_OPTIONS: dict[str, tuple[str, ...]] = {"abort": ("from",), "join": ("now", "finishes")}
COMMON = ("do", "rule", "run", "terms")


def id_of(stem: str) -> str:
    """The id a file name gives: lower-cased, every run of characters outside
    ``[a-z0-9_]`` replaced by ``_``, ``_`` stripped at both ends (TR-FMT-2)."""
    return re.sub(r"[^a-z0-9_]+", "_", stem.lower()).strip("_")


class TranscriptError(ProgramError):
    """A malformed transcript: the file, the JSON path, what was expected, the TR rule."""

    def __init__(self, file: str, path: str, expected: str, rule: str) -> None:
        self.file, self.path, self.expected, self.rule = file, path, expected, rule
        super().__init__(f"{file}: {path}: expected {expected} [{rule}]")


def describe_value(value: Any) -> str:
    """A short rendering of a found value for messages."""
    text = json.dumps(value, sort_keys=True) if _jsonable(value) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


class Checker:
    """Walks one document; every check names its path and rule."""

    def __init__(self, file: str, rules: Iterable[str] | None = None) -> None:
        self.file = file
        self.known = set(catalogue()) if rules is None else set(rules)

    def fail(self, path: str, expected: str, rule: str) -> TranscriptError:
        return TranscriptError(self.file, path, expected, rule)

    def require(self, ok: bool, path: str, expected: str, rule: str) -> None:
        if not ok:
            raise self.fail(path, expected, rule)

    # -- generic shape ---------------------------------------------------------------
    def type(self, value: Any, kind: str, path: str, rule: str) -> Any:
        tests: dict[str, Callable[[Any], bool]] = {
            "object": lambda v: isinstance(v, dict),
            "list": lambda v: isinstance(v, list),
            "string": lambda v: isinstance(v, str),
            "text": lambda v: isinstance(v, str) and v.strip() != "",
            "bool": lambda v: isinstance(v, bool),
            "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "nat": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
            "pos": lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1,
        }
        names = {"object": "an object", "list": "a list", "string": "a string",
                 "text": "a non-empty string", "bool": "true or false",
                 "int": "an integer", "nat": "an integer >= 0", "pos": "an integer >= 1"}
        self.require(tests[kind](value), path, f"{names[kind]}, got {describe_value(value)}",
                     rule)
        return value

    def fields(self, obj: dict[str, Any], path: str, required: Iterable[str],
               allowed: Iterable[str], rule: str) -> None:
        for name in required:
            self.require(name in obj, path, f"a field {name!r} (missing)", rule)
        allowed = set(required) | set(allowed)
        for name in obj:
            self.require(name in allowed, f"{path}.{name}",
                         f"no such field (allowed: {', '.join(sorted(allowed))})", rule)

    def strings(self, value: Any, path: str, rule: str, *, choices: Iterable[str] = (),
                distinct: bool = False) -> list[str]:
        self.type(value, "list", path, rule)
        choices = tuple(choices)
        for i, item in enumerate(value):
            self.type(item, "string", f"{path}[{i}]", rule)
            if choices:
                self.require(item in choices, f"{path}[{i}]",
                             f"one of {', '.join(choices)}, got {describe_value(item)}", rule)
            if distinct:
                self.require(item not in value[:i], f"{path}[{i}]",
                             f"distinct values, got {describe_value(item)} twice", rule)
        return value

    def choice(self, value: Any, choices: Iterable[str], path: str, rule: str) -> str:
        choices = tuple(choices)
        self.require(isinstance(value, str) and value in choices, path,
                     f"one of {', '.join(choices)}, got {describe_value(value)}", rule)
        return value

    # -- the document ----------------------------------------------------------------
    def document(self, doc: Any, *, stem: str | None, scenario: bool) -> str:
        """Check everything but the contract's own program; return the contract."""
        self.type(doc, "object", "$", "TR-FMT-1")
        self.require(doc.get("format") == FORMAT, "$.format",
                     f"{FORMAT!r}, got {describe_value(doc.get('format'))}", "TR-FMT-1")
        required = REQUIRED if scenario else REQUIRED + RESULTS
        self.fields(doc, "$", required, OPTIONAL + RESULTS, "TR-FMT-1")
        for name in ("title", "source"):
            self.type(doc[name], "text", f"$.{name}", "TR-FMT-1")
        if "origin" in doc:
            self.type(doc["origin"], "object", "$.origin", "TR-FMT-1")
        ident = self.type(doc["id"], "string", "$.id", "TR-FMT-2")
        self.require(ID.fullmatch(ident) is not None, "$.id",
                     f"an id of [a-z0-9_]+, got {describe_value(ident)}", "TR-FMT-2")
        if stem is not None:
            self.require(ident == id_of(stem), "$.id",
                         f"the id the file name gives ({id_of(stem)!r}, from {stem!r}), "
                         f"got {ident!r}", "TR-FMT-2")
        contract = doc.get("contract", "callbacks")
        self.choice(contract, CONTRACTS, "$.contract", "TR-FMT-4")
        self.rule_list(doc["rules"], contract)
        self.lanes(doc["lanes"], contract)
        self.type(doc["program"], "object", "$.program", f"TR-{_area(contract)}-1")
        return contract

    def rule_list(self, rules: Any, contract: str) -> None:
        self.strings(rules, "$.rules", "TR-FMT-3", distinct=True)
        self.require(bool(rules), "$.rules", "at least one rule ID", "TR-FMT-3")
        for i, rule in enumerate(rules):
            self.rule_id(rule, f"$.rules[{i}]", contract)

    def rule_id(self, rule: Any, path: str, contract: str) -> None:
        prefix = PREFIX[contract]
        self.require(isinstance(rule, str) and RULE.fullmatch(rule) is not None
                     and rule.startswith(prefix), path,
                     f"a rule ID {prefix}<AREA>-<n> of the {contract} contract, got "
                     f"{describe_value(rule)}", "TR-FMT-3")
        self.require(rule in self.known, path,
                     f"a rule the specs define, got {rule!r} (no such rule)", "TR-FMT-3")

    def cited(self, rule: Any, path: str, doc: dict[str, Any], contract: str) -> None:
        self.rule_id(rule, path, contract)
        self.require(rule in doc["rules"], path,
                     f"a rule listed in $.rules, got {rule!r}", "TR-FMT-3")

    def lanes(self, lanes: Any, contract: str) -> None:
        choices = ("sync", "async") if contract == "callbacks" else ("async",)
        self.strings(lanes, "$.lanes", "TR-FMT-4", choices=choices, distinct=True)
        self.require(bool(lanes), "$.lanes", f"at least one of {', '.join(choices)}",
                     "TR-FMT-4")


def _area(contract: str) -> str:
    return "CB" if contract == "callbacks" else "STREAM"


# -- callbacks ---------------------------------------------------------------------------

class CallbackChecker(Checker):
    """The program and observations of a callback transcript (TR-CB)."""

    def program(self, doc: dict[str, Any]) -> None:
        program = doc["program"]
        self.lanes_of = doc["lanes"]
        self.fields(program, "$.program", ("requests",), ("handlers", "concurrent"),
                    "TR-CB-2")
        self.labels = self.handlers(program.get("handlers", {}))
        if "concurrent" in program:
            self.type(program["concurrent"], "bool", "$.program.concurrent", "TR-CB-2")
        requests = self.type(program["requests"], "list", "$.program.requests", "TR-CB-2")
        self.require(bool(requests), "$.program.requests", "at least one request", "TR-CB-2")
        self.run_ids: dict[str, str] = {}
        names: list[str] = []
        for i, request in enumerate(requests):
            names.append(self.request(request, f"$.program.requests[{i}]", names))
        self.names = names

    def handlers(self, handlers: Any) -> list[str]:
        path = "$.program.handlers"
        self.type(handlers, "object", path, "TR-CB-1")
        for label, options in handlers.items():
            where = f"{path}.{label}"
            self.require(label.strip() != "", where, "a non-empty handler label", "TR-CB-1")
            self.type(options, "object", where, "TR-CB-1")
            self.fields(options, where, (), HANDLER_OPTIONS, "TR-CB-1")
            for name in ("async", "raise_error", "run_inline"):
                if name in options:
                    self.type(options[name], "bool", f"{where}.{name}", "TR-CB-1")
            if "ignore" in options:
                self.strings(options["ignore"], f"{where}.ignore", "TR-CB-1",
                             choices=IGNORE_FLAGS)
            for i, event in enumerate(self.strings(options.get("fail_on", []),
                                                   f"{where}.fail_on", "TR-CB-1")):
                self.require(event.startswith("on_"), f"{where}.fail_on[{i}]",
                             f"an event name on_..., got {event!r}", "TR-CB-1")
        return list(handlers)

    def label_list(self, value: Any, path: str) -> None:
        for i, label in enumerate(self.strings(value, path, "TR-CB-1")):
            self.require(label in self.labels, f"{path}[{i}]",
                         f"a handler declared in $.program.handlers "
                         f"({', '.join(self.labels) or 'none declared'}), got {label!r}",
                         "TR-CB-1")

    def request(self, request: Any, path: str, names: list[str]) -> str:
        self.type(request, "object", path, "TR-CB-2")
        self.fields(request, path, ("name", "root"), ("handlers", "tags", "metadata"),
                    "TR-CB-2")
        name = self.type(request["name"], "text", f"{path}.name", "TR-CB-2")
        self.require("/" not in name, f"{path}.name", f"a name without '/', got {name!r}",
                     "TR-CB-2")
        self.require(name not in names, f"{path}.name",
                     f"a request name used once, got {name!r} twice", "TR-CB-2")
        self.label_list(request.get("handlers", []), f"{path}.handlers")
        self.strings(request.get("tags", []), f"{path}.tags", "TR-CB-2")
        self.type(request.get("metadata", {}), "object", f"{path}.metadata", "TR-CB-2")
        self.node(request["root"], f"{path}.root", root=True)
        return name

    def node(self, node: Any, path: str, *, root: bool) -> None:
        self.type(node, "object", path, "TR-CB-3")
        self.fields(node, path, ("kind", "name"), NODE_FIELDS, "TR-CB-3")
        kinds = KINDS + (("group",) if root else ())
        kind = self.choice(node["kind"], kinds, f"{path}.kind", "TR-CB-3")
        name = self.type(node["name"], "text", f"{path}.name", "TR-CB-3")
        self.require("/" not in name, f"{path}.name", f"a name without '/', got {name!r}",
                     "TR-CB-3")
        self.label_list(node.get("handlers", []), f"{path}.handlers")
        self.strings(node.get("tags", []), f"{path}.tags", "TR-CB-3")
        self.type(node.get("metadata", {}), "object", f"{path}.metadata", "TR-CB-3")
        if "catch" in node:
            self.type(node["catch"], "bool", f"{path}.catch", "TR-CB-3")
        self.run_id(node.get("run_id"), f"{path}.run_id")
        steps = self.type(node.get("steps", []), "list", f"{path}.steps", "TR-CB-3")
        for i, step in enumerate(steps):
            self.step(step, f"{path}.steps[{i}]", kind)

    def run_id(self, value: Any, path: str) -> None:
        if value is None:
            return
        ok = isinstance(value, str)
        try:
            ok = ok and str(uuid.UUID(value)) == value
        except ValueError:
            ok = False
        self.require(ok, path, f"a lower-case UUID string or null, got {describe_value(value)}",
                     "TR-CB-3")
        self.require(value not in self.run_ids, path,
                     f"a run_id used once, got {value} (also at {self.run_ids.get(value)})",
                     "TR-CB-3")
        self.run_ids[value] = path

    def step(self, step: Any, path: str, kind: str) -> None:
        self.type(step, "object", path, "TR-CB-4")
        present = [k for k in STEP_KINDS if k in step]
        self.require(len(present) == 1, path,
                     f"exactly one step kind ({', '.join(STEP_KINDS)}), got keys "
                     f"{sorted(step)}", "TR-CB-4")
        what = present[0]
        self.fields(step, path, (what,), ("tag",) if what == "call" else (), "TR-CB-4")
        where = f"{path}.{what}"
        if kind == "group":
            self.require(what == "call", path, f"a call step (a group's steps are calls), "
                                               f"got a {what} step", "TR-CB-4")
        self.step_context(what, kind, path)
        value = step[what]
        if what in ("text", "token"):
            self.type(value, "string", where, "TR-CB-4")
        elif what == "retry":
            self.type(value, "nat", where, "TR-CB-4")
        elif what in ("cancel", "rendezvous"):
            self.require(value is True, where, f"true, got {describe_value(value)}", "TR-CB-4")
        elif what == "custom":
            self.type(value, "object", where, "TR-CB-4")
            self.fields(value, where, ("name",), ("data",), "TR-CB-4")
            self.type(value["name"], "text", f"{where}.name", "TR-CB-4")
        elif what == "error":
            self.type(value, "object", where, "TR-CB-4")
            self.fields(value, where, ("type",), ("message",), "TR-CB-4")
            self.choice(value["type"], CB_ERRORS, f"{where}.type", "TR-CB-4")
            self.type(value.get("message", ""), "string", f"{where}.message", "TR-CB-4")
        else:
            if "tag" in step and step["tag"] is not None:
                self.type(step["tag"], "string", f"{path}.tag", "TR-CB-4")
            self.node(value, where, root=False)

    def step_context(self, what: str, kind: str, path: str) -> None:
        if what == "token":
            self.require(kind in MODEL_KINDS, path,
                         f"a token step inside an llm or chat_model, got one in a {kind}",
                         "TR-CB-4")
        if what in ("custom", "call") and kind != "group":
            self.require(kind in PARENT_KINDS, path,
                         f"a {what} step inside a chain, tool or retriever, got one in a "
                         f"{kind}", "TR-CB-4")
        if what == "cancel":
            self.require(self.lanes_of == ["async"], path,
                         "a cancel step only in a transcript whose lanes are [\"async\"]",
                         "TR-CB-4")

    def results(self, doc: dict[str, Any]) -> None:
        expected = self.type(doc["expected"], "object", "$.expected", "TR-CB-5")
        for label in expected:
            self.require(label in self.labels, f"$.expected.{label}",
                         f"a handler declared in $.program.handlers, got {label!r}", "TR-CB-5")
        for label in self.labels:
            self.require(label in expected, "$.expected",
                         f"records for handler {label!r} (missing)", "TR-CB-5")
            records = self.type(expected[label], "list", f"$.expected.{label}", "TR-CB-5")
            for i, record in enumerate(records):
                self.record(record, f"$.expected.{label}[{i}]")
        outcomes = self.type(doc["outcomes"], "object", "$.outcomes", "TR-CB-5")
        self.fields(outcomes, "$.outcomes", self.names, (), "TR-CB-5")
        for name, outcome in outcomes.items():
            self.type(outcome, "text", f"$.outcomes.{name}", "TR-CB-5")

    def record(self, record: Any, path: str) -> None:
        self.type(record, "object", path, "TR-CB-5")
        self.fields(record, path, RECORD_FIELDS, (), "TR-CB-5")
        event = self.type(record["event"], "string", f"{path}.event", "TR-CB-5")
        self.require(event.startswith("on_"), f"{path}.event",
                     f"an event name on_..., got {event!r}", "TR-CB-5")
        for name in ("run", "parent"):
            value = record[name]
            self.require(value is None or isinstance(value, str), f"{path}.{name}",
                         f"a run label or null, got {describe_value(value)}", "TR-CB-5")
        if record["tags"] is not None:
            self.strings(record["tags"], f"{path}.tags", "TR-CB-5")
        if record["metadata"] is not None:
            self.type(record["metadata"], "object", f"{path}.metadata", "TR-CB-5")


# -- streams -----------------------------------------------------------------------------

class StreamChecker(Checker):
    """The program and observations of a run-stream transcript (TR-STREAM)."""

    def program(self, doc: dict[str, Any]) -> None:
        program = doc["program"]
        self.fields(program, "$.program", ("script", "actions"),
                    ("projections", "counter_rules", "schedule"), "TR-STREAM-3")
        if "schedule" in program:
            schedule = self.type(program["schedule"], "list", "$.program.schedule",
                                 "TR-STREAM-3")
            for i, choice in enumerate(schedule):
                self.type(choice, "nat", f"$.program.schedule[{i}]", "TR-STREAM-3")
        self.script(program["script"], "$.program.script")
        self.projections = self.projection_list(program.get("projections", []))
        actions = self.type(program["actions"], "list", "$.program.actions", "TR-STREAM-3")
        self.require(bool(actions), "$.program.actions", "at least one action", "TR-STREAM-3")
        self.cursors: set[str] = set()
        self.handles = {"root"}
        self.tasks: dict[str, bool] = {}  # spawned task -> joined
        for i, action in enumerate(actions):
            self.action(action, f"$.program.actions[{i}]", doc, top=True)
        for task, joined in self.tasks.items():
            self.require(joined, "$.program.actions",
                         f"a join of every spawned task (task {task!r} is never joined)",
                         "TR-STREAM-3")
        counter_rules = self.type(program.get("counter_rules", {}), "object",
                                  "$.program.counter_rules", "TR-STREAM-3")
        self.fields(counter_rules, "$.program.counter_rules", (),
                    COUNTERS + ("pending_tasks",), "TR-STREAM-3")
        for name, rule in counter_rules.items():
            self.cited(rule, f"$.program.counter_rules.{name}", doc, "streams")

    def script(self, script: Any, path: str) -> None:
        self.type(script, "object", path, "TR-STREAM-1")
        self.fields(script, path, ("events",), ("error_at", "error", "generator", "stubborn"),
                    "TR-STREAM-1")
        events = self.type(script["events"], "list", f"{path}.events", "TR-STREAM-1")
        for i, event in enumerate(events):
            where = f"{path}.events[{i}]"
            self.type(event, "object", where, "TR-STREAM-1")
            self.fields(event, where, ("method", "namespace", "data"), ("interrupts",),
                        "TR-STREAM-1")
            self.type(event["method"], "text", f"{where}.method", "TR-STREAM-1")
            self.strings(event["namespace"], f"{where}.namespace", "TR-STREAM-1")
            if "interrupts" in event:
                self.type(event["interrupts"], "list", f"{where}.interrupts", "TR-STREAM-1")
        error_at = script.get("error_at")
        if error_at is not None:
            self.type(error_at, "nat", f"{path}.error_at", "TR-STREAM-1")
            self.require(error_at <= len(events), f"{path}.error_at",
                         f"an index from 0 to {len(events)} (the number of events), "
                         f"got {error_at}", "TR-STREAM-1")
        if "error" in script:
            error = self.type(script["error"], "object", f"{path}.error", "TR-STREAM-1")
            self.fields(error, f"{path}.error", ("type", "message"), (), "TR-STREAM-1")
            self.choice(error["type"], STREAM_ERRORS, f"{path}.error.type", "TR-STREAM-1")
            self.type(error["message"], "string", f"{path}.error.message", "TR-STREAM-1")
        for name in ("generator", "stubborn"):
            if name in script:
                self.type(script[name], "bool", f"{path}.{name}", "TR-STREAM-1")

    def projection_list(self, projections: Any) -> list[str]:
        path = "$.program.projections"
        self.type(projections, "list", path, "TR-STREAM-2")
        names: list[str] = []
        for i, spec in enumerate(projections):
            where = f"{path}[{i}]"
            self.type(spec, "object", where, "TR-STREAM-2")
            self.fields(spec, where, ("name", "method"), ("namespace", "maxlen", "native"),
                        "TR-STREAM-2")
            name = self.type(spec["name"], "text", f"{where}.name", "TR-STREAM-2")
            self.require(name not in names + ["main", "values"], f"{where}.name",
                         f"a new projection name (not main or values), got {name!r}",
                         "TR-STREAM-2")
            names.append(name)
            self.type(spec["method"], "text", f"{where}.method", "TR-STREAM-2")
            if spec.get("namespace") is not None:
                self.strings(spec["namespace"], f"{where}.namespace", "TR-STREAM-2")
            if spec.get("maxlen") is not None:
                self.type(spec["maxlen"], "pos", f"{where}.maxlen", "TR-STREAM-2")
            if "native" in spec:
                self.type(spec["native"], "bool", f"{where}.native", "TR-STREAM-2")
        return names

    def action(self, action: Any, path: str, doc: dict[str, Any], *, top: bool) -> None:
        rule = "TR-STREAM-3"
        self.type(action, "object", path, rule)
        self.require("do" in action, path, "a field 'do' (missing)", rule)
        kinds = tuple(ACTIONS) if top else tuple(k for k in ACTIONS if k not in
                                                 ("spawn", "join", "join_all"))
        do = self.choice(action["do"], kinds, f"{path}.do", rule)
        self.fields(action, path, ACTIONS[do], COMMON + ACTION_OPTIONS.get(do, ()), rule)
        if "rule" in action:
            self.cited(action["rule"], f"{path}.rule", doc, "streams")
        if "run" in action:
            self.choice(action["run"], sorted(self.handles), f"{path}.run", rule)
        if "terms" in action:
            self.strings(action["terms"], f"{path}.terms", rule)
        self.arguments(action, path, doc)

    def arguments(self, action: dict[str, Any], path: str, doc: dict[str, Any]) -> None:
        rule, do = "TR-STREAM-3", action["do"]
        if "target" in action:
            targets = ["main", "values"] + self.projections
            if do != "subscribe":
                targets.remove("main")
            self.choice(action["target"], targets, f"{path}.target", rule)
        if "n" in action:
            self.type(action["n"], "nat", f"{path}.n", rule)
        if "cursor" in action:
            self.choice(action["cursor"], sorted(self.cursors), f"{path}.cursor", rule)
        if "index" in action:
            self.type(action["index"], "nat", f"{path}.index", rule)
        if do == "async_with":
            self.choice(action["exit"], ("break", "raise"), f"{path}.exit", rule)
        if "from" in action:
            self.choice(action["from"], ("cancelled task",), f"{path}.from", rule)
        if "now" in action:
            self.type(action["now"], "bool", f"{path}.now", rule)
        if "finishes" in action:
            self.type(action["finishes"], "bool", f"{path}.finishes", rule)
        if do == "nested":
            self.strings(action["path"], f"{path}.path", rule)
            self.handles.add(self.new_name(action["as"], self.handles, f"{path}.as"))
        elif do == "tee":
            names = self.strings(action["as"], f"{path}.as", rule, distinct=True)
            self.require(len(names) == action["n"], f"{path}.as",
                         f"{action['n']} cursor names (n), got {len(names)}", rule)
            for i, name in enumerate(names):
                self.cursors.add(self.new_name(name, self.cursors, f"{path}.as[{i}]"))
        elif do in ("subscribe", "async_with"):
            self.cursors.add(self.new_name(action["as"], self.cursors, f"{path}.as"))
        elif do == "spawn":
            self.action(action["action"], f"{path}.action", doc, top=False)
            self.tasks[self.new_name(action["as"], self.tasks, f"{path}.as")] = False
        elif do == "join":
            task = self.choice(action["task"], sorted(self.tasks), f"{path}.task", rule)
            self.require(not self.tasks[task], f"{path}.task",
                         f"a task joined once, got {task!r} again", rule)
            self.tasks[task] = True
        elif do == "join_all":
            self.tasks = dict.fromkeys(self.tasks, True)  # joins every spawned task

    def new_name(self, name: Any, taken: Iterable[str], path: str) -> str:
        self.type(name, "text", path, "TR-STREAM-3")
        self.require(name not in taken, path, f"a name not defined before, got {name!r}",
                     "TR-STREAM-3")
        return name

    def results(self, doc: dict[str, Any]) -> None:
        from conformance.streams.programs import describe

        actions = doc["program"]["actions"]
        expected = self.type(doc["expected"], "list", "$.expected", "TR-STREAM-4")
        self.require(len(expected) == len(actions), "$.expected",
                     f"one entry per action ({len(actions)}), got {len(expected)}",
                     "TR-STREAM-4")
        for i, (entry, action) in enumerate(zip(expected, actions)):
            where = f"$.expected[{i}]"
            self.type(entry, "object", where, "TR-STREAM-4")
            self.fields(entry, where, ("step", "do", "observed"), (), "TR-STREAM-4")
            self.require(entry["step"] == i and not isinstance(entry["step"], bool),
                         f"{where}.step", f"{i}, got {describe_value(entry['step'])}",
                         "TR-STREAM-4")
            self.require(entry["do"] == describe(action), f"{where}.do",
                         f"{describe(action)!r} (the reading of "
                         f"$.program.actions[{i}]), got {describe_value(entry['do'])}",
                         "TR-STREAM-4")
            self.type(entry["observed"], "object", f"{where}.observed", "TR-STREAM-4")
        outcomes = self.type(doc["outcomes"], "object", "$.outcomes", "TR-STREAM-4")
        self.fields(outcomes, "$.outcomes", ("source", "pending_tasks"), (), "TR-STREAM-4")
        source = self.type(outcomes["source"], "object", "$.outcomes.source", "TR-STREAM-4")
        self.fields(source, "$.outcomes.source", COUNTERS, (), "TR-STREAM-4")
        for name in COUNTERS:
            self.type(source[name], "nat", f"$.outcomes.source.{name}", "TR-STREAM-4")
        self.type(outcomes["pending_tasks"], "nat", "$.outcomes.pending_tasks", "TR-STREAM-4")


CHECKERS: dict[str, type[CallbackChecker] | type[StreamChecker]] = {
    "callbacks": CallbackChecker, "streams": StreamChecker}


# -- entry points ----------------------------------------------------------------------------

def validate(doc: Any, file: str | Path = "<transcript>", *, stem: str | None = None,
             scenario: bool = False, rules: Iterable[str] | None = None) -> str:
    """Check ``doc``; return its contract or raise the first :class:`TranscriptError`.

    ``stem`` is the file name the id must equal; ``scenario`` accepts a document without
    ``expected`` and ``outcomes`` (the input of the record command); ``rules`` replaces
    the catalogue of existing rule IDs (for tests).
    """
    name = str(file)
    contract = Checker(name, rules).document(doc, stem=stem, scenario=scenario)
    checker = CHECKERS[contract](name, rules)
    checker.program(doc)
    if "expected" in doc or "outcomes" in doc:
        for field in RESULTS:
            checker.require(field in doc, "$", f"a field {field!r} (missing; a scenario "
                                               f"has both expected and outcomes or neither)",
                            "TR-FMT-1")
        checker.results(doc)
    return contract


def parse(path: str | Path) -> Any:
    """The JSON document in ``path``; a file that is not JSON is a TranscriptError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TranscriptError(str(path), "$", f"a readable UTF-8 file ({exc})",
                              "TR-FMT-1") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise TranscriptError(str(path), "$", f"JSON text ({exc.msg} at line {exc.lineno}, "
                                              f"column {exc.colno})", "TR-FMT-1") from None


def load_transcript(path: str | Path, *, scenario: bool = False) -> dict[str, Any]:
    """Read and validate a transcript file (its id must be its file name).

    A document nested deeper than the interpreter's recursion limit (a hostile or
    generated file) is a TranscriptError naming the file, like any other malformed one,
    never a ``RecursionError`` that ends the collection of every transcript.
    """
    try:
        doc = parse(path)
        validate(doc, path, stem=Path(path).stem, scenario=scenario)
    except RecursionError:
        raise TranscriptError(str(path), "$", "a document nested less deeply (its nesting "
                                              "exceeds the recursion limit)", "TR-FMT-1") from None
    return doc


def canonical(doc: dict[str, Any]) -> str:
    """The canonical text of a transcript file (TR-FMT-5)."""
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"

"""The run-stream half of the transcript format: a stream program and its observations
(TR-STREAM).

:mod:`conformance.transcripts.validate` checks what every transcript shares, then hands
the program and results to this checker (found through :mod:`conformance.contracts`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from conformance.streams.programs import describe
from conformance.transcripts.validate import Checker, describe_value

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
        if isinstance(action.get("finishes"), str):  # the rule that says the task ends
            self.cited(action["finishes"], f"{path}.finishes", doc, "streams")
        elif "finishes" in action:
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

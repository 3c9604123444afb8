"""The callback half of the transcript format: a callback program and its records (TR-CB).

:mod:`conformance.transcripts.validate` checks what every transcript shares, then hands
the program and results to this checker (found through :mod:`conformance.contracts`).
"""

from __future__ import annotations

import uuid
from typing import Any

from conformance.callbacks.programs import ERRORS as CB_ERRORS
from conformance.callbacks.programs import KINDS, MODEL_KINDS, PARENT_KINDS
from conformance.callbacks.recording import IGNORE_FLAGS
from conformance.transcripts.validate import Checker, describe_value

HANDLER_OPTIONS = {"async": "bool", "raise_error": "bool", "run_inline": "bool",
                   "ignore": "list", "fail_on": "list"}
NODE_FIELDS = ("kind", "name", "handlers", "tags", "metadata", "run_id", "input", "output",
               "catch", "steps")
STEP_KINDS = ("text", "retry", "token", "custom", "call", "error", "cancel", "rendezvous")
RECORD_FIELDS = ("event", "run", "parent", "tags", "metadata", "data")


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

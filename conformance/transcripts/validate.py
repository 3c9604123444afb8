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
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from conformance.contracts import contract as contract_named
from conformance.contracts import contracts
from conformance.errors import ProgramError
from conformance.rules import catalogue

ID = re.compile(r"[a-z0-9_]+")
RULE = re.compile(r"[A-Z]+-[A-Z]+-\d+")  # its prefix is the contract's
REQUIRED = ("format", "id", "title", "source", "rules", "lanes", "program")
RESULTS = ("expected", "outcomes")
OPTIONAL = ("contract", "origin")
FORMAT = "runcert-transcript/1"



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
        self.choice(contract, sorted(contracts()), "$.contract", "TR-FMT-4")
        self.rule_list(doc["rules"], contract)
        self.lanes(doc["lanes"], contract)
        self.type(doc["program"], "object", "$.program", f"TR-{contract_named(contract).area}-1")
        return contract

    def rule_list(self, rules: Any, contract: str) -> None:
        self.strings(rules, "$.rules", "TR-FMT-3", distinct=True)
        self.require(bool(rules), "$.rules", "at least one rule ID", "TR-FMT-3")
        for i, rule in enumerate(rules):
            self.rule_id(rule, f"$.rules[{i}]", contract)

    def rule_id(self, rule: Any, path: str, contract: str) -> None:
        prefix = contract_named(contract).prefix
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
        choices = contract_named(contract).program_lanes
        self.strings(lanes, "$.lanes", "TR-FMT-4", choices=choices, distinct=True)
        self.require(bool(lanes), "$.lanes", f"at least one of {', '.join(choices)}",
                     "TR-FMT-4")



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
    checker = contract_named(contract).checker(name, rules)
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

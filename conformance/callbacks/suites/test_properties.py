"""Laws over random programs: scoping, linkage, tags, metadata, pairing, isolation, parity.

Each ``@given`` test draws programs (conformance.callbacks.strategies), runs them with the kit's
LangChain-like framework (conformance.callbacks.programs) on one lane, and checks one law group
against a model computed from the program itself. Every check names its rule, so a
failure is reported on that rule and Hypothesis shrinks it to a small program; with
``--runcert-counterexamples=DIR`` the shrunk program is written there as a transcript
(conformance.counterexamples) and the failure says where.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings

from conformance.adapter import CB_ASYNC, CB_SYNC
from conformance.checks import RuleViolation, check
from conformance.callbacks.programs import (
    Records, compare, node_defaults, node_labels, observe, playable, request_of,
)
from conformance.callbacks.recording import END_EVENTS, START_EVENTS
from conformance.callbacks.strategies import programs

LAWS = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])

START = {"chain": "on_chain_start", "tool": "on_tool_start",
         "retriever": "on_retriever_start", "llm": "on_llm_start",
         "chat_model": "on_chat_model_start"}
END = {"chain": "on_chain_end", "tool": "on_tool_end", "retriever": "on_retriever_end",
       "llm": "on_llm_end", "chat_model": "on_llm_end"}
STEP_EVENT = {"text": "on_text", "retry": "on_retry", "token": "on_llm_new_token"}


# Edge cases every run checks (besides the drawn programs): a chat model observed by
# handlers that ignore one model family each; an LLM under inline and plain handlers.
CHAT_FLAGS = {
    "handlers": {"req1": {}, "h0": {"ignore": ["chat_model"]}, "h1": {"ignore": ["llm"]}},
    "requests": [{"name": "r1", "handlers": ["req1", "h0", "h1"],
                  "root": {"kind": "chain", "name": "chain", "steps": [{"call": {
                      "kind": "chat_model", "name": "chat_model",
                      "steps": [{"token": "Hel"}]}}]}}]}
# Every kind of run failing (and caught by its parent), under a sync and an async handler:
# each error path of each manager runs on every parity check, not only when drawn.
EVERY_KIND_FAILS = {
    "handlers": {"req1": {}, "h0": {"async": True}},
    "requests": [{"name": "r1", "handlers": ["req1", "h0"], "tags": ["req:a"],
                  "metadata": {"user": "req-1"},
                  "root": {"kind": "chain", "name": "chain", "steps": [
                      {"call": {"kind": kind, "name": kind, "catch": True, "steps": [
                          {"error": {"type": "ValueError", "message": f"{kind} failed"}}]}}
                      for kind in ("tool", "retriever", "llm", "chat_model", "chain")]}}]}
INLINE_LLM = {
    "handlers": {"req1": {"run_inline": True}, "h0": {}},
    "requests": [{"name": "r1", "handlers": ["req1", "h0"],
                  "root": {"kind": "llm", "name": "llm", "steps": [{"token": "x"}]}}]}


# -- the model: what an error-free program must show ---------------------------------

@dataclass
class Node:
    """What the contract says about one component's run."""

    label: str
    kind: str
    parent: str | None
    request: dict[str, Any]
    depth: int
    audience: set[str]  # request handlers + constructor handlers
    tags: set[str]
    metadata: dict[str, Any]
    events: list[str]  # the run's own events, in order (custom events excluded)
    customs: int
    step_tag: str | None
    ancestors: list[Node] = field(default_factory=list)


def model(program: dict[str, Any]) -> dict[str, Node]:
    labels = node_labels(program)
    nodes: dict[str, Node] = {}

    def walk(raw: dict[str, Any], request: dict[str, Any], parent: Node | None,
             step_tag: str | None) -> None:
        node = node_defaults(raw)
        own_steps = [s for s in node["steps"] if set(s) & set(STEP_EVENT)]
        facts = Node(
            label=labels[id(raw)], kind=node["kind"],
            parent=parent.label if parent else None, request=request,
            depth=parent.depth + 1 if parent else 0,
            audience=set(request.get("handlers", [])) | set(node["handlers"]),
            tags=set(request.get("tags", [])) | set(node["tags"])
            | ({step_tag} if step_tag else set()),
            metadata={**request.get("metadata", {}), **node["metadata"]},
            events=[START[node["kind"]]]
            + [STEP_EVENT[next(k for k in s if k in STEP_EVENT)] for s in own_steps]
            + [END[node["kind"]]],
            customs=sum("custom" in s for s in node["steps"]), step_tag=step_tag,
            ancestors=(parent.ancestors + [parent]) if parent else [])
        nodes[facts.label] = facts
        for step in node["steps"]:
            if "call" in step:
                walk(step["call"], request, facts, step.get("tag"))

    for request in program["requests"]:
        walk(request["root"], request, None, None)
    return nodes


def expected_counts(nodes: dict[str, Node], handler: str) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for node in nodes.values():
        if handler in node.audience:
            counts.update((node.label, event) for event in node.events)
        if handler in node.request.get("handlers", []) and node.customs:
            counts[(node.label, "on_custom_event")] += node.customs
    return counts


def observed_counts(records: Records, handler: str) -> Counter[tuple[str, str]]:
    return Counter((r["run"], r["event"]) for r in records[handler])


def show(program: dict[str, Any]) -> str:
    return json.dumps(program, sort_keys=True)


# -- scoping ----------------------------------------------------------------------------

@pytest.mark.rule("CB-SCOPE-1", "CB-SCOPE-2", "CB-SCOPE-4")
@LAWS
@given(program=programs(duplicates=True))
def test_handler_scoping(runcert_adapter, counterexamples, lane, program):
    """Request handlers see every run of their request; constructor handlers their own."""
    program = playable(program, runcert_adapter)
    with counterexamples.callbacks(program, [lane]):
        records, _ = observe(runcert_adapter, program, lane)
        nodes = model(program)
        for handler in program["handlers"]:
            expected = expected_counts(nodes, handler)
            observed = observed_counts(records, handler)
            for key in sorted(set(expected) | set(observed), key=str):
                check_count(handler, key, expected[key], observed[key], nodes, program)


def check_count(handler: str, key: tuple[str, str], expected: int, observed: int,
                nodes: dict[str, Node], program: dict[str, Any]) -> None:
    run, event = key
    node = nodes.get(run)
    is_request_handler = node is not None and handler in node.request.get("handlers", [])
    if observed < expected:
        rule = "CB-SCOPE-1" if is_request_handler else "CB-SCOPE-2"
    elif observed > expected:
        rule = "CB-SCOPE-4" if expected else "CB-SCOPE-2"
    else:
        return
    check(rule, False, f"handler {handler!r} got {event} for run {run} {observed} time(s), "
                       f"expected {expected}; program {show(program)}")


# -- linkage ----------------------------------------------------------------------------

@pytest.mark.rule("CB-ID-4", "CB-ID-5")
@LAWS
@given(program=programs())
def test_parent_linkage(runcert_adapter, counterexamples, lane, program):
    """Every event names its run and the run's parent; children link to their caller."""
    program = playable(program, runcert_adapter)
    with counterexamples.callbacks(program, [lane]):
        records, _ = observe(runcert_adapter, program, lane)
        nodes = model(program)
        for handler, rows in records.items():
            for row in rows:
                node = nodes.get(row["run"])
                check("CB-ID-4", node is not None,
                      f"handler {handler!r}: {row['event']} names run {row['run']}, which the "
                      f"program never started; program {show(program)}")
                if node is None or row["event"] == "on_custom_event":
                    continue
                rule = "CB-ID-5" if node.parent else "CB-ID-4"
                check(rule, row["parent"] == node.parent,
                      f"handler {handler!r}: {row['event']} of {row['run']} carries parent "
                      f"{row['parent']!r}, expected {node.parent!r}; program {show(program)}")


# -- tags -------------------------------------------------------------------------------

@pytest.mark.rule("CB-TAG-1", "CB-TAG-2", "CB-TAG-3", "CB-CHILD-3")
@LAWS
@given(program=programs())
def test_tag_inheritance(runcert_adapter, counterexamples, lane, program):
    """Request tags reach every run; constructor and get_child tags only their own."""
    program = playable(program, runcert_adapter)
    with counterexamples.callbacks(program, [lane]):
        records, _ = observe(runcert_adapter, program, lane)
        nodes = model(program)
        for handler, rows in records.items():
            for row in rows:
                node = nodes.get(row["run"])
                if node is None:
                    continue
                custom = row["event"] == "on_custom_event"
                expected = set(node.request.get("tags", [])) if custom else node.tags
                observed = set(row["tags"] or [])
                if observed != expected:
                    rule = tag_rule(node, expected - observed, observed - expected)
                    check(rule, False, f"handler {handler!r}: {row['event']} of {row['run']} "
                                       f"carries tags {sorted(observed)}, expected "
                                       f"{sorted(expected)}; program {show(program)}")


def tag_rule(node: Node, missing: set[str], extra: set[str]) -> str:
    """The rule a tag difference breaks, judged by where the tag comes from."""
    if missing:
        tag = min(missing)
        if tag == node.step_tag:
            return "CB-CHILD-3"
        return "CB-TAG-2" if tag in node.request.get("tags", []) and node.depth else "CB-TAG-1"
    for tag in sorted(extra):
        if any(tag == a.step_tag for a in node.ancestors):
            return "CB-CHILD-3"
        if any(tag in own_tags(a) for a in node.ancestors):
            return "CB-TAG-3"
    return "CB-TAG-1"


def own_tags(node: Node) -> set[str]:
    """A node's own constructor tags (its tags minus inherited and step tags)."""
    return node.tags - set(node.request.get("tags", [])) - {node.step_tag}


# -- metadata ---------------------------------------------------------------------------

@pytest.mark.rule("CB-META-1", "CB-META-2", "CB-META-3")
@LAWS
@given(program=programs())
def test_metadata_precedence(runcert_adapter, counterexamples, lane, program):
    """Start events carry request metadata overridden by the component's own, locally."""
    program = playable(program, runcert_adapter)
    with counterexamples.callbacks(program, [lane]):
        records, _ = observe(runcert_adapter, program, lane)
        nodes = model(program)
        for handler, rows in records.items():
            for row in rows:
                node = nodes.get(row["run"])
                if node is None or row["event"] not in START_EVENTS:
                    continue
                observed = row["metadata"] or {}
                if observed != node.metadata:
                    check(metadata_rule(node, row["metadata"]), False, (
                        f"handler {handler!r}: {row['event']} of {row['run']} carries "
                        f"metadata {observed}, expected {node.metadata}; "
                        f"program {show(program)}"))


def metadata_rule(node: Node, carried: dict[str, Any] | None) -> str:
    """The rule a start event's wrong metadata breaks. A start event without any
    ``metadata`` argument does not carry metadata at all (CB-META-1), whichever keys
    it should have had; otherwise the first wrong key says which rule failed."""
    if carried is None:
        return "CB-META-1"
    observed = carried
    own = node.metadata.keys() - node.request.get("metadata", {}).keys()
    request = node.request.get("metadata", {})
    for key in sorted(node.metadata.keys() | observed.keys()):
        if node.metadata.get(key) == observed.get(key):
            continue
        if key in request and node.metadata.get(key) != request[key]:
            return "CB-META-3"  # the component's value must win on its own run
        if key in request:
            return "CB-META-2" if node.depth else "CB-META-1"
        return "CB-META-1" if key in own else "CB-META-2"
    return "CB-META-1"


# -- pairing ----------------------------------------------------------------------------

@pytest.mark.rule("CB-PAIR-1", "CB-PAIR-2")
@LAWS
@given(program=programs(errors=True, ignore=True))
@example(program=CHAT_FLAGS)
def test_start_end_pairing(runcert_adapter, counterexamples, lane, program):
    """Each start a handler sees is closed once, after its descendants; no orphan ends."""
    program = playable(program, runcert_adapter)
    with counterexamples.callbacks(program, [lane]):
        records, _ = observe(runcert_adapter, program, lane)
        for handler, rows in records.items():
            check_pairing(handler, rows, program)


def check_pairing(handler: str, rows: list[dict[str, Any]], program: dict[str, Any]) -> None:
    """Starts and ends balance per run. They are counted, not merely seen: a handler held
    twice gets every event twice, start included, and that duplicate is CB-SCOPE-4's
    finding; a second end without a second start is this rule's."""
    starts: Counter[str] = Counter()
    ends: Counter[str] = Counter()
    where = f"handler {handler!r}; program {show(program)}"
    for row in rows:
        run, event = row["run"], row["event"]
        if event in START_EVENTS:
            starts[run] += 1
            continue
        if event not in END_EVENTS | {"on_llm_new_token"}:
            continue
        check("CB-PAIR-2", starts[run] > 0, f"{event} for run {run} without its start; {where}")
        check("CB-PAIR-1", ends[run] < starts[run],
              f"second end ({event}) for run {run}; {where}")
        if event in END_EVENTS:
            open_below = sorted(r for r in starts if r.startswith(run + "/") and ends[r] < starts[r])
            check("CB-PAIR-1", not open_below,
                  f"{event} for run {run} before its descendants {open_below} ended; {where}")
            ends[run] += 1
    never = sorted(r for r in starts if ends[r] < starts[r])
    check("CB-PAIR-1", not never, f"runs {never} started but never ended; {where}")


# -- isolation --------------------------------------------------------------------------

#: CB-ISO-1 is the async lane's rule, CB-ISO-2 the sync lane's: each lane's test cites its
#: own, so an implementation with one lane gets no pass for the other lane's rule.
ISOLATION_LANES = [
    pytest.param("sync", marks=[pytest.mark.rule("CB-ISO-2"), pytest.mark.requires(CB_SYNC)],
                 id="sync"),
    pytest.param("async", marks=[pytest.mark.rule("CB-ISO-1"), pytest.mark.requires(CB_ASYNC)],
                 id="async"),
]


@pytest.mark.parametrize("lane", ISOLATION_LANES)
@LAWS
@given(program=programs(requests=3, concurrent=True))
def test_concurrent_isolation(runcert_adapter, counterexamples, lane, program):
    """Concurrent requests: each request handler sees all of its request, nothing else."""
    program = playable(program, runcert_adapter)
    with counterexamples.callbacks(program, [lane]):
        rule = {"async": "CB-ISO-1", "sync": "CB-ISO-2"}[lane]
        records, _ = observe(runcert_adapter, program, lane)
        nodes = model(program)
        for index, request in enumerate(program["requests"], start=1):
            handler = f"req{index}"
            foreign = sorted({r["run"] for r in records[handler]
                              if request_of(r["run"]) != request["name"]})
            check(rule, not foreign, f"{handler!r} of request {request['name']} got events of "
                                     f"{foreign}; program {show(program)}")
            expected = expected_counts(nodes, handler)
            observed = observed_counts(records, handler)
            lost = sorted((expected - observed).elements(), key=str)
            check(rule, not lost, f"{handler!r} of request {request['name']} is missing "
                                  f"{lost}; program {show(program)}")


# -- parity -----------------------------------------------------------------------------

@pytest.mark.rule("CB-PARITY-1")
@pytest.mark.requires(CB_SYNC, CB_ASYNC)
@LAWS
@given(program=programs(inline=True, ignore=True, errors=True))
@example(program=INLINE_LLM)
@example(program=EVERY_KIND_FAILS)
def test_sync_async_parity(runcert_adapter, counterexamples, program):
    """The same program shows every handler the same transcript on both managers."""
    with counterexamples.callbacks(program, ["sync", "async"]):
        sync_records, sync_outcomes = observe(runcert_adapter, program, "sync")
        async_records, async_outcomes = observe(runcert_adapter, program, "async")
        try:
            compare(sync_records, async_records, ["CB-PARITY-1"],
                    expected_outcomes=sync_outcomes, observed_outcomes=async_outcomes,
                    program=program)
        except RuleViolation as difference:
            check("CB-PARITY-1", False, f"sync lane (expected) vs async lane (got): "
                                        f"{difference.message}; program {show(program)}")


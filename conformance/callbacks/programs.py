"""Scenario programs: small LangChain-like applications written as JSON-able data.

A *program* names its handlers and the requests it serves; each request runs a tree of
components (chain, tool, retriever, llm, chat_model, or a trace ``group`` at the root).
The kit's framework (:class:`Framework`) drives the implementation exactly the way
LangChain components do::

    manager = Manager.configure(inheritable_callbacks=<request handlers at the root,
                                                       the parent's get_child(tag) below>,
                                local_callbacks=<the component's constructor handlers>,
                                inheritable_tags=<request tags, root only>,
                                local_tags=<constructor tags>,
                                inheritable_metadata=<request metadata, root only>,
                                local_metadata=<constructor metadata>, verbose=False)
    run = manager.on_<kind>_start(...)        # optional explicit run_id
    ... steps, in order ...
    run.on_<kind>_end(...)                    # or on_<kind>_error(exc), then re-raise

Program shape (every field but ``kind``/``name`` has a default)::

    {"handlers": {"req": {"async": false, "raise_error": false, "run_inline": false,
                          "ignore": [], "fail_on": []}},
     "requests": [{"name": "r1", "handlers": ["req"], "tags": [], "metadata": {},
                   "root": NODE}],
     "concurrent": false}
    NODE = {"kind": "chain", "name": "agent", "handlers": [], "tags": [], "metadata": {},
            "run_id": null, "input": ..., "output": ..., "catch": false, "steps": [STEP...]}

Steps: ``{"text": s}``, ``{"retry": attempt}``, ``{"custom": {"name", "data"}}`` (on
``run.get_child()`` with ``run_id=child.parent_run_id``), ``{"token": s}`` (llm and
chat_model only), ``{"call": NODE, "tag": t}`` (child on ``run.get_child(t)``; a child
with ``catch: true`` has its ``Exception`` swallowed by the caller), ``{"error": {"type",
"message"}}`` (raise ValueError, RuntimeError, CancelledError, KeyboardInterrupt or
GeneratorExit), ``{"cancel": true}`` (async lane: the request's task is cancelled while
it waits), ``{"rendezvous": true}`` (concurrent requests wait for each other here).
A ``group`` root runs ``trace_as_chain_group(name, callback_manager=<request manager>,
tags=, metadata=)`` and its ``call`` steps are configured from the group's manager.

:func:`run_program` returns the :class:`Log` and a map run_id -> node label
(``request/path/name``); :func:`transcript` turns them into per-handler records;
:func:`compare` reports the first difference against expected records as a
:class:`~conformance.checks.RuleViolation` of one of the transcript's rules.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

from conformance import aio
from conformance.errors import ProgramError, render_error  # noqa: F401 (re-exported)
from conformance.callbacks import lanes
from conformance.adapter import CB_ASYNC, CB_SYNC, CB_TRACE_GROUP, Adapter
from conformance.checks import RuleViolation, escape_verdict
from conformance.transcripts.validate import FORMAT, canonical, load_transcript  # noqa: F401
from conformance.callbacks.lanes import call, configure
from conformance.callbacks.recording import END_EVENTS, START_EVENTS, Log, handler_kinds, make_handler

Record = dict[str, Any]
Records = dict[str, list[Record]]

KINDS = ("chain", "tool", "retriever", "llm", "chat_model")
PARENT_KINDS = ("chain", "tool", "retriever")  # run managers with get_child()
MODEL_KINDS = ("llm", "chat_model")
ERRORS: dict[str, type[BaseException]] = {
    "ValueError": ValueError,
    "RuntimeError": RuntimeError,
    "CancelledError": asyncio.CancelledError,
    "KeyboardInterrupt": KeyboardInterrupt,
    "GeneratorExit": GeneratorExit,
}
LANE_CAPABILITY = {"sync": CB_SYNC, "async": CB_ASYNC}
RENDEZVOUS_TIMEOUT = 2.0


@dataclass
class RetryState:
    """What a retry wrapper reports through ``on_retry`` (tenacity-like, minimal)."""

    attempt_number: int


# -- program defaults and labels ---------------------------------------------------------

def node_defaults(node: dict[str, Any]) -> dict[str, Any]:
    """``node`` with every optional field filled in (a new dict; children untouched)."""
    kind = node.get("kind")
    if kind not in KINDS + ("group",):
        raise ProgramError(f"unknown component kind {kind!r}")
    full = {"handlers": [], "tags": [], "metadata": {}, "run_id": None, "catch": False,
            "steps": [], **node}
    full.setdefault("input", default_input(kind, full["name"]))
    full.setdefault("output", default_output(kind, full["name"]))
    return full


def default_input(kind: str, name: str) -> Any:
    return {"chain": {"input": name}, "group": {"input": name}}.get(kind, f"input of {name}")


def default_output(kind: str, name: str) -> Any:
    if kind in MODEL_KINDS:
        return f"{name} says hi"
    if kind == "retriever":
        return [f"document from {name}"]
    return {"output": name} if kind in ("chain", "group") else f"output of {name}"


def node_labels(program: dict[str, Any]) -> dict[int, str]:
    """id(node dict) -> unique label ``request/path/name`` (``#n`` for a repeated name)."""
    labels: dict[int, str] = {}

    def walk(node: dict[str, Any], label: str) -> None:
        labels[id(node)] = label
        seen: dict[str, int] = {}
        for step in node.get("steps", []):
            if "call" in step:
                child = step["call"]
                seen[child["name"]] = seen.get(child["name"], 0) + 1
                suffix = f"#{seen[child['name']]}" if seen[child["name"]] > 1 else ""
                walk(child, f"{label}/{child['name']}{suffix}")

    for request in program["requests"]:
        walk(request["root"], f"{request['name']}/{request['root']['name']}")
    return labels


def request_of(label: str | None) -> str | None:
    return label.split("/", 1)[0] if label and not label.startswith("?") else None


# -- the framework -----------------------------------------------------------------------

@dataclass
class Result:
    """What one run of a program produced."""

    log: Log
    labels: dict[uuid.UUID, str]
    handlers: list[str]
    requests: list[str]
    outcomes: dict[str, str]


@dataclass
class Framework:
    """Runs a program's components against one implementation, on one lane."""

    adapter: Adapter
    program: dict[str, Any]
    lane: str
    log: Log = field(default_factory=Log)
    labels: dict[uuid.UUID, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.adapter.callbacks is None:
            raise ProgramError(f"{self.adapter.name} has no callback factories")
        self.cb = self.adapter.callbacks
        self.node_label = node_labels(self.program)
        self.handlers = {
            label: make_handler(
                self.adapter, label, self.log, is_async=spec.get("async", False),
                raise_error=spec.get("raise_error", False),
                run_inline=spec.get("run_inline", False), ignore=spec.get("ignore", ()),
                fail_on=spec.get("fail_on", ()))
            for label, spec in self.program.get("handlers", {}).items()}
        parties = len(self.program["requests"]) if self.program.get("concurrent") else 1
        self.rendezvous = Rendezvous(parties, self.lane)
        self.lock = threading.Lock()

    def pick(self, labels: Iterable[str]) -> list[Any]:
        try:
            return [self.handlers[label] for label in labels]
        except KeyError as exc:
            raise ProgramError(f"undeclared handler {exc.args[0]!r}") from None

    # requests ---------------------------------------------------------------------

    async def request(self, request: dict[str, Any]) -> str:
        """Serve one request; its outcome is ``ok`` or the error that escaped it."""
        try:
            root = node_defaults(request["root"])
            callbacks = self.pick(request.get("handlers", []))
            settings = {"inheritable_tags": list(request.get("tags", [])),
                        "inheritable_metadata": dict(request.get("metadata", {}))}
            if root["kind"] == "group":
                await self.group(request["root"], callbacks, settings)
            else:
                await self.component(request["root"], callbacks, settings)
        except ProgramError:
            raise
        except BaseException as exc:  # noqa: BLE001 - the outcome is the observation
            escape_verdict(exc)  # a hang is a timeout, not a request outcome to compare
            return render_error(exc)
        return "ok"

    async def serve_all(self) -> list[str]:
        requests = self.program["requests"]
        if self.lane == "sync":
            return [await self.request(r) for r in requests]
        if self.program.get("concurrent"):
            return list(await asyncio.gather(*(self.request(r) for r in requests)))
        # One at a time, each in its own task (a cancel step cancels that task only).
        return [await asyncio.create_task(self.request(r)) for r in requests]

    # components -------------------------------------------------------------------

    async def component(self, raw: dict[str, Any], callbacks: Any,
                        settings: dict[str, Any]) -> None:
        node = node_defaults(raw)
        manager = configure(
            self.cb, self.lane, inheritable_callbacks=callbacks,
            local_callbacks=self.pick(node["handlers"]), local_tags=list(node["tags"]),
            local_metadata=dict(node["metadata"]), verbose=False, **settings)
        run = await self.start(manager, node, self.node_label[id(raw)])
        try:
            for step in node["steps"]:
                await self.step(run, node, step)
        except BaseException as exc:
            escape_verdict(exc)  # the implementation hung: drive it no further
            await call(getattr(run, ERROR_METHOD[node["kind"]])(exc))
            raise
        await call(getattr(run, END_METHOD[node["kind"]])(end_payload(node)))

    async def start(self, manager: Any, node: dict[str, Any], label: str) -> Any:
        kind, name = node["kind"], node["name"]
        run_id = uuid.UUID(node["run_id"]) if node["run_id"] else None
        if run_id is not None:  # only the given id names this node (CB-ID-2)
            self.label(run_id, label)
        serialized = {"name": name}
        if kind == "chain":
            run = manager.on_chain_start(serialized, node["input"], run_id=run_id, name=name)
        elif kind == "tool":
            run = manager.on_tool_start(serialized, node["input"], run_id=run_id,
                                        inputs={"query": node["input"]}, name=name)
        elif kind == "retriever":
            run = manager.on_retriever_start(serialized, node["input"], run_id=run_id,
                                             name=name)
        elif kind == "llm":
            run = manager.on_llm_start(serialized, [node["input"]], run_id=run_id, name=name)
        else:
            messages = [[{"role": "user", "content": node["input"]}]]
            run = manager.on_chat_model_start(serialized, messages, run_id=run_id, name=name)
        run = await call(run)
        run = run[0] if kind in MODEL_KINDS else run
        if run_id is None:
            self.label(run.run_id, label)
        return run

    def label(self, run_id: uuid.UUID, label: str) -> None:
        with self.lock:
            self.labels[run_id] = label

    async def step(self, run: Any, node: dict[str, Any], step: dict[str, Any]) -> None:
        kind = node["kind"]
        if "text" in step:
            await call(run.on_text(step["text"]))
        elif "retry" in step:
            await call(run.on_retry(RetryState(step["retry"])))
        elif "token" in step:
            self.require(kind in MODEL_KINDS, "token steps need an llm or chat_model", node)
            await call(run.on_llm_new_token(step["token"], chunk={"text": step["token"]}))
        elif "custom" in step:
            self.require(kind in PARENT_KINDS, "custom steps need get_child()", node)
            child = run.get_child()
            event = step["custom"]
            await call(child.on_custom_event(event["name"], event.get("data"),
                                             run_id=child.parent_run_id))
        elif "call" in step:
            self.require(kind in PARENT_KINDS, "call steps need get_child()", node)
            await self.child(step["call"], run.get_child(step.get("tag")))
        else:
            await self.control_step(step, node)

    async def child(self, raw: dict[str, Any], callbacks: Any) -> None:
        try:
            await self.component(raw, callbacks, {})
        except Exception as exc:
            escape_verdict(exc)
            if not raw.get("catch", False):
                raise

    async def control_step(self, step: dict[str, Any], node: dict[str, Any]) -> None:
        if "error" in step:
            spec = step["error"]
            raise ERRORS[spec["type"]](*([spec["message"]] if spec.get("message") else []))
        if "cancel" in step:
            self.require(self.lane == "async", "cancel steps run on the async lane only", node)
            task = asyncio.current_task()
            assert task is not None
            task.cancel()
            await asyncio.Event().wait()  # the cancellation arrives while waiting here
        elif "rendezvous" in step:
            await self.rendezvous.wait()
        else:
            raise ProgramError(f"unknown step {step!r} in {node['name']!r}")

    @staticmethod
    def require(condition: bool, message: str, node: dict[str, Any]) -> None:
        if not condition:
            raise ProgramError(f"{message} (component {node['name']!r})")

    # trace groups -----------------------------------------------------------------

    async def group(self, raw: dict[str, Any], callbacks: Any,
                    settings: dict[str, Any]) -> None:
        """A root ``trace_as_chain_group`` over a manager holding the request handlers."""
        node = node_defaults(raw)
        manager = configure(self.cb, self.lane, inheritable_callbacks=callbacks, **settings)
        tracer = (self.cb.trace_as_chain_group if self.lane == "sync"
                  else self.cb.atrace_as_chain_group)
        if tracer is None:
            raise ProgramError("the adapter has no trace group for this lane")
        options = {"callback_manager": manager, "inputs": node["input"],
                   "tags": list(node["tags"]) or None,
                   "metadata": dict(node["metadata"]) or None}
        if node["run_id"]:
            options["run_id"] = uuid.UUID(node["run_id"])
        label = self.node_label[id(raw)]
        if self.lane == "sync":
            with tracer(node["name"], **options) as group_manager:
                await self.group_body(group_manager, node, label)
        else:
            async with tracer(node["name"], **options) as group_manager:
                await self.group_body(group_manager, node, label)

    async def group_body(self, group_manager: Any, node: dict[str, Any], label: str) -> None:
        self.label(group_manager.parent_run_id, label)
        for step in node["steps"]:
            if "call" not in step:
                raise ProgramError("a group's steps are calls only")
            await self.child(step["call"], group_manager)


END_METHOD = {"chain": "on_chain_end", "tool": "on_tool_end", "retriever": "on_retriever_end",
              "llm": "on_llm_end", "chat_model": "on_llm_end"}
ERROR_METHOD = {"chain": "on_chain_error", "tool": "on_tool_error",
                "retriever": "on_retriever_error", "llm": "on_llm_error",
                "chat_model": "on_llm_error"}


def end_payload(node: dict[str, Any]) -> Any:
    if node["kind"] in MODEL_KINDS:
        return {"generations": [[{"text": node["output"]}]]}
    return node["output"]


class Rendezvous:
    """The k-th rendezvous of every concurrent request waits for all the others."""

    def __init__(self, parties: int, lane: str) -> None:
        self.parties, self.lane = parties, lane
        self.points: dict[int, Any] = {}
        self.counts: dict[int, int] = {}  # thread or task id -> rendezvous passed
        self.lock = threading.Lock()

    def _point(self) -> Any:
        me = threading.get_ident() if self.lane == "sync" else id(asyncio.current_task())
        with self.lock:
            index = self.counts.get(me, 0)
            self.counts[me] = index + 1
            if index not in self.points:
                self.points[index] = (threading.Barrier(self.parties) if self.lane == "sync"
                                      else asyncio.Barrier(self.parties))
            return self.points[index]

    async def wait(self) -> None:
        point = self._point()
        if self.lane == "sync":
            point.wait(timeout=RENDEZVOUS_TIMEOUT)  # BrokenBarrierError instead of a hang
        else:
            await aio.within(point.wait(), "a rendezvous of concurrent requests")


def playable(program: dict[str, Any], adapter: Adapter) -> dict[str, Any]:
    """``program`` with its handlers of a kind the implementation lacks played by the kind
    it has (unchanged when it has both).

    For laws that hold whatever the handlers' kinds (scoping, linkage, tags ...): drawn
    programs mix both kinds, and an implementation with one lane must still be checked
    against them, deterministically, not reported n/a whenever a draw includes the
    other kind. Golden transcripts record what handlers of given kinds saw: they are
    not played this way (their test needs the lanes of their handlers).
    """
    if not offers_retry(adapter):
        program = {**program, "requests": [{**r, "root": _without_retries(r["root"])}
                                           for r in program["requests"]]}
    kinds = handler_kinds(adapter)
    if len(kinds) != 1:
        return program
    handlers = {label: {**spec, "async": kinds[0]}
                for label, spec in program.get("handlers", {}).items()}
    return {**program, "handlers": handlers}


def _without_retries(node: dict[str, Any]) -> dict[str, Any]:
    """``node`` and its children without their retry steps."""
    steps = []
    for step in node.get("steps", []):
        if "retry" in step:
            continue
        if "call" in step:
            step = {**step, "call": _without_retries(step["call"])}
        steps.append(step)
    return {**node, "steps": steps}


_retry_offered: dict[int, bool] = {}


def offers_retry(adapter: Adapter) -> bool:
    """Whether the implementation's run managers have ``on_retry`` (asked once per adapter,
    of a chain run started on a fresh manager with no handlers). Where they have none
    (LangChain.js), :func:`playable` programs are played without their retry steps: the
    absence is CB-EV-7's finding (``lanes.SCENARIO_OPTIONAL``), and the laws are certified
    on the events the implementation has."""
    key = id(adapter)
    if key not in _retry_offered:
        factories = adapter.callbacks
        offered = True
        if factories is not None:
            lane = "sync" if factories.callback_manager is not None else "async"
            cls = lanes.manager_class(factories, lane)

            async def probe() -> bool:
                started = await call(cls([]).on_chain_start({"name": "probe"}, {}))
                return callable(getattr(started, "on_retry", None))

            try:
                offered = bool(lanes.run(lane, probe))
            except Exception:  # noqa: BLE001 - cannot tell: play programs as drawn
                offered = True
        _retry_offered[key] = offered
    return _retry_offered[key]


def run_program(adapter: Adapter, program: dict[str, Any], lane: str) -> Result:
    """Run ``program`` on ``lane`` against ``adapter``'s implementation."""
    framework = Framework(adapter, program, lane)
    requests = program["requests"]
    if lane == "sync" and program.get("concurrent") and len(requests) > 1:
        pool = ThreadPoolExecutor(max_workers=len(requests))
        try:
            futures = [pool.submit(lanes.run, "sync", _bind(framework.request, r))
                       for r in requests]
            outcomes = [f.result() for f in futures]
        except BaseException:
            # a timeout: do not wait for requests hung in the implementation
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown()
    else:
        outcomes = lanes.run(lane, framework.serve_all)
    return Result(framework.log, dict(framework.labels), list(framework.handlers),
                  [r["name"] for r in requests], dict(zip((r["name"] for r in requests),
                                                          outcomes)))


def _bind(function: Callable[[Any], Any], argument: Any) -> Callable[[], Any]:
    return lambda: function(argument)


# -- normalisation -----------------------------------------------------------------------

class Renderer:
    """Renders payloads stably: run ids as labels, errors as ``Name: message``."""

    def __init__(self, labels: dict[uuid.UUID, str]) -> None:
        self.labels = dict(labels)
        self.unknown = 0

    def run(self, run_id: Any) -> str | None:
        if run_id is None:
            return None
        if run_id not in self.labels:
            self.unknown += 1
            self.labels[run_id] = f"?unknown-{self.unknown}"
        return self.labels[run_id]

    def value(self, value: Any) -> Any:
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, uuid.UUID):
            return self.run(value)
        if isinstance(value, BaseException):
            return render_error(value)
        if isinstance(value, dict):
            return {str(k): self.value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.value(v) for v in value]
        if is_dataclass(value) and not isinstance(value, type):
            return {"__type__": type(value).__name__,
                    **{f.name: self.value(getattr(value, f.name)) for f in fields(value)}}
        return {"__type__": type(value).__name__, "repr": repr(value)}


def transcript(result: Result) -> Records:
    """Per handler, its events as records, ordered by request, then arrival."""
    renderer = Renderer(result.labels)
    order = {name: index for index, name in enumerate(result.requests)}
    records: Records = {}
    for handler in sorted(result.handlers):
        rows = [to_record(event, renderer) for event in result.log.of(handler)]
        rank = [order.get(request_of(row["run"]) or "", len(order)) for row in rows]
        records[handler] = [row for _, _, row in sorted(
            zip(rank, range(len(rows)), rows), key=lambda t: (t[0], t[1]))]
    return records


def to_record(event: Any, renderer: Renderer) -> Record:
    return {
        "event": event.name,
        "run": renderer.run(event.run_id),
        "parent": renderer.run(event.parent_run_id),
        "tags": sorted(event.tags) if event.tags is not None else None,
        "metadata": renderer.value(event.metadata),
        "data": renderer.value({**event.args, **event.kwargs}),
    }


def observe(adapter: Adapter, program: dict[str, Any], lane: str) -> tuple[Records, dict]:
    """Run ``program`` and return its records and request outcomes."""
    result = run_program(adapter, program, lane)
    return transcript(result), result.outcomes


# -- attributed comparison ---------------------------------------------------------------

#: Kind of difference -> rule-ID prefixes, most specific first.
CANDIDATES: dict[str, tuple[str, ...]] = {
    "outcome": ("CB-PARITY-2", "CB-DISP-3", "CB-DISP-4", "CB-DISP-5", "CB-PAIR-3",
                "CB-GROUP-3"),
    "identity": ("CB-ID-2", "CB-ID-1", "CB-ID-4"),
    "isolation": ("CB-ISO-",),
    "custom": ("CB-CUSTOM-",),
    "custom-missing": ("CB-CUSTOM-",),
    "custom-extra": ("CB-CUSTOM-",),
    "start-missing": ("CB-SCOPE-1", "CB-DISP-2", "CB-GROUP-1", "CB-SCOPE-2", "CB-DISP-5",
                      "CB-IGN-", "CB-PARITY-1"),
    "start-extra": ("CB-SCOPE-2", "CB-IGN-", "CB-SCOPE-5", "CB-DISP-2", "CB-SCOPE-1"),
    "start-doubled": ("CB-SCOPE-4", "CB-DISP-2"),
    "end-missing": ("CB-PAIR-1", "CB-PAIR-3", "CB-GROUP-2", "CB-IGN-7", "CB-PAIR-2",
                    "CB-IGN-", "CB-DISP-2"),
    "end-extra": ("CB-PAIR-2", "CB-IGN-", "CB-PAIR-1", "CB-GROUP-2", "CB-DISP-2"),
    "end-doubled": ("CB-PAIR-1", "CB-GROUP-2", "CB-SCOPE-4", "CB-DISP-2"),
    "event-missing": ("CB-DISP-2", "CB-DISP-5", "CB-SCOPE-1", "CB-IGN-7", "CB-EV-6",
                      "CB-EV-7"),
    "event-extra": ("CB-IGN-", "CB-SCOPE-2", "CB-SCOPE-4", "CB-DISP-2"),
    "event-doubled": ("CB-SCOPE-4", "CB-DISP-2"),
    "parent": ("CB-ID-5", "CB-ID-4", "CB-ISO-3", "CB-GROUP-1", "CB-ID-6"),
    "tags": ("CB-TAG-", "CB-CHILD-3", "CB-GROUP-4"),
    "metadata": ("CB-META-", "CB-GROUP-4"),
    "payload": ("CB-EV-", "CB-PAIR-3", "CB-GROUP-"),
}

TOKEN_EVENTS = frozenset({"on_llm_new_token"})


# The rule a difference of each kind violates when the transcript cites none that fits.
FALLBACK: dict[str, str] = {
    "outcome": "CB-DISP-3", "identity": "CB-ID-1", "isolation": "CB-ISO-1",
    "custom": "CB-CUSTOM-1", "custom-missing": "CB-CUSTOM-1", "custom-extra": "CB-CUSTOM-1",
    "start-missing": "CB-SCOPE-1", "start-extra": "CB-SCOPE-2",
    "start-doubled": "CB-SCOPE-4", "end-missing": "CB-PAIR-1", "end-extra": "CB-PAIR-2",
    "end-doubled": "CB-PAIR-1", "event-missing": "CB-DISP-2", "event-extra": "CB-SCOPE-2",
    "event-doubled": "CB-SCOPE-4", "parent": "CB-ID-4", "tags": "CB-TAG-1",
    "metadata": "CB-META-1", "payload": "CB-EV-8",
}


# The rule that reads each ignore flag (CB-IGN-7: a flag covers its own family only).
FLAG_RULES: dict[str, str] = {
    "chain": "CB-IGN-1", "llm": "CB-IGN-2", "chat_model": "CB-IGN-3", "agent": "CB-IGN-4",
    "retriever": "CB-IGN-5", "retry": "CB-IGN-6", "custom_event": "CB-CUSTOM-4",
}
PER_FAMILY = "CB-IGN-7"


def event_family(event: str, run_kind: str | None) -> str | None:
    """The ignore flag that covers ``event`` of a run of ``run_kind`` (None: no flag
    does, as for ``on_text``). Token, end and error events of a chat model's run are
    the chat model's family, whatever their ``on_llm_`` name says."""
    for prefix, flag in (("on_chain_", "chain"), ("on_tool_", "agent"), ("on_agent_", "agent"),
                         ("on_retriever_", "retriever"), ("on_chat_model_", "chat_model")):
        if event.startswith(prefix):
            return flag
    if event.startswith("on_llm_"):
        return "chat_model" if run_kind == "chat_model" else "llm"
    return {"on_retry": "retry", "on_custom_event": "custom_event"}.get(event)


@dataclass(frozen=True)
class Attribution:
    """What a program says about each record: the ignore flags of the handler that got
    it and the kind of the run it belongs to; so a difference is blamed on the rule that
    the record concerns, not on whichever rule of that area the transcript cites first."""

    flags: dict[str, frozenset[str]]  # handler label -> its ignore flags
    kinds: dict[str, str]  # run label -> component kind

    @classmethod
    def of(cls, program: dict[str, Any] | None) -> Attribution | None:
        if program is None:
            return None
        flags = {label: frozenset(spec.get("ignore", ()))
                 for label, spec in program.get("handlers", {}).items()}
        return cls(flags, run_kinds(program))

    def ignore_rule(self, handler: str, record: Record, change: str) -> str | None:
        """The ignore-flag rule a ``change`` (missing, extra) of ``record`` concerns.

        An extra record of a family the handler ignores breaks that flag's rule; a
        record missing from a handler with flags, outside their families, breaks
        CB-IGN-7 (a flag covers one handler and one family). Else no flag is involved.
        """
        mine = self.flags.get(handler, frozenset())
        family = event_family(record["event"], self.kinds.get(str(record["run"])))
        if change == "extra" and family in mine:
            return FLAG_RULES[family]
        if change == "missing" and mine and family not in mine:
            return PER_FAMILY
        return None


def run_kinds(program: dict[str, Any]) -> dict[str, str]:
    """Run label -> component kind (``chain``, ``tool``, ..., ``group``) of a program."""
    kinds: dict[int, str] = {}

    def collect(node: dict[str, Any]) -> None:
        kinds[id(node)] = node["kind"]
        for step in node.get("steps", []):
            if "call" in step:
                collect(step["call"])

    for request in program["requests"]:
        collect(request["root"])
    return {label: kinds[key] for key, label in node_labels(program).items()}


def attribute(kind: str, rules: list[str], specific: str | None = None) -> str:
    """The cited rule that fits ``kind`` best; else the rule that kind of difference
    violates, cited or not (a wrong parent is a linkage failure whichever scenario shows
    it, not a failure of the scenario's first rule).

    ``specific`` is the ignore-flag rule the differing record itself concerns (see
    :meth:`Attribution.ignore_rule`): when cited it is preferred for an extra record
    (an ignored family delivered is first of all that flag's failure), and it is what
    the area candidate ``CB-IGN-`` stands for, so that area never resolves to an
    unrelated flag's rule."""
    if not rules:
        raise ProgramError("a transcript must cite at least one rule")
    if specific in rules and specific != PER_FAMILY and kind.endswith("-extra"):
        return specific
    for prefix in CANDIDATES[kind]:
        if prefix == "CB-IGN-":
            if specific in rules:
                return specific
            continue
        for rule in rules:
            if rule == prefix or (prefix.endswith("-") and rule.startswith(prefix)):
                return rule
    return FALLBACK[kind]


def compare(expected: Records, observed: Records, rules: list[str], *,
            expected_outcomes: dict[str, str] | None = None,
            observed_outcomes: dict[str, str] | None = None,
            program: dict[str, Any] | None = None) -> None:
    """Raise a RuleViolation for the first difference, attributed to a cited rule.

    Request outcomes are compared first (a handler error that should have stopped a
    request changes everything after it), then each handler's records in label order.
    With the ``program`` that produced the records, a missing or extra record is blamed
    on the ignore flag it concerns (:class:`Attribution`).
    """
    attribution = Attribution.of(program)
    if expected_outcomes is not None and expected_outcomes != observed_outcomes:
        for name in sorted(expected_outcomes):
            got = (observed_outcomes or {}).get(name)
            if got != expected_outcomes[name]:
                raise RuleViolation(attribute("outcome", rules), (
                    f"request {name!r} ended with {got!r}, expected "
                    f"{expected_outcomes[name]!r}"))
    for handler in sorted(set(expected) | set(observed)):
        exp, obs = expected.get(handler, []), observed.get(handler, [])
        for index in range(max(len(exp), len(obs))):
            e = exp[index] if index < len(exp) else None
            o = obs[index] if index < len(obs) else None
            if e != o:
                kind, what, subject = classify(exp, obs, index)
                change = kind.rpartition("-")[2]
                specific = (attribution.ignore_rule(handler, subject, change)
                            if attribution is not None and subject is not None else None)
                raise RuleViolation(attribute(kind, rules, specific), (
                    f"handler {handler!r}, record #{index}: {what}; "
                    f"expected {_show(e)}, got {_show(o)}"))


def classify(exp: list[Record], obs: list[Record],
             index: int) -> tuple[str, str, Record | None]:
    """What kind of difference the first mismatch at ``index`` is, in words, and the
    record it is about (the missing or extra one; None for a changed field)."""
    e = exp[index] if index < len(exp) else None
    o = obs[index] if index < len(obs) else None
    if e is not None and o is not None and (e["event"], e["run"]) == (o["event"], o["run"]):
        for key, kind in (("parent", "parent"), ("tags", "tags"), ("metadata", "metadata"),
                          ("data", "payload")):
            if e[key] != o[key]:
                if e["event"] == "on_custom_event":
                    kind = "custom"
                return kind, f"wrong {key} of {e['event']} for run {e['run']}", None
    if o is not None and str(o["run"]).startswith("?unknown"):
        return "identity", f"{o['event']} names a run the program never started", None
    # An observed record the expected list still has to come means e was skipped.
    missing = o is None or (e is not None and _key(o) in map(_key, exp[index + 1:]))
    subject = e if missing else o
    assert subject is not None
    if subject["event"] == "on_custom_event":
        change = "missing" if missing else "extra"
        return (f"custom-{change}", f"{change} on_custom_event for run {subject['run']}",
                subject)
    if not missing and _foreign(subject, exp):
        return ("isolation", f"event of another request ({request_of(subject['run'])})",
                None)
    family = ("start" if subject["event"] in START_EVENTS else
              "end" if subject["event"] in END_EVENTS | TOKEN_EVENTS else "event")
    change = "missing" if missing else (
        "doubled" if subject in obs[:index] else "extra")
    return (f"{family}-{change}", f"{change} {subject['event']} for run {subject['run']}",
            subject)


def _key(record: Record | None) -> tuple[Any, Any]:
    return (record["event"], record["run"]) if record else (None, None)


def _foreign(record: Record, expected: list[Record]) -> bool:
    mine = {request_of(r["run"]) for r in expected}
    return bool(expected) and request_of(record["run"]) not in mine


def _show(record: Record | None) -> str:
    return "nothing" if record is None else json.dumps(record, sort_keys=True)


# -- transcripts -------------------------------------------------------------------------



def lane_rules(rules: list[str], lane: str) -> list[str]:
    """The cited rules that apply on ``lane`` (CB-ISO-1 is async, CB-ISO-2 sync)."""
    other = {"sync": "CB-ISO-1", "async": "CB-ISO-2"}[lane]
    kept = [r for r in rules if r != other]
    return kept or list(rules)


def replay(doc: dict[str, Any], adapter: Adapter, lane: str) -> tuple[Records, dict]:
    """Run a transcript's program on ``lane``; raise the first attributed difference."""
    records, outcomes = observe(adapter, doc["program"], lane)
    compare(doc["expected"], records, lane_rules(doc["rules"], lane),
            expected_outcomes=doc.get("outcomes"), observed_outcomes=outcomes,
            program=doc["program"])
    return records, outcomes


def lanes_for(doc: dict[str, Any], adapter: Adapter) -> list[str]:
    """The transcript's lanes the adapter can run (a group also needs trace groups)."""
    needs_group = any(r["root"]["kind"] == "group" for r in doc["program"]["requests"])
    if needs_group and not adapter.has(CB_TRACE_GROUP):
        return []
    return [lane for lane in doc["lanes"] if adapter.has(LANE_CAPABILITY[lane])]


def first_difference(source: str | Path | dict[str, Any],
                     adapter: Adapter) -> RuleViolation | None:
    """The first attributed difference of a transcript on ``adapter``, or None.

    ``source`` is a transcript file or its parsed document. Every lane the transcript
    lists and the adapter supports is tried, in the transcript's order; the violation's
    message names the lane. For deviation reproductions: a transcript recorded from the
    reference reproduces a deviation while this returns a violation of that rule.
    """
    doc = source if isinstance(source, dict) else load(source)
    for lane in lanes_for(doc, adapter):
        try:
            replay(doc, adapter, lane)
        except RuleViolation as violation:
            return RuleViolation(violation.rule, f"[{lane} lane] {violation.message}")
    return None


load = load_transcript  # a transcript file, validated (a TranscriptError names the fault)
dumps = canonical  # the canonical text of a transcript file


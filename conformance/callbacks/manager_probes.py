"""Probes of a callback manager's own API: construction, merge, explicit parents, the
stdout handler, a bare base handler and multi-prompt dispatch.

They reproduce deviations a program cannot express, because the observation is what a
manager method returned or raised, or what a handler printed, not the events recorded
handlers received. Each returns labels, outcome names and plain values, never reprs, so a
reproduction recorded on one release compares equal on another that behaves the same.
The probes register in :data:`conformance.probing.PROBES` on import.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import uuid
from typing import Any

from conformance.adapter import Adapter
from conformance.callbacks.lanes import call, manager_class, run
from conformance.callbacks.probes import configured, factories, outcome_of
from conformance.probing import probe
from conformance.callbacks.programs import ProgramError
from conformance.callbacks.recording import Event, Log, make_handler

#: The start method of each run kind, with arguments the contract treats as opaque.
START_CALLS: dict[str, tuple[str, Any]] = {
    "chain": ("on_chain_start", {"q": 1}),
    "tool": ("on_tool_start", "tool input"),
    "retriever": ("on_retriever_start", "query"),
    "llm": ("on_llm_start", ["prompt"]),
    "chat_model": ("on_chat_model_start", [[{"role": "user", "content": "hi"}]]),
}


def _labels(handlers: list[Any]) -> list[str]:
    return sorted(getattr(h, "label", type(h).__name__) for h in handlers)


def _merge_view(merged: Any) -> dict[str, Any]:
    """Handler labels (sorted: their order is CB-MERGE-3's) and inheritable metadata."""
    return {"handlers": _labels(merged.handlers),
            "inheritable_handlers": _labels(merged.inheritable_handlers),
            "inheritable_metadata": dict(merged.inheritable_metadata)}


@probe
def merge_fields(adapter: Adapter, lane: str, group: bool = False) -> Any:
    """``a.merge(b)``: a has local ``a-local`` and inheritable ``shared``, inheritable
    metadata ``{"ik": "a"}``; b has local ``b-local`` and inheritable ``shared`` and
    ``b-up``, inheritable metadata ``{"ik": "b", "ib": 1}``. With ``group``, a is the
    manager a trace group yields (CB-MERGE-2 for the group managers)."""
    log = Log()
    a_local, shared, b_local, b_up = (make_handler(adapter, label, log) for label in
                                      ("a-local", "shared", "b-local", "b-up"))
    cls = manager_class(factories(adapter), lane)
    b = cls([b_local, shared, b_up], [shared, b_up], None, tags=[], inheritable_tags=[],
            metadata={}, inheritable_metadata={"ik": "b", "ib": 1})

    def fill(a: Any) -> Any:
        a.add_handler(a_local, inherit=False)
        a.add_handler(shared, inherit=True)
        a.add_metadata({"ik": "a"}, inherit=True)
        return _merge_view(a.merge(b))

    if not group:
        return fill(cls([], [], None, tags=[], inheritable_tags=[], metadata={},
                        inheritable_metadata={}))
    return run(lane, lambda: _in_group(adapter, lane, fill))


async def _in_group(adapter: Adapter, lane: str, body: Any) -> Any:
    cb = factories(adapter)
    if lane == "sync":
        with cb.trace_as_chain_group("g") as group:
            return body(group)
    async with cb.atrace_as_chain_group("g") as group:
        return body(group)


#: What ``remove_from_one_side`` can remove, and the fields each removal touches.
REMOVALS = {"handler": ("handlers", "inheritable_handlers"),
            "tags": ("tags", "inheritable_tags"),
            "metadata": ("metadata", "inheritable_metadata")}


@probe
def remove_from_one_side(adapter: Adapter, lane: str, removals: list[str]) -> Any:
    """Removal of an entry a manager holds on one side only: ``remove_handler`` of a
    local-only handler (CB-CONS-5), ``remove_tags`` of a local-only tag and
    ``remove_metadata`` of an inheritable-only key (CB-CONS-6), as ``removals`` names
    them; what each call did, and the fields it touches afterwards."""
    handler = make_handler(adapter, "local", Log())
    cls = manager_class(factories(adapter), lane)
    manager = cls([handler], [], None, tags=["shared", "own"], inheritable_tags=["shared"],
                  metadata={"own": 1}, inheritable_metadata={"up": 2})
    calls = {"handler": ("remove_handler(local)", lambda: manager.remove_handler(handler)),
             "tags": ("remove_tags(['own'])", lambda: manager.remove_tags(["own"])),
             "metadata": ("remove_metadata(['up'])", lambda: manager.remove_metadata(["up"]))}
    observed: dict[str, Any] = {}
    for removal in removals:
        name, function = calls[removal]
        observed[name] = outcome_of(function)
    fields = [field for removal in removals for field in REMOVALS[removal]]
    observed["after"] = {field: _labels(getattr(manager, field)) if field.endswith("handlers")
                         else getattr(manager, field) for field in fields}
    return observed


@probe
def stdout_chain_start(adapter: Adapter, lane: str, serialized: Any = None,
                       name: str | None = None) -> Any:
    """The lines (colour codes removed) ``configure(verbose=True)`` prints for a chain start
    with ``serialized`` and, if given, the ``name`` keyword (CB-VERB-3, CB-VERB-5)."""
    buffer = io.StringIO()
    keywords = {} if name is None else {"name": name}

    async def scenario() -> None:
        manager = configured(adapter, lane, verbose=True)
        await call(manager.on_chain_start(serialized, {"q": 1}, **keywords))

    with contextlib.redirect_stdout(buffer):
        run(lane, scenario)
    text = re.sub(r"\x1b\[[0-9;]*m", "", buffer.getvalue())
    return [line.strip() for line in text.splitlines() if line.strip()]


@probe
def explicit_parent(adapter: Adapter, lane: str) -> Any:
    """Each kind's start called with ``parent_run_id=P`` on a manager whose own parent is
    another id (CB-ID-7): what the call did, and whether the run's parent is P."""
    given, own = uuid.uuid4(), uuid.uuid4()
    handler = make_handler(adapter, "h", Log())

    async def start(kind: str) -> Any:
        method, payload = START_CALLS[kind]
        manager = manager_class(factories(adapter), lane)([handler], [handler], own)
        result = await call(getattr(manager, method)({"name": kind}, payload,
                                                     parent_run_id=given))
        first = result[0] if isinstance(result, list) else result
        return "parent is the given id" if first.parent_run_id == given else (
            "parent is the manager's" if first.parent_run_id == own else "other parent")

    def observe(kind: str) -> str:
        try:
            return run(lane, lambda: start(kind))
        except Exception as exc:  # noqa: BLE001 - the exception is the observation
            return f"raised {type(exc).__name__}"

    return {kind: observe(kind) for kind in START_CALLS}


@probe
def bare_handler_chat_start(adapter: Adapter, lane: str, is_async: bool = False) -> Any:
    """``on_chat_model_start`` with plain-dict messages, delivered to a direct instance of
    the (async) handler base class with ``raise_error`` set (CB-EV-5)."""
    cb = factories(adapter)
    bare = (cb.async_handler if is_async else cb.base_handler)()
    bare.raise_error = True

    async def scenario() -> None:
        manager = configured(adapter, lane, inheritable_callbacks=[bare])
        method, payload = START_CALLS["chat_model"]
        await call(getattr(manager, method)({"name": "chat"}, payload))

    return {"on_chat_model_start": outcome_of(lambda: run(lane, scenario))}


@probe
def inline_multi_prompt_starts(adapter: Adapter, lane: str, prompts: int = 2) -> Any:
    """Two inline async handlers that suspend inside ``on_llm_start``, one start with
    ``prompts`` prompts on the async manager (CB-DISP-6): the handlers' entries and exits,
    labelled by prompt."""
    if lane != "async":
        raise ProgramError("inline_multi_prompt_starts runs on the async lane only")
    log, trace = Log(), list[tuple[str, str, Any]]()

    def suspending(label: str) -> Any:
        async def hook(event: Event) -> None:
            trace.append((label, "in", event.run_id))
            for _ in range(3):
                await asyncio.sleep(0)
            trace.append((label, "out", event.run_id))
        return make_handler(adapter, label, log, is_async=True, run_inline=True,
                            hooks={"on_llm_start": hook})

    handlers = [suspending("inline-1"), suspending("inline-2")]

    async def scenario() -> list[Any]:
        manager = configured(adapter, lane, inheritable_callbacks=handlers)
        runs = await call(manager.on_llm_start({"name": "model"},
                                               [f"p{i}" for i in range(prompts)]))
        return [r.run_id for r in runs]

    order = {run_id: f"prompt {i}" for i, run_id in enumerate(run(lane, scenario))}
    return [f"{label} {phase} {order.get(r, '?')}" for label, phase, r in trace]

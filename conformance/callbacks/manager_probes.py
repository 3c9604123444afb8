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


# -- API surface and argument probes (the deviations of managers without these features) --

def _async_handler(adapter: Adapter, label: str, log: Log) -> Any:
    """A recording handler the async lane can run (every implementation with that lane
    takes an async handler; LangChain.js has no sync one)."""
    return make_handler(adapter, label, log, is_async=True)


@probe
def configure_result(adapter: Adapter, lane: str, **kwargs: Any) -> Any:
    """What the lane's ``configure(**kwargs)`` returns (CB-CONS-3 with no argument,
    CB-TAG-2 with tags but no handler): ``None``, or a manager with its handlers and tags."""
    manager = manager_class(factories(adapter), lane).configure(**kwargs)
    if manager is None:
        return {"configure returned": "None"}
    return {"configure returned": "a manager", "handlers": _labels(manager.handlers),
            "tags": sorted(manager.tags), "inheritable_tags": sorted(manager.inheritable_tags)}


@probe
def offers(adapter: Adapter, lane: str, on: str, names: list[str]) -> Any:
    """Whether ``on`` (``manager``: a configured manager; ``run_manager``: the run manager
    of a chain run it started) offers each method of ``names`` (CB-EV-7, CB-IGN-6,
    CB-NOOP-1/2, CB-MERGE-2/3 on implementations without retries, noop managers or merge)."""
    handler = _async_handler(adapter, "h", Log()) if lane == "async" else make_handler(
        adapter, "h", Log())

    async def scenario() -> Any:
        manager = configured(adapter, lane, inheritable_callbacks=[handler])
        if on == "manager":
            return manager
        if on == "run_manager":
            return await call(manager.on_chain_start({"name": "c"}, {"q": 1}))
        raise ProgramError(f"offers looks at a manager or a run_manager, not {on!r}")

    subject = run(lane, scenario)
    return {f"{on}.{name}": callable(getattr(subject, name, None)) for name in names}


@probe
def add_handler_twice(adapter: Adapter, lane: str) -> Any:
    """``add_handler(h)`` twice on a configured manager (CB-CONS-5): the manager's handler
    labels, and how many chain starts ``h`` then receives from one run."""
    log = Log()
    base, h = (_async_handler(adapter, label, log) if lane == "async"
               else make_handler(adapter, label, log) for label in ("base", "h"))

    async def scenario() -> Any:
        manager = configured(adapter, lane, inheritable_callbacks=[base])
        manager.add_handler(h)
        manager.add_handler(h)
        await call(manager.on_chain_start({"name": "c"}, {"q": 1}))
        return manager

    manager = run(lane, scenario)
    return {"handlers": _labels(manager.handlers),
            "starts received by h": len(log.named("on_chain_start", "h"))}


@probe
def extra_arguments(adapter: Adapter, lane: str, event: str) -> Any:
    """What a handler receives of an argument beyond the event's own: ``inputs`` of a tool
    start (CB-EV-2, ``event="on_tool_start"``) or the keyword ``extra`` of an in-run event
    (CB-EV-8, ``event="on_text"``)."""
    log = Log()
    handler = (_async_handler(adapter, "h", log) if lane == "async"
               else make_handler(adapter, "h", log))

    async def scenario() -> None:
        manager = configured(adapter, lane, inheritable_callbacks=[handler])
        if event == "on_tool_start":
            await call(manager.on_tool_start({"name": "t"}, "in", inputs={"x": 1}))
        elif event == "on_text":
            run_manager = await call(manager.on_chain_start({"name": "c"}, {"q": 1}))
            await call(run_manager.on_text("t", extra=1))
        else:
            raise ProgramError(f"extra_arguments covers on_tool_start and on_text, not {event!r}")

    run(lane, scenario)
    received = log.named(event, "h")
    if not received:
        return {event: "no event"}
    key = "inputs" if event == "on_tool_start" else "extra"
    value = received[0].kwargs.get(key, received[0].args.get(key, "absent"))
    return {f"{event} {key}": value if value is not None else "None"}


@probe
def custom_event_without_run_id(adapter: Adapter, lane: str) -> Any:
    """Two ``on_custom_event`` calls without a run id on a configured manager
    (CB-CUSTOM-1): whether each event reaches the handler with a run id, and how many
    distinct ids they carry."""
    log = Log()
    handler = (_async_handler(adapter, "h", log) if lane == "async"
               else make_handler(adapter, "h", log))

    async def scenario() -> None:
        manager = configured(adapter, lane, inheritable_callbacks=[handler])
        await call(manager.on_custom_event("first", {}))
        await call(manager.on_custom_event("second", {}))

    run(lane, scenario)
    ids = [e.run_id for e in log.named("on_custom_event", "h")]
    return {"events": len(ids),
            "run ids": ["a UUID" if isinstance(i, uuid.UUID) else repr(i) for i in ids],
            "distinct": len({i for i in ids if i is not None})}


@probe
def constructed_with_duplicates(adapter: Adapter, lane: str) -> Any:
    """A manager built by its constructor with handler ``h`` listed twice (CB-SCOPE-4):
    how many starts and ends of one chain run ``h`` receives."""
    log = Log()
    h = (_async_handler(adapter, "h", log) if lane == "async"
         else make_handler(adapter, "h", log))

    async def scenario() -> None:
        manager = manager_class(factories(adapter), lane)([h, h], [h, h], None)
        run_manager = await call(manager.on_chain_start({"name": "c"}, {"q": 1}))
        await call(run_manager.on_chain_end({"output": 1}))

    run(lane, scenario)
    return {name: len(log.named(name, "h")) for name in ("on_chain_start", "on_chain_end")}

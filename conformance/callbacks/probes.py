"""Probes of the callback contract: observations for deviations a program cannot show.

A probe is ``probe(adapter, lane, **args) -> JSON-able observation``, registered by name
in :data:`conformance.probing.PROBES` and named by a deviation reproduction
(:mod:`conformance.reproductions`). Probes serve the deviations a program cannot express
(cross-handler order, API surface, a handler mutating what it received, cancellation,
handlers changed mid-run, merge order). They reach the implementation only through its
public API (``conformance.callbacks.lanes``, ``conformance.callbacks.recording``) and
return small, deterministic observations: handler labels and event names, never object
reprs. More probes of managers live in :mod:`conformance.callbacks.manager_probes`.
"""
from __future__ import annotations

import asyncio
import inspect
import uuid
from collections.abc import Callable
from typing import Any

from conformance import aio
from conformance.adapter import Adapter, CallbackFactories
from conformance.callbacks.lanes import call, configure, manager_class, run
from conformance.callbacks.programs import ProgramError
from conformance.callbacks.recording import Event, Log, make_handler
from conformance.probing import probe

# -- helpers shared by the probes -----------------------------------------------------------

def factories(adapter: Adapter) -> CallbackFactories:
    if adapter.callbacks is None:
        raise ProgramError(f"{adapter.name} has no callback factories")
    return adapter.callbacks


def configured(adapter: Adapter, lane: str, **kwargs: Any) -> Any:
    """The implementation's ``configure(**kwargs)`` on ``lane``."""
    return configure(factories(adapter), lane, **kwargs)


END = {"chain": "on_chain_end", "tool": "on_tool_end", "llm": "on_llm_end"}


async def start_run(manager: Any, kind: str, name: str = "probe") -> Any:
    """Start a ``kind`` run named ``name`` on ``manager``; its run manager."""
    serialized = {"name": name}
    if kind == "chain":
        return await call(manager.on_chain_start(serialized, {"input": name}, name=name))
    if kind == "tool":
        return await call(manager.on_tool_start(serialized, f"input of {name}", name=name))
    if kind == "llm":
        return (await call(manager.on_llm_start(serialized, [f"prompt of {name}"],
                                                name=name)))[0]
    raise ProgramError(f"probes start chain, tool or llm runs, not {kind!r}")


def end_run(run_manager: Any, kind: str) -> Any:
    """The call (maybe awaitable) that ends a ``kind`` run normally."""
    output: Any = {"generations": [[{"text": "hi"}]]} if kind == "llm" else {"output": 1}
    return getattr(run_manager, END[kind])(output)


def names_by_handler(log: Log, labels: list[str], run_id: Any = None) -> dict[str, list[str]]:
    """Event names each handler received (of one run, if ``run_id`` is given)."""
    return {label: [e.name for e in log.of(label) if run_id in (None, e.run_id)]
            for label in labels}


def outcome_of(function: Callable[[], Any]) -> str:
    """``returned`` or ``raised <ExceptionName>``."""
    try:
        function()
    except Exception as exc:  # noqa: BLE001 - the exception is the observation
        return f"raised {type(exc).__name__}"
    return "returned"


# -- probes ------------------------------------------------------------------------------

@probe
def custom_event_extra_keyword(adapter: Adapter, lane: str, handlers: int = 0) -> Any:
    """``on_custom_event(..., extra=1)`` on a manager configured with ``handlers`` recorders.

    Shows CB-CUSTOM-3 with no handler at all, which a program (whose observation is the
    handlers' records) cannot express.
    """
    log = Log()
    recorders = [make_handler(adapter, f"h{i}", log) for i in range(handlers)]

    async def scenario() -> None:
        manager = configured(adapter, lane, inheritable_callbacks=recorders)
        await call(manager.on_custom_event("progress", {}, run_id=uuid.uuid4(), extra=1))

    return {"on_custom_event(..., extra=1)": outcome_of(lambda: run(lane, scenario)),
            "custom events delivered": len(log.named("on_custom_event"))}


@probe
def dispatch_order(adapter: Adapter, lane: str, handlers: list[str]) -> Any:
    """The order in which the sync manager's handlers, listed as ``"sync"``/``"async"``
    (labelled ``h1:sync``, ``h2:async`` ...), receive each event of one chain run."""
    log = Log()
    recorders = [make_handler(adapter, f"h{i}:{sort}", log, is_async=sort == "async")
                 for i, sort in enumerate(handlers, start=1)]

    async def scenario() -> None:
        manager = configured(adapter, lane, inheritable_callbacks=recorders)
        await call(end_run(await start_run(manager, "chain"), "chain"))

    run(lane, scenario)
    return {name: [e.handler for e in log.events if e.name == name]
            for name in ("on_chain_start", "on_chain_end")}


@probe
def manager_parameters(adapter: Adapter, lane: str, method: str) -> Any:
    """Parameter names of ``method`` on the lane's manager class (CB-PARITY-3 compares
    the two lanes' answers)."""
    function = getattr(manager_class(factories(adapter), lane), method)
    return [name for name in inspect.signature(function).parameters if name != "self"]


@probe
def handler_mutates_received(adapter: Adapter, lane: str, field: str) -> Any:
    """A handler changes the ``field`` (``tags`` or ``metadata``) it received with its
    first ``on_chain_start``: the manager's value afterwards, and what the next run's
    start delivers."""
    log = Log()
    first = [True]

    def mutate(event: Event) -> None:
        if not first[0]:
            return
        first[0] = False
        received = event.raw_tags if field == "tags" else event.raw_metadata
        if isinstance(received, list):
            received.append("evil")
        elif isinstance(received, dict):
            received["evil"] = 1

    bad = make_handler(adapter, "bad", log, hooks={"on_chain_start": mutate})
    given: dict[str, Any] = ({"inheritable_tags": ["req"]} if field == "tags"
                             else {"inheritable_metadata": {"req": 1}})

    async def scenario() -> Any:
        manager = configured(adapter, lane, inheritable_callbacks=[bad], **given)
        await call(end_run(await start_run(manager, "chain", "first"), "chain"))
        await call(end_run(await start_run(manager, "chain", "next"), "chain"))
        return manager

    manager = run(lane, scenario)
    starts = log.named("on_chain_start", "bad")
    return {"manager": getattr(manager, field),
            "next start": getattr(starts[1], field) if len(starts) > 1 else "no event"}


@probe
def cancel_during_end(adapter: Adapter, lane: str, kind: str) -> Any:
    """The task awaiting a ``kind`` run's end is cancelled while an inline async handler
    handles that end; a second, non-inline handler is also registered. Which handlers
    received the end event, and which finished handling it, once the first is released."""
    if lane != "async":
        raise ProgramError("cancel_during_end runs on the async lane only")
    log, finished = Log(), list[str]()

    async def scenario() -> None:
        entered, gate = asyncio.Event(), asyncio.Event()

        async def block(event: Event) -> None:
            entered.set()
            await gate.wait()
            finished.append(event.handler)

        slow = make_handler(adapter, "slow", log, is_async=True, run_inline=True,
                            hooks={END[kind]: block})
        other = make_handler(adapter, "other", log, is_async=True,
                             hooks={END[kind]: lambda e: finished.append(e.handler)})
        manager = configured(adapter, lane, inheritable_callbacks=[other, slow])
        task = asyncio.ensure_future(end_run(await start_run(manager, kind), kind))
        await aio.within(entered.wait(), f"{END[kind]} to reach the slow handler")
        task.cancel()
        await aio.gather_outcomes(task)
        gate.set()
        await aio.settle()

    run(lane, scenario)
    return {"received": sorted(e.handler for e in log.named(END[kind])),
            "finished": sorted(finished)}


@probe
def raise_while_others_run(adapter: Adapter, lane: str) -> Any:
    """Two async handlers get a chain start: ``strict`` (raise_error) fails after one loop
    step, ``slow`` finishes after many. Which handlers had finished when the event method
    raised, and which afterwards."""
    if lane != "async":
        raise ProgramError("raise_while_others_run runs on the async lane only")
    log, finished = Log(), list[str]()

    async def one_step(event: Event) -> None:
        await asyncio.sleep(0)

    async def many_steps(event: Event) -> None:
        await aio.settle()
        finished.append(event.handler)

    async def scenario() -> dict[str, Any]:
        strict = make_handler(adapter, "strict", log, is_async=True, raise_error=True,
                              fail_on={"on_chain_start"}, hooks={"on_chain_start": one_step})
        slow = make_handler(adapter, "slow", log, is_async=True,
                            hooks={"on_chain_start": many_steps})
        manager = configured(adapter, lane, inheritable_callbacks=[strict, slow])
        try:
            await call(manager.on_chain_start({"name": "c"}, {}))
            raised = "nothing"
        except RuntimeError as exc:
            raised = type(exc).__name__
        at_raise = sorted(finished)
        await aio.settle(40)  # a handler left running finishes here, not as a leaked task
        return {"raised": raised, "finished when it raised": at_raise,
                "finished afterwards": sorted(finished)}

    return run(lane, scenario)


@probe
def handlers_changed_after_start(adapter: Adapter, lane: str, kind: str) -> Any:
    """``keep`` and ``removed`` are configured; after a ``kind`` run starts, ``added`` is
    added to and ``removed`` removed from the manager. The run's events per handler."""
    log = Log()
    keep, removed, added = (make_handler(adapter, label, log)
                            for label in ("keep", "removed", "added"))

    async def scenario() -> Any:
        manager = configured(adapter, lane, inheritable_callbacks=[keep, removed])
        run_manager = await start_run(manager, kind)
        manager.add_handler(added)
        manager.remove_handler(removed)
        await call(run_manager.on_text("after the change"))
        await call(end_run(run_manager, kind))
        return run_manager.run_id

    run_id = run(lane, scenario)
    return names_by_handler(log, ["keep", "removed", "added"], run_id)


# Fixed, descending hashes for the merge probe's handlers (h0..h3) and tags (t0..t3): a
# set of them iterates in an order other than their list order, the same in every process.
HASHES = {f"{prefix}{i}": 10 - i for prefix in ("h", "t") for i in range(4)}


class FixedHashTag(str):
    """A tag whose hash is fixed (``HASHES``), so a set of tags has a reproducible order
    in every process (plain strings hash differently per process)."""

    def __hash__(self) -> int:
        return HASHES[str(self)]


def fixed_hash_handler(adapter: Adapter, label: str) -> Any:
    """A handler of the implementation's base class with the hash ``HASHES[label]``."""
    base: Any = factories(adapter).base_handler
    cls: Any = type("FixedHashHandler", (base,), {"__hash__": lambda self: HASHES[self.label]})
    handler = cls.__new__(cls)
    try:
        base.__init__(handler)
    except TypeError:  # a base class whose __init__ needs arguments: leave it be
        pass
    handler.label = label
    return handler


@probe
def merge_order(adapter: Adapter, lane: str) -> Any:
    """``a.merge(b)`` with a = [x0, x1, x2] and b = [x2, x3], for handlers and tags whose
    hashes are fixed (see ``HASHES``): the merged handlers' labels and tags, in order."""
    handlers = {label: fixed_hash_handler(adapter, label) for label in HASHES if label[0] == "h"}
    cls = manager_class(factories(adapter), lane)

    def manager(indexes: list[int]) -> Any:
        return cls([handlers[f"h{i}"] for i in indexes], [], None,
                   tags=[FixedHashTag(f"t{i}") for i in indexes], inheritable_tags=[],
                   metadata={}, inheritable_metadata={})

    merged = manager([0, 1, 2]).merge(manager([2, 3]))
    return {"handlers": [h.label for h in merged.handlers],
            "tags": [str(t) for t in merged.tags]}


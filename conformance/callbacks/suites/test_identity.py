"""CB-ID: run identity and parent linkage.

This module also holds the run-kind table (``KINDS``, ``start``, ``exercise``) that the
other callback suites import: one place says how each kind of run is started and which
events its run manager dispatches.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from conformance.checks import check, check_equal
from conformance.callbacks.lanes import call, configure, manager_class, offered, run

SER = {"name": "component"}
RETRY_STATE = {"attempt": 2}
ACTION = {"tool": "search", "tool_input": "q"}
FINISH = {"return_values": {"output": "done"}}
RESPONSE = {"generations": [[{"text": "answer"}]]}


@dataclass(frozen=True)
class Kind:
    """How a kind of run is started and which events its run manager dispatches."""

    start: Callable[..., Any]  # (manager, **kwargs) -> run manager (or list), maybe awaitable
    events: tuple[tuple[str, tuple[Any, ...]], ...]  # in-run events, the end event last
    error: str  # the error event method
    has_child: bool = True


_COMMON = (("on_text", ("text",)), ("on_retry", (RETRY_STATE,)))
_LLM_EVENTS = _COMMON + (("on_llm_new_token", ("tok",)), ("on_llm_end", (RESPONSE,)))

KINDS: dict[str, Kind] = {
    "chain": Kind(
        lambda m, **kw: m.on_chain_start(SER, {"q": 1}, **kw),
        _COMMON + (("on_agent_action", (ACTION,)), ("on_agent_finish", (FINISH,)),
                   ("on_chain_end", ({"a": 1},))),
        "on_chain_error"),
    "tool": Kind(lambda m, **kw: m.on_tool_start(SER, "q", **kw),
                 _COMMON + (("on_tool_end", ("out",)),), "on_tool_error"),
    "retriever": Kind(lambda m, **kw: m.on_retriever_start(SER, "q", **kw),
                      _COMMON + (("on_retriever_end", ([],)),), "on_retriever_error"),
    "llm": Kind(lambda m, **kw: m.on_llm_start(SER, ["p"], **kw), _LLM_EVENTS,
                "on_llm_error", has_child=False),
    "chat_model": Kind(lambda m, **kw: m.on_chat_model_start(SER, [[{"m": 1}]], **kw),
                       _LLM_EVENTS, "on_llm_error", has_child=False),
}
PARENT_KINDS = [k for k, kind in KINDS.items() if kind.has_child]


async def start(kind: str, manager: Any, **kwargs: Any) -> Any:
    """Start one run of ``kind`` from ``manager``; its run manager (the first, for LLMs)."""
    result = await call(KINDS[kind].start(manager, **kwargs))
    return result[0] if isinstance(result, list) else result


async def exercise(run_manager: Any, kind: str) -> list[str]:
    """Dispatch every in-run event of ``kind`` the run manager offers (end last); the
    event names, in order."""
    names = []
    for name, args in KINDS[kind].events:
        method = offered(run_manager, name)
        if method is None:
            continue
        await call(method(*args))
        names.append(name)
    return names


async def fail(run_manager: Any, kind: str) -> str:
    """Dispatch the error event of ``kind``; its name."""
    name = KINDS[kind].error
    await call(getattr(run_manager, name)(ValueError("boom")))
    return name


async def descend(cb: Any, lane: str, manager: Any, kinds: list[str] | tuple[str, ...],
                  via_configure: bool = True) -> list[Any]:
    """Start a run of each kind, each below the previous one; their run managers.

    Each sub-run's manager is the previous run's ``get_child()``, passed through
    ``configure(inheritable_callbacks=...)`` as a component would, unless
    ``via_configure`` is false.
    """
    runs = []
    for index, kind in enumerate(kinds):
        run_manager = await start(kind, manager)
        runs.append(run_manager)
        if index + 1 < len(kinds):
            manager = run_manager.get_child()
            if via_configure:
                manager = configure(cb, lane, inheritable_callbacks=manager)
    return runs


async def run_through(manager: Any, kind: str) -> list[tuple[Any, list[str]]]:
    """One run of ``kind`` through to its end, one more that fails.

    Returns each run manager with the names of the in-run events it dispatched.
    """
    ok = await start(kind, manager)
    names = await exercise(ok, kind)
    failed = await start(kind, manager)
    return [(ok, names), (failed, [await fail(failed, kind)])]


@pytest.mark.rule("CB-ID-1")
def test_fresh_run_ids(cb, handler, log, lane):
    h = handler("req")

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[h])
        a = await call(manager.on_chain_start(SER, {}))
        b = await call(manager.on_chain_start(SER, {}))
        c = await call(manager.on_tool_start(SER, "q"))
        return [a, b, c]

    managers = run(lane, scenario)
    ids = [m.run_id for m in managers]
    check("CB-ID-1", all(isinstance(i, uuid.UUID) for i in ids), f"run ids are not UUIDs: {ids}")
    check("CB-ID-1", len(set(ids)) == 3, f"three runs share ids: {ids}")
    starts = [e.run_id for e in log.of("req")]
    check_equal("CB-ID-1", starts, ids, "start-event run ids vs run managers' run_id")


@pytest.mark.rule("CB-ID-2")
@pytest.mark.parametrize("kind", ["chain", "tool", "retriever", "llm", "chat_model"])
def test_explicit_run_id(cb, handler, log, lane, kind):
    h = handler("req")
    given = uuid.uuid4()

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[h])
        return await start(kind, manager, run_id=given)

    rm = run(lane, scenario)
    check_equal("CB-ID-2", rm.run_id, given, f"{kind} run manager's run_id")
    check_equal("CB-ID-2", [e.run_id for e in log.of("req")], [given], f"{kind} start event run_id")


BATCH = {  # kind -> (start method, the n inputs, the payload argument of its start event)
    "llm": ("on_llm_start", ["p0", "p1", "p2"], "prompts"),
    "chat_model": ("on_chat_model_start", [[{"m": 0}], [{"m": 1}], [{"m": 2}]], "messages"),
}


def _batch(cb, lane, h, kind, run_id):
    method, inputs, _ = BATCH[kind]

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[h])
        kwargs = {} if run_id is None else {"run_id": run_id}
        return await call(getattr(manager, method)(SER, inputs, **kwargs))

    return run(lane, scenario)


@pytest.mark.rule("CB-ID-3")
@pytest.mark.parametrize("kind", list(BATCH))
def test_one_run_per_prompt(cb, handler, log, lane, kind):
    h = handler("req")
    given = uuid.uuid4()
    _, inputs, payload = BATCH[kind]
    managers = _batch(cb, lane, h, kind, given)
    check_equal("CB-ID-3", len(managers), len(inputs), f"{kind}: number of run managers")
    ids = [m.run_id for m in managers]
    check("CB-ID-3", len(set(ids)) == len(ids), f"{kind}: runs share ids: {ids}")
    check_equal("CB-ID-3", ids[0], given, f"{kind}: first run's id (the explicit run_id)")
    check("CB-ID-3", given not in ids[1:], f"{kind}: explicit run_id reused by a later run: {ids}")
    starts = log.of("req")
    check_equal("CB-ID-3", len(starts), len(inputs), f"{kind}: number of start events")
    for index, (rm, item) in enumerate(zip(managers, inputs)):
        mine = [e for e in starts if e.run_id == rm.run_id]
        check_equal("CB-ID-3", [e.args.get(payload) for e in mine], [[item]],
                    f"{kind}: {payload} of the start event of run {index}")


@pytest.mark.rule("CB-ID-3")
@pytest.mark.parametrize("kind", list(BATCH))
def test_one_fresh_id_per_prompt(cb, handler, log, lane, kind):
    managers = _batch(cb, lane, handler("req"), kind, None)
    ids = [m.run_id for m in managers]
    check("CB-ID-3", all(isinstance(i, uuid.UUID) for i in ids), f"{kind}: ids not UUIDs: {ids}")
    check("CB-ID-3", len(set(ids)) == 3, f"{kind}: three prompts, distinct ids expected: {ids}")
    check_equal("CB-ID-3", [e.run_id for e in log.of("req")], ids,
                f"{kind}: start-event run ids vs run managers' run_id")


@pytest.mark.rule("CB-ID-4")
@pytest.mark.parametrize("depth", ["root", "child"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_events_carry_run_and_parent(cb, handler, log, lane, kind, depth):
    h = handler("req")

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[h])
        parent = None
        if depth == "child":
            outer = await start("chain", manager)
            manager, parent = outer.get_child(), outer.run_id
        return parent, await run_through(manager, kind)

    parent, runs = run(lane, scenario)
    for rm, names in runs:
        start_name = {"chat_model": "on_chat_model_start"}.get(kind, f"on_{kind}_start")
        mine = log.for_run(rm.run_id)
        check_equal("CB-ID-4", [e.name for e in mine], [start_name, *names],
                    f"{kind} ({depth}): events carrying run_id {rm.run_id}")
        check_equal("CB-ID-4", [e.parent_run_id for e in mine], [parent] * len(mine),
                    f"{kind} ({depth}): parent_run_id of each event")


@pytest.mark.rule("CB-ID-5")
@pytest.mark.parametrize("route", ["get_child", "configure"])
def test_child_linkage_at_any_depth(cb, handler, log, lane, route):
    h = handler("req")

    def below(run_manager):
        child = run_manager.get_child()
        if route == "configure":
            child = configure(cb, lane, inheritable_callbacks=child)
        return child

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[h])
        chain = [await start("chain", manager)]
        links = []
        for kind in ("tool", "retriever", "chain", "llm"):
            child = below(chain[-1])
            links.append((child.parent_run_id, chain[-1].run_id))
            chain.append(await start(kind, child))
        return chain, links

    chain, links = run(lane, scenario)
    for depth, (got, expected) in enumerate(links, start=1):
        check_equal("CB-ID-5", got, expected, f"parent_run_id of the depth-{depth} manager")
    starts = {e.run_id: e.parent_run_id for e in log.of("req")}
    for depth, (parent, child) in enumerate(zip(chain, chain[1:]), start=1):
        check_equal("CB-ID-5", starts.get(child.run_id), parent.run_id,
                    f"parent_run_id of the depth-{depth} run's start event")


@pytest.mark.rule("CB-ID-6")
@pytest.mark.parametrize("kind", list(KINDS))
def test_explicit_parent_run_id(cb, handler, log, lane, kind):
    h = handler("req")
    parent = uuid.uuid4()

    async def scenario():
        manager = manager_class(cb, lane)([h], [h], parent)
        rm = await start(kind, manager)
        await exercise(rm, kind)
        return rm

    rm = run(lane, scenario)
    check_equal("CB-ID-6", rm.parent_run_id, parent,
                f"{kind} run manager's parent_run_id")
    events = log.of("req")
    check("CB-ID-6", events, f"{kind}: no event reached the handler")
    check_equal("CB-ID-6", [(e.name, e.parent_run_id) for e in events],
                [(e.name, parent) for e in events], f"{kind}: parent_run_id of each event")


START_METHODS = {"chain": "on_chain_start", "tool": "on_tool_start",
                 "retriever": "on_retriever_start", "llm": "on_llm_start",
                 "chat_model": "on_chat_model_start"}


def _start_below(cb, lane, h, kind, count=1, **kwargs):
    """Start ``count`` runs of ``kind`` (a batch for LLMs) from the child manager of a chain run.

    Returns the chain run's id and the started run managers, or the exception the start
    raised.
    """
    method = START_METHODS[kind]
    payload = {"chain": {"q": 1}, "tool": "q", "retriever": "q",
               "llm": ["p"] * count, "chat_model": [[{"m": 1}]] * count}[kind]

    async def scenario():
        outer = await start("chain", configure(cb, lane, inheritable_callbacks=[h]))
        try:
            result = await call(getattr(outer.get_child(), method)(SER, payload, **kwargs))
        except Exception as exc:  # reported by the caller, on the rule
            return outer.run_id, exc
        runs = result if isinstance(result, list) else [result]
        for rm in runs:
            await exercise(rm, kind)
        return outer.run_id, runs

    return run(lane, scenario)


@pytest.mark.rule("CB-ID-7")
@pytest.mark.parametrize("kind", list(START_METHODS))
def test_start_with_explicit_parent_run_id(cb, handler, log, lane, kind):
    h = handler("req")
    given = uuid.uuid4()
    count = 2 if kind in BATCH else 1
    _, runs = _start_below(cb, lane, h, kind, count, parent_run_id=given)
    method = START_METHODS[kind]
    if not check("CB-ID-7", not isinstance(runs, Exception),
                 f"{method}(..., parent_run_id=<uuid>) raised {runs!r}"):
        return  # the raise is the finding (a listed deviation): no run to look at
    check_equal("CB-ID-7", len(runs), count, f"{method}: number of run managers")
    for index, rm in enumerate(runs):
        check_equal("CB-ID-7", rm.parent_run_id, given,
                    f"{method}(..., parent_run_id=given): run {index} manager's parent_run_id")
        events = log.for_run(rm.run_id, "req")
        check("CB-ID-7", events, f"{method}: no event of run {index} reached the handler")
        check_equal("CB-ID-7", [(e.name, e.parent_run_id) for e in events],
                    [(e.name, given) for e in events],
                    f"{method}(..., parent_run_id=given): parent_run_id of run {index}'s events "
                    "(the explicit one, not the manager's)")


@pytest.mark.rule("CB-ID-7")
@pytest.mark.parametrize("kind", list(START_METHODS))
def test_start_with_parent_run_id_none(cb, handler, log, lane, kind):
    h = handler("req")
    outer, runs = _start_below(cb, lane, h, kind, parent_run_id=None)
    method = START_METHODS[kind]
    if not check("CB-ID-7", not isinstance(runs, Exception),
                 f"{method}(..., parent_run_id=None) raised {runs!r}"):
        return  # the raise is the finding (a listed deviation): no run to look at
    (rm,) = runs
    check_equal("CB-ID-7", rm.parent_run_id, outer,
                f"{method}(..., parent_run_id=None) below a chain: the run manager's "
                "parent_run_id (the manager's own)")
    check_equal("CB-ID-7", {e.parent_run_id for e in log.for_run(rm.run_id, "req")}, {outer},
                f"{method}(..., parent_run_id=None): parent_run_id of the run's events")

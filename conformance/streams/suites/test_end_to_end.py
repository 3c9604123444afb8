"""End to end: the run stream a real compiled LangGraph graph returns.

The other stream suites certify the run-stream class over the kit's scripted source. Here a
real ``StateGraph`` is run with ``await graph.astream_events(input, version="v3")``; each test
first checks that the object returned is of the very class the adapter's ``open_run`` builds
(so the scripted certification covers it), then checks one results or delivery rule on it.

Only implementations declaring ``streams.graph_e2e`` (the langgraph adapter) run these tests;
every other implementation reports them not applicable. ``langgraph`` is imported inside the
tests, so the module collects without it.
"""

from __future__ import annotations

import inspect
import operator
import warnings
from collections.abc import Callable
from typing import Annotated, Any, TypedDict

import pytest

from conformance.adapter import RS_ASYNC, RS_GRAPH_E2E, Adapter
from conformance.aio import run, within
from conformance.checks import check, check_equal
from conformance.streams.drive import END, anext_or_end, drain, open_run
from conformance.streams.source import ScriptedSource

pytestmark = [pytest.mark.requires(RS_ASYNC), pytest.mark.requires(RS_GRAPH_E2E)]

QUESTION = {"q": "ok?"}


class State(TypedDict):
    n: int
    steps: Annotated[list[str], operator.add]


def _step(name: str, calls: list[str]) -> Callable[[State], dict[str, Any]]:
    def node(state: State) -> dict[str, Any]:
        calls.append(name)
        return {"n": state["n"] + 1, "steps": [name]}

    return node


def chain(*names: str, calls: list[str] | None = None, checkpointer: Any = None,
          subgraph: Any = None) -> Any:
    """START -> names... -> END, each node adding 1 to ``n``; optionally a subgraph node last."""
    graph_mod = pytest.importorskip("langgraph.graph")
    builder = graph_mod.StateGraph(State)
    calls = [] if calls is None else calls
    nodes = [(name, _step(name, calls)) for name in names]
    if subgraph is not None:
        nodes.append(("child", subgraph))
    previous = graph_mod.START
    for name, node in nodes:
        builder.add_node(name, node)
        builder.add_edge(previous, name)
        previous = name
    builder.add_edge(previous, graph_mod.END)
    return builder.compile(checkpointer=checkpointer)


def asking_graph() -> tuple[Any, dict[str, Any]]:
    """A graph whose second node calls ``interrupt(QUESTION)``, with an in-memory checkpointer."""
    types = pytest.importorskip("langgraph.types")
    memory = pytest.importorskip("langgraph.checkpoint.memory")
    graph_mod = pytest.importorskip("langgraph.graph")

    def ask(state: State) -> dict[str, Any]:
        answer = types.interrupt(QUESTION)
        return {"n": state["n"] + 100, "steps": [f"ask:{answer}"]}

    builder = graph_mod.StateGraph(State)
    builder.add_node("inc", _step("inc", []))
    builder.add_node("ask", ask)
    builder.add_edge(graph_mod.START, "inc")
    builder.add_edge("inc", "ask")
    builder.add_edge("ask", graph_mod.END)
    config = {"configurable": {"thread_id": "runcert-e2e"}}
    return builder.compile(checkpointer=memory.InMemorySaver()), config


async def start(adapter: Adapter, rule: str, graph: Any, inputs: Any, **kwargs: Any) -> Any:
    """``await graph.astream_events(inputs, version="v3")``, checked to be the certified class."""
    scripted = open_run(adapter, ScriptedSource([]))
    await within(scripted.abort(), "abort() of an unread scripted run")
    beta = pytest.importorskip("langchain_core._api.beta_decorator").LangChainBetaWarning
    with warnings.catch_warnings():  # v3 streaming is marked beta; only that is filtered
        warnings.simplefilter("ignore", beta)
        graph_run = await within(graph.astream_events(inputs, version="v3", **kwargs),
                                 "graph.astream_events(version='v3')")
    check(rule, type(graph_run) is type(scripted),
          f"a graph's run stream is a {type(graph_run).__qualname__}, but the adapter's "
          f"open_run builds {type(scripted).__qualname__}: the scripted suites certified "
          "another class")
    return graph_run


@pytest.mark.rule("RS-RES-1")
def test_output_is_the_final_state(runcert_adapter: Adapter) -> None:
    graph = chain("a", "b", "c")
    inputs = {"n": 1, "steps": []}

    async def main() -> None:
        expected = await within(graph.ainvoke(inputs), "graph.ainvoke")
        graph_run = await start(runcert_adapter, "RS-RES-1", graph, inputs)
        final = await within(graph_run.output(), "output()")
        check_equal("RS-RES-1", final, expected, "output() of the graph's run (vs ainvoke)")

    run(main)


@pytest.mark.rule("RS-RES-2")
def test_interrupted_after_interrupt(runcert_adapter: Adapter) -> None:
    graph, config = asking_graph()

    async def main() -> None:
        graph_run = await start(runcert_adapter, "RS-RES-2", graph, {"n": 1, "steps": []},
                                config=config)
        interrupted = await within(graph_run.interrupted(), "interrupted()")
        check_equal("RS-RES-2", interrupted, True, "interrupted() of a run paused by interrupt()")
        resumed = await start(runcert_adapter, "RS-RES-2", graph, _resume("yes"), config=config)
        again = await within(resumed.interrupted(), "interrupted() after resuming")
        check_equal("RS-RES-2", again, False, "interrupted() of the resumed, completed run")

    run(main)


def _resume(answer: str) -> Any:
    return pytest.importorskip("langgraph.types").Command(resume=answer)


@pytest.mark.rule("RS-RES-3")
def test_interrupts_lists_the_payloads(runcert_adapter: Adapter) -> None:
    graph, config = asking_graph()

    async def main() -> None:
        graph_run = await start(runcert_adapter, "RS-RES-3", graph, {"n": 1, "steps": []},
                                config=config)
        interrupts = await within(graph_run.interrupts(), "interrupts()")
        check_equal("RS-RES-3", [getattr(i, "value", i) for i in interrupts], [QUESTION],
                    "payloads of interrupts()")
        pending = (await within(graph.aget_state(config), "aget_state")).interrupts
        check_equal("RS-RES-3", [i.id for i in interrupts], [i.id for i in pending],
                    "ids of interrupts() (vs the checkpointed pending interrupts)")

    run(main)


@pytest.mark.rule("RS-RES-4")
def test_results_are_methods(runcert_adapter: Adapter) -> None:
    calls: list[str] = []
    graph = chain("a", "b", calls=calls)

    async def main() -> None:
        graph_run = await start(runcert_adapter, "RS-RES-4", graph, {"n": 1, "steps": []})
        for name in ("output", "interrupted", "interrupts"):
            attribute = getattr(graph_run, name)
            check("RS-RES-4", callable(attribute) and not inspect.isawaitable(attribute),
                  f"run.{name} is {attribute!r}: expected a method, not an awaitable")
            pending = attribute() if callable(attribute) else None
            check("RS-RES-4", inspect.isawaitable(pending),
                  f"run.{name}() returned {pending!r}: expected an awaitable")
            if inspect.iscoroutine(pending):
                pending.close()  # called but never awaited
        check_equal("RS-RES-4", calls, [], "nodes run by calling the result methods unawaited")
        final = await within(graph_run.output(), "output()")
        check_equal("RS-RES-4", (final or {}).get("n"), 3, "n once output() is awaited")
        check_equal("RS-RES-4", calls, ["a", "b"], "nodes run once output() is awaited")

    run(main)


@pytest.mark.rule("RS-DELIV-4")
def test_values_are_root_snapshots(runcert_adapter: Adapter) -> None:
    graph = chain("pre", subgraph=chain("inner_a", "inner_b"))
    inputs = {"n": 1, "steps": []}

    async def main() -> None:
        expected = [s async for s in graph.astream(inputs, stream_mode="values")]
        graph_run = await start(runcert_adapter, "RS-DELIV-4", graph, inputs)
        snapshots, log = aiter(graph_run.values), aiter(graph_run)
        got = await drain(snapshots)
        events = await drain(log)
        nested = [e for e in events if e["method"] == "values" and e["params"]["namespace"]]
        check("RS-DELIV-4", nested, "the graph emitted no nested values event on the main "
              "log, so this test cannot tell root snapshots apart")
        check_equal("RS-DELIV-4", got, expected,
                    "run.values (vs astream(stream_mode='values'), root snapshots only)")

    run(main)


@pytest.mark.rule("RS-ABORT-8")
def test_async_with_aborts_on_break(runcert_adapter: Adapter) -> None:
    calls: list[str] = []
    graph = chain("a", "b", "c", calls=calls)

    async def main() -> None:
        graph_run = await start(runcert_adapter, "RS-ABORT-8", graph, {"n": 1, "steps": []})
        async with graph_run as entered:
            check("RS-ABORT-8", entered is graph_run, "`async with run as r` gave r is not run")
            cursor = aiter(entered.values)
            first = await anext_or_end(cursor)
        await within(cursor.aclose(), "closing the cursor left in the block")
        check_equal("RS-ABORT-8", first, {"n": 1, "steps": []}, "first snapshot")
        await _check_stopped(graph_run, calls, [])

    run(main)


@pytest.mark.rule("RS-ABORT-8")
def test_async_with_aborts_on_error(runcert_adapter: Adapter) -> None:
    calls: list[str] = []
    graph = chain("a", "b", "c", calls=calls)
    boom = LookupError("raised in the body")

    async def main() -> None:
        graph_run = await start(runcert_adapter, "RS-ABORT-8", graph, {"n": 1, "steps": []})
        values = aiter(graph_run.values)
        try:
            async with graph_run:
                await drain_until(values, lambda s: s["n"] == 2)
                raise boom
        except LookupError as caught:
            check("RS-ABORT-8", caught is boom, f"the body's error came out as {caught!r}")
        else:
            check("RS-ABORT-8", False, "the body's error was suppressed by __aexit__")
        await _check_stopped(graph_run, calls, ["a"], values)

    run(main)


async def drain_until(cursor: Any, done: Callable[[Any], bool]) -> None:
    while (item := await anext_or_end(cursor)) is not END and not done(item):
        pass


async def _check_stopped(graph_run: Any, calls: list[str], ran: list[str],
                         cursor: Any = None) -> None:
    """After the block: the graph advances no further, cursors end, results do not drive."""
    if cursor is not None:
        check_equal("RS-ABORT-8", await drain(cursor), [], "items after leaving the block")
    final = await within(graph_run.output(), "output() after leaving the block")
    check("RS-ABORT-8", final is None or final["n"] == 1 + len(ran),
          f"output() after leaving the block is {final!r}: the run kept going")
    check_equal("RS-ABORT-8", calls, ran, "nodes run (none may run after leaving the block)")

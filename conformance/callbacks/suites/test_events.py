"""CB-EV: each run kind's event vocabulary and positional payload.

The first section holds small run helpers that the other callback-contract suites of
this package (pairing, dispatch, ignore flags, async, isolation, parity) share.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from conformance.checks import check, check_equal, require_method
from conformance.callbacks.lanes import call, configure, handler_kind_params, offered, run

# -- run helpers shared by the callback suites ------------------------------------------

SER = {"name": "component"}
KINDS = ("chain", "tool", "retriever", "llm", "chat_model")
START_EVENT = {
    "chain": "on_chain_start",
    "tool": "on_tool_start",
    "retriever": "on_retriever_start",
    "llm": "on_llm_start",
    "chat_model": "on_chat_model_start",
}
END_EVENT = {"chain": "on_chain_end", "tool": "on_tool_end", "retriever": "on_retriever_end",
             "llm": "on_llm_end", "chat_model": "on_llm_end"}
ERROR_EVENT = {kind: name.replace("_end", "_error") for kind, name in END_EVENT.items()}
#: The ignore flag (without ``ignore_``) that silences each run kind.
KIND_FLAG = {"chain": "chain", "tool": "agent", "retriever": "retriever", "llm": "llm",
             "chat_model": "chat_model"}
STREAMING = ("llm", "chat_model")


def start_payload(kind: str) -> tuple[Any, ...]:
    """Fresh positional arguments for the start method of ``kind``."""
    return {
        "chain": lambda: ({"name": "chain"}, {"question": "q"}),
        "tool": lambda: ({"name": "tool"}, "tool input"),
        "retriever": lambda: ({"name": "retriever"}, "query"),
        "llm": lambda: ({"name": "llm"}, ["prompt"]),
        "chat_model": lambda: ({"name": "chat"}, [[{"role": "user", "content": "hi"}]]),
    }[kind]()


async def start(manager: Any, kind: str, *args: Any, **kwargs: Any) -> Any:
    """Start one run of ``kind`` on ``manager`` and return its run manager."""
    method = getattr(manager, START_EVENT[kind])
    result = await call(method(*(args or start_payload(kind)), **kwargs))
    return result[0] if kind in STREAMING else result


async def end(run_manager: Any, kind: str, payload: Any = None, **kwargs: Any) -> None:
    value = {"output": kind} if payload is None else payload
    await call(getattr(run_manager, END_EVENT[kind])(value, **kwargs))


async def fail(run_manager: Any, kind: str, error: BaseException, **kwargs: Any) -> None:
    await call(getattr(run_manager, ERROR_EVENT[kind])(error, **kwargs))


async def run_every_kind(manager: Any) -> list[tuple[str, Any]]:
    """One ended run of every kind (with text and a token) and one failed run of every kind.

    Returns the (event name, run id) pairs dispatched, in order: what a handler without
    ignore flags must receive.
    """
    sent: list[tuple[str, Any]] = []
    for kind in KINDS:
        ok = await start(manager, kind)
        await call(ok.on_text("text"))
        sent += [(START_EVENT[kind], ok.run_id), ("on_text", ok.run_id)]
        if kind in STREAMING:
            await call(ok.on_llm_new_token("tok"))
            sent.append(("on_llm_new_token", ok.run_id))
        await end(ok, kind)
        bad = await start(manager, kind)
        await fail(bad, kind, ValueError("boom"))
        sent += [(END_EVENT[kind], ok.run_id), (START_EVENT[kind], bad.run_id),
                 (ERROR_EVENT[kind], bad.run_id)]
    return sent


def mixed_handlers(handler: Any, prefix: str = "", **options: Any) -> list[Any]:
    """One recorder of each sort: sync/async x inline/non-inline (labels name the sort).

    Only the kinds the implementation has (``handler.kinds``; both when ``handler`` is a
    plain function): a scenario that wants every sort works with the lanes present.
    """
    kinds = getattr(handler, "kinds", (False, True))
    return [handler(f"{prefix}{'async' if is_async else 'sync'}{'-inline' if inline else ''}",
                    is_async=is_async, run_inline=inline, **options)
            for inline in (True, False) for is_async in (False, True) if is_async in kinds]


def event_family(name: str, run_kind: str | None) -> str | None:
    """The ignore flag (without ``ignore_``) governing event ``name`` of a ``run_kind`` run."""
    if name == "on_text":
        return None
    if name in ("on_retry", "on_custom_event"):
        return name[3:]
    if name.startswith(("on_agent_", "on_tool_")):
        return "agent"
    if name.startswith("on_chain_"):
        return "chain"
    if name.startswith("on_retriever_"):
        return "retriever"
    if name == "on_chat_model_start":
        return "chat_model"
    return "chat_model" if run_kind == "chat_model" else "llm"  # LLM-run token/end/error


class Items(tuple):
    """An expected list whose items (not the list itself) must arrive as the same objects."""


def payload(event: Any, arg: str) -> Any:
    """A payload argument, whether the manager passed it by position or by keyword."""
    return event.args[arg] if arg in event.args else event.kwargs.get(arg)


def same(actual: Any, expected: Any) -> bool:
    if isinstance(expected, Items):
        return (isinstance(actual, list) and len(actual) == len(expected)
                and all(a is e for a, e in zip(actual, expected)))
    return actual is expected


def expect_events(rule: str, events: list[Any], expected: list[tuple[Any, ...]]) -> None:
    """``expected``: (name, payload by arg name[, kwargs]) per event, payloads by identity."""
    names = [e.name for e in events]
    if not check_equal(rule, names, [x[0] for x in expected], "event names of the run"):
        return
    for event, (name, expected_args, *rest) in zip(events, expected):
        for arg, value in expected_args.items():
            check(rule, same(payload(event, arg), value),
                  f"{name}: {arg} expected the very object {value!r}, "
                  f"got {payload(event, arg)!r}")
        for key, value in (rest[0] if rest else {}).items():
            check(rule, event.kwargs.get(key) is value,
                  f"{name}: keyword {key} expected {value!r}, got {event.kwargs.get(key)!r}")


# -- CB-EV-1..5: vocabulary per run kind ---------------------------------------------------

@pytest.mark.rule("CB-EV-1")
def test_chain_events(cb, handler, log, lane):
    h = handler("h")
    ser, inputs, action, finish = {"name": "c"}, {"q": 1}, object(), object()
    outputs, error = {"answer": 2}, ValueError("chain failed")

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[h])
        ok = await call(manager.on_chain_start(ser, inputs))
        await call(ok.on_agent_action(action))
        await call(ok.on_agent_finish(finish))
        await call(ok.on_chain_end(outputs))
        bad = await call(manager.on_chain_start(ser, inputs))
        await call(bad.on_chain_error(error))
        return ok.run_id, bad.run_id

    ok, bad = run(lane, scenario)
    start_ev = ("on_chain_start", {"serialized": ser, "inputs": inputs})
    expect_events("CB-EV-1", log.for_run(ok, "h"), [
        start_ev, ("on_agent_action", {"action": action}),
        ("on_agent_finish", {"finish": finish}), ("on_chain_end", {"outputs": outputs})])
    expect_events("CB-EV-1", log.for_run(bad, "h"),
                  [start_ev, ("on_chain_error", {"error": error})])


@pytest.mark.rule("CB-EV-2")
def test_tool_events(cb, handler, log, lane):
    h = handler("h")
    ser, inputs, output, error = {"name": "t"}, {"x": 1}, object(), ValueError("tool failed")

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[h])
        ok = await call(manager.on_tool_start(ser, "in", inputs=inputs))
        await call(ok.on_tool_end(output))
        bad = await call(manager.on_tool_start(ser, "in", inputs=inputs))
        await call(bad.on_tool_error(error))
        return ok.run_id, bad.run_id

    ok, bad = run(lane, scenario)
    start_ev = ("on_tool_start", {"serialized": ser, "input_str": "in"}, {"inputs": inputs})
    expect_events("CB-EV-2", log.for_run(ok, "h"), [start_ev, ("on_tool_end", {"output": output})])
    expect_events("CB-EV-2", log.for_run(bad, "h"), [start_ev, ("on_tool_error", {"error": error})])


@pytest.mark.rule("CB-EV-3")
def test_retriever_events(cb, handler, log, lane):
    h = handler("h")
    ser, query, documents, error = {"name": "r"}, "what?", [object()], ValueError("r failed")

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[h])
        ok = await call(manager.on_retriever_start(ser, query))
        await call(ok.on_retriever_end(documents))
        bad = await call(manager.on_retriever_start(ser, query))
        await call(bad.on_retriever_error(error))
        return ok.run_id, bad.run_id

    ok, bad = run(lane, scenario)
    start_ev = ("on_retriever_start", {"serialized": ser, "query": query})
    expect_events("CB-EV-3", log.for_run(ok, "h"),
                  [start_ev, ("on_retriever_end", {"documents": documents})])
    expect_events("CB-EV-3", log.for_run(bad, "h"),
                  [start_ev, ("on_retriever_error", {"error": error})])


#: Empty payloads a run may legitimately end with (a fresh object per call).
EMPTY_ENDS = {"empty-dict": dict, "empty-list": list, "empty-str": str}
KIND_RULE = {"chain": "CB-EV-1", "tool": "CB-EV-2", "retriever": "CB-EV-3", "llm": "CB-EV-4",
             "chat_model": "CB-EV-5"}
ENDED_WITH = {"chain": "outputs", "tool": "output", "retriever": "documents"}


@pytest.mark.parametrize("empty", sorted(EMPTY_ENDS))
@pytest.mark.parametrize("kind", [pytest.param(k, marks=pytest.mark.rule(KIND_RULE[k]))
                                  for k in ENDED_WITH])
def test_end_with_empty_payload(cb, handler, log, lane, kind, empty):
    """A run that produced nothing ends with exactly the empty object given (not None)."""
    rule, arg, h = KIND_RULE[kind], ENDED_WITH[kind], handler("h")
    value = EMPTY_ENDS[empty]()

    async def scenario():
        rm = await start(configure(cb, lane, inheritable_callbacks=[h]), kind)
        await call(getattr(rm, END_EVENT[kind])(value))
        return rm.run_id

    run_id = run(lane, scenario)
    ends = [e for e in log.for_run(run_id, "h") if e.name == END_EVENT[kind]]
    if check_equal(rule, len(ends), 1, f"{END_EVENT[kind]} events after "
                                       f"{END_EVENT[kind]}({value!r}) on the {lane} manager"):
        check(rule, payload(ends[0], arg) is value,
              f"{END_EVENT[kind]}({value!r}): {arg} expected the very empty "
              f"{type(value).__name__} given, got {payload(ends[0], arg)!r}")


def _streaming_run_scenario(cb, lane, h, kind, item, tokens, response, error):
    """Two runs of ``kind``: one streams ``tokens`` then ends, one fails."""

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[h])
        ok = await start(manager, kind, SER, [item])
        for token, chunk in tokens:
            await call(ok.on_llm_new_token(token, chunk=chunk))
        await call(ok.on_llm_end(response))
        bad = await start(manager, kind, SER, [item])
        await call(bad.on_llm_error(error))
        return ok.run_id, bad.run_id

    return run(lane, scenario)


@pytest.mark.rule("CB-EV-4")
def test_llm_events(cb, handler, log, lane):
    prompt, response, error = "prompt text", object(), ValueError("llm failed")
    tokens = [("a", object()), ("b", object())]
    ok, bad = _streaming_run_scenario(cb, lane, handler("h"), "llm", prompt, tokens,
                                      response, error)
    start_ev = ("on_llm_start", {"serialized": SER, "prompts": Items([prompt])})
    token_evs = [("on_llm_new_token", {"token": t}, {"chunk": c}) for t, c in tokens]
    expect_events("CB-EV-4", log.for_run(ok, "h"),
                  [start_ev, *token_evs, ("on_llm_end", {"response": response})])
    expect_events("CB-EV-4", log.for_run(bad, "h"),
                  [start_ev, ("on_llm_error", {"error": error})])


@pytest.mark.rule("CB-EV-5")
def test_chat_model_events(cb, handler, log, lane):
    messages, response, error = [object(), object()], object(), ValueError("chat failed")
    tokens = [("a", object())]
    ok, bad = _streaming_run_scenario(cb, lane, handler("h"), "chat_model", messages, tokens,
                                      response, error)
    start_ev = ("on_chat_model_start", {"serialized": SER, "messages": Items([messages])})
    token_evs = [("on_llm_new_token", {"token": t}, {"chunk": c}) for t, c in tokens]
    expect_events("CB-EV-5", log.for_run(ok, "h"),
                  [start_ev, *token_evs, ("on_llm_end", {"response": response})])
    expect_events("CB-EV-5", log.for_run(bad, "h"),
                  [start_ev, ("on_llm_error", {"error": error})])


# -- CB-EV-6..9: events of every run manager ----------------------------------------------

def _nested_run(cb, lane, h, kind, body):
    """Start a ``kind`` run under a tagged chain run; ``body(run)`` runs inside it."""

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[h], inheritable_tags=["outer"])
        parent = await start(manager, "chain")
        child = parent.get_child("inner")
        inner = await start(child, kind)
        await body(inner)
        return parent, inner

    return run(lane, scenario)


@pytest.mark.rule("CB-EV-6", "CB-ID-4")
@pytest.mark.parametrize("text", ["intermediate text", ""], ids=["text", "empty-text"])
@pytest.mark.parametrize("kind", KINDS)
def test_on_text(cb, handler, log, lane, kind, text):
    parent, inner = _nested_run(cb, lane, handler("h"), kind,
                                lambda rm: call(rm.on_text(text)))
    texts = log.named("on_text", "h")
    if not check_equal("CB-EV-6", len(texts), 1, f"on_text events from a {kind} run "
                                                 f"after on_text({text!r})"):
        return
    event = texts[0]
    check_equal("CB-EV-6", payload(event, "text"), text, "text")
    check_equal("CB-ID-4", event.run_id, inner.run_id, "run_id")
    check_equal("CB-ID-4", event.parent_run_id, parent.run_id, "parent_run_id")
    check_equal("CB-EV-6", event.tags, list(inner.tags), "tags (the run's tags)")
    check("CB-EV-6", "inner" in (event.tags or []), f"tags lack the child's tag: {event.tags}")


@pytest.mark.rule("CB-EV-7", "CB-ID-4")
@pytest.mark.parametrize("kind", KINDS)
def test_on_retry(cb, handler, log, lane, kind):
    retry_state = object()
    offered = []

    async def retry(rm):
        on_retry = require_method("CB-EV-7", rm, "on_retry")
        offered.append(on_retry is not None)
        if on_retry is not None:
            await call(on_retry(retry_state))

    parent, inner = _nested_run(cb, lane, handler("h"), kind, retry)
    if not all(offered):
        return
    retries = log.named("on_retry", "h")
    if not check_equal("CB-EV-7", len(retries), 1, f"on_retry events from a {kind} run"):
        return
    event = retries[0]
    check("CB-EV-7", payload(event, "retry_state") is retry_state,
          f"retry_state: expected the very object given, got {payload(event, 'retry_state')!r}")
    check_equal("CB-ID-4", event.run_id, inner.run_id, "run_id")
    check_equal("CB-ID-4", event.parent_run_id, parent.run_id, "parent_run_id")
    check_equal("CB-EV-7", event.tags, list(inner.tags), "tags (the run's tags)")


@pytest.mark.rule("CB-EV-8")
@pytest.mark.parametrize("kind", KINDS)
def test_keyword_pass_through(cb, handler, log, lane, kind):
    h = handler("h")
    marker, chunk = object(), object()

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[h])
        rm = await start(manager, kind, name="run name", extra=marker)
        await call(rm.on_text("t", extra=marker))
        retry = offered(rm, "on_retry")
        if retry is not None:
            await call(retry(object(), extra=marker))
            retried.append(True)
        if kind in STREAMING:
            await call(rm.on_llm_new_token("tok", chunk=chunk, extra=marker))
        await end(rm, kind, extra=marker)

    retried: list[bool] = []
    run(lane, scenario)
    events = log.of("h")
    check("CB-EV-8", len(events) >= 3 + len(retried),
          f"expected every event of the run, got {events}")
    for event in events:
        check("CB-EV-8", event.kwargs.get("extra") is marker,
              f"{event.name}: keyword extra expected {marker!r}, got {event.kwargs.get('extra')!r}")
    check_equal("CB-EV-8", events[0].kwargs.get("name"), "run name", "start keyword name")
    for token in log.named("on_llm_new_token", "h"):
        check("CB-EV-8", token.kwargs.get("chunk") is chunk,
              f"on_llm_new_token: chunk expected {chunk!r}, got {token.kwargs.get('chunk')!r}")


@pytest.mark.rule("CB-EV-8")
@pytest.mark.parametrize("kind", KINDS)
def test_keyword_pass_through_on_errors_and_agent_events(cb, handler, log, lane, kind):
    """The error end of every run kind, and a chain run's agent events, pass keywords on."""
    h = handler("h")
    marker = object()

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[h])
        rm = await start(manager, kind)
        if kind == "chain":
            await call(rm.on_agent_action(object(), extra=marker))
            await call(rm.on_agent_finish(object(), extra=marker))
        await fail(rm, kind, ValueError("failed"), extra=marker)

    run(lane, scenario)
    sent = ["on_agent_action", "on_agent_finish"] if kind == "chain" else []
    sent.append(ERROR_EVENT[kind])
    received = [e for e in log.of("h") if e.name != START_EVENT[kind]]
    check_equal("CB-EV-8", [e.name for e in received], sent, "events after the start")
    for event in received:
        check("CB-EV-8", event.kwargs.get("extra") is marker,
              f"{event.name}: keyword extra expected {marker!r}, got {event.kwargs.get('extra')!r}")


def _raised_from(error: BaseException, cause: BaseException) -> BaseException:
    """``error`` as raised by ``raise error from cause`` (``__cause__`` and traceback set)."""
    try:
        raise error from cause
    except BaseException as exc:  # noqa: BLE001 - the very object raised is the point
        return exc


ERRORS = {
    "ValueError": lambda: ValueError("failed"),
    "ValueError-from-KeyError": lambda: _raised_from(ValueError("failed"), KeyError("cause")),
    "CancelledError-from-TimeoutError": lambda: _raised_from(
        asyncio.CancelledError("cancelled"), TimeoutError("deadline")),
    "CancelledError": lambda: asyncio.CancelledError("cancelled"),
    "KeyboardInterrupt": lambda: KeyboardInterrupt(),
    "GeneratorExit": lambda: GeneratorExit(),
}


@pytest.mark.rule("CB-EV-9")
@pytest.mark.parametrize("error_type", sorted(ERRORS))
@pytest.mark.parametrize("kind", KINDS)
def test_error_object_passes_through(cb, handler, log, lane, kind, error_type):
    h = handler("h")
    error = ERRORS[error_type]()

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[h])
        await fail(await start(manager, kind), kind, error)

    run(lane, scenario)
    errors = log.named(ERROR_EVENT[kind], "h")
    if check_equal("CB-EV-9", len(errors), 1, f"{ERROR_EVENT[kind]} events"):
        got = payload(errors[0], "error")
        hint = " (its __cause__)" if got is not None and got is error.__cause__ else ""
        check("CB-EV-9", got is error,
              f"{ERROR_EVENT[kind]}: expected the very {error_type} given, got {got!r}{hint}")


# -- the handler base classes accept the whole vocabulary ---------------------------------

BASE_CLASSES = handler_kind_params("base_handler", "async_handler")


def event_rule(name: str, kind: str) -> str:
    """The rule that names event ``name`` of a ``kind`` run."""
    return {"on_text": "CB-EV-6", "on_retry": "CB-EV-7",
            "on_custom_event": "CB-CUSTOM-1"}.get(name, KIND_RULE[kind])


def vocabulary(kind: str) -> list[str]:
    """The names of the events :func:`every_event_of` dispatches for ``kind``."""
    return [START_EVENT[kind], *(["on_agent_action", "on_agent_finish"] if kind == "chain"
                                 else []),
            *(["on_llm_new_token"] if kind in STREAMING else []), "on_text", "on_retry",
            "on_custom_event", END_EVENT[kind], ERROR_EVENT[kind]]


async def every_event_of(manager: Any, kind: str, emit: Any) -> None:
    """Every event a ``kind`` run can deliver, each through ``emit(name, thunk)`` (``thunk()``
    is the coroutine to await): an ended run with text, a retry, a custom event (and tokens
    or agent steps), and a failed run."""
    ok = await emit(START_EVENT[kind], lambda: start(manager, kind))
    if kind == "chain":
        await emit("on_agent_action", lambda: call(ok.on_agent_action(object())))
        await emit("on_agent_finish", lambda: call(ok.on_agent_finish(object())))
    if kind in STREAMING:
        await emit("on_llm_new_token", lambda: call(ok.on_llm_new_token("tok", chunk=object())))
    await emit("on_text", lambda: call(ok.on_text("text")))
    retry = offered(ok, "on_retry")  # None where the implementation has no retries (CB-EV-7)
    if retry is not None:
        await emit("on_retry", lambda: call(retry(object())))
    dispatcher = manager if kind in STREAMING else ok.get_child()
    await emit("on_custom_event",
               lambda: call(dispatcher.on_custom_event("progress", {"n": 1}, run_id=ok.run_id)))
    await emit(END_EVENT[kind], lambda: end(ok, kind))
    bad = await emit(START_EVENT[kind], lambda: start(manager, kind))
    await emit(ERROR_EVENT[kind], lambda: fail(bad, kind, ValueError("failed")))


@pytest.mark.rule("CB-EV-6", "CB-EV-7", "CB-CUSTOM-1")
@pytest.mark.parametrize("is_async", BASE_CLASSES)
@pytest.mark.parametrize("kind", [pytest.param(k, marks=pytest.mark.rule(KIND_RULE[k]))
                                  for k in KINDS])
def test_base_handler_accepts_every_event(cb, lane, kind, is_async):
    """A handler that is a bare instance of a handler base class, no method overridden,
    receives every event of every run kind without error (the base classes define each
    event method as a no-op), on both managers."""
    base = cb.async_handler if is_async else cb.base_handler
    sort = "async handler" if is_async else "handler"
    for name in vocabulary(kind):
        check(event_rule(name, kind), callable(getattr(base, name, None)),
              f"the {sort} base class {base.__name__} defines no {name}: a handler that "
              f"does not override it fails on every {name} event")
    bare = base()
    bare.raise_error = True  # its errors reach the caller, so the kit can see them
    current: list[str] = []

    async def program():
        await every_event_of(configure(cb, lane, inheritable_callbacks=[bare]), kind,
                             lambda name, thunk: _noted(current, name, thunk))

    try:
        run(lane, program)
    except Exception as exc:  # what the bare handler's event method raised
        name = current[-1] if current else START_EVENT[kind]
        check(event_rule(name, kind), False,
              f"a bare {base.__name__}() (the {sort} base class, raise_error set, no method "
              f"overridden) failed on {name} of a {kind} run on the {lane} manager: {exc!r}")


async def _noted(names: list[str], name: str, thunk: Any) -> Any:
    names.append(name)
    return await thunk()

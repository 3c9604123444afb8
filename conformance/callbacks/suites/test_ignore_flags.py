"""CB-IGN: each ignore_* flag silences one family of events for one handler."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks import check, check_equal
from conformance.callbacks.lanes import call, configure, handler_kind_params, offered, run
from conformance.callbacks.recording import IGNORE_FLAGS

from conformance.callbacks.suites.test_events import START_EVENT, event_family, run_every_kind, start

HANDLER_KINDS = handler_kind_params()  # each kind needs its lane
KIND_OF_START = {name: kind for kind, name in START_EVENT.items()}


async def every_family(manager: Any) -> list[tuple[str, Any]]:
    """Dispatch events of every family; the (event name, run id) pairs sent, in order."""
    sent = await run_every_kind(manager)
    chain = await start(manager, "chain")
    await call(chain.on_agent_action({"tool": "t"}))
    await call(chain.on_agent_finish({"output": "o"}))
    chain_retry = offered(chain, "on_retry")  # None where the implementation has no retries
    if chain_retry is not None:
        await call(chain_retry({"attempt": 2}))
    await call(chain.get_child().on_custom_event("progress", {"n": 1}, run_id=chain.run_id))
    llm = await start(manager, "llm")
    llm_retry = offered(llm, "on_retry")
    if llm_retry is not None:
        await call(llm_retry({"attempt": 2}))
    return sent + [("on_chain_start", chain.run_id), ("on_agent_action", chain.run_id),
                   ("on_agent_finish", chain.run_id)] \
        + ([("on_retry", chain.run_id)] if chain_retry is not None else []) \
        + [("on_custom_event", chain.run_id), ("on_llm_start", llm.run_id)] \
        + ([("on_retry", llm.run_id)] if llm_retry is not None else [])


def families(sent: list[tuple[str, Any]]) -> list[tuple[str, Any, str | None]]:
    """``sent`` with each event's family (its ignore flag, or None for on_text)."""
    kind_of = {run_id: KIND_OF_START[name] for name, run_id in sent if name in KIND_OF_START}
    return [(name, run_id, event_family(name, kind_of[run_id])) for name, run_id in sent]


def run_with_flag(cb, handler, lane, flag, is_async):
    """Run every family past a handler ignoring ``flag`` and a plain one; the events sent."""
    handlers = [handler("quiet", is_async=is_async, ignore=(flag,)),
                handler("plain", is_async=is_async)]
    sent = run(lane, lambda: every_family(configure(cb, lane, inheritable_callbacks=handlers)))
    return families(sent)


def received(log: Any, label: str) -> list[tuple[str, Any]]:
    return [(e.name, e.run_id) for e in log.of(label)]


def check_family_silenced(rule: str, log: Any, sent: list[Any], flag: str) -> None:
    silenced = [(n, r) for n, r, fam in sent if fam == flag]
    if flag == "retry" and not silenced:  # the run managers offer no on_retry (see offered)
        check(rule, False, "no retry event can be dispatched: the run managers have no "
                           "on_retry(), so ignore_retry has nothing to silence")
        return
    assert silenced, f"kit error: the program dispatched no {flag} event"
    got = [pair for pair in received(log, "quiet") if pair in silenced]
    check_equal(rule, [n for n, _ in got], [],
                f"{flag}-family events received by a handler with ignore_{flag}")


@pytest.mark.rule("CB-IGN-1")
@pytest.mark.parametrize("is_async", HANDLER_KINDS)
def test_ignore_chain(cb, handler, log, lane, is_async):
    sent = run_with_flag(cb, handler, lane, "chain", is_async)
    check_family_silenced("CB-IGN-1", log, sent, "chain")
    check_received("CB-IGN-1", log, "quiet", [(n, r) for n, r, fam in sent if fam != "chain"],
                   "the handler with ignore_chain (every other family)")


@pytest.mark.rule("CB-IGN-2")
@pytest.mark.parametrize("is_async", HANDLER_KINDS)
def test_ignore_llm(cb, handler, log, lane, is_async):
    check_family_silenced("CB-IGN-2", log, run_with_flag(cb, handler, lane, "llm", is_async),
                          "llm")


@pytest.mark.rule("CB-IGN-3")
@pytest.mark.parametrize("is_async", HANDLER_KINDS)
def test_ignore_chat_model(cb, handler, log, lane, is_async):
    sent = run_with_flag(cb, handler, lane, "chat_model", is_async)
    check_family_silenced("CB-IGN-3", log, sent, "chat_model")


@pytest.mark.rule("CB-IGN-4")
@pytest.mark.parametrize("is_async", HANDLER_KINDS)
def test_ignore_agent(cb, handler, log, lane, is_async):
    sent = run_with_flag(cb, handler, lane, "agent", is_async)
    check_family_silenced("CB-IGN-4", log, sent, "agent")
    tool_or_agent = {n for n, _, fam in sent if fam == "agent"}
    assert {"on_tool_start", "on_tool_end", "on_tool_error", "on_agent_action"} <= tool_or_agent


@pytest.mark.rule("CB-IGN-5")
@pytest.mark.parametrize("is_async", HANDLER_KINDS)
def test_ignore_retriever(cb, handler, log, lane, is_async):
    sent = run_with_flag(cb, handler, lane, "retriever", is_async)
    check_family_silenced("CB-IGN-5", log, sent, "retriever")


@pytest.mark.rule("CB-IGN-6")
@pytest.mark.parametrize("is_async", HANDLER_KINDS)
def test_ignore_retry(cb, handler, log, lane, is_async):
    check_family_silenced("CB-IGN-6", log, run_with_flag(cb, handler, lane, "retry", is_async),
                          "retry")


def check_received(rule: str, log: Any, label: str, expected: list[tuple[str, Any]],
                   what: str, leaving_out: set[tuple[str, Any]] = frozenset()) -> None:
    """``label`` received exactly ``expected``, in order; the message names the difference.

    Events in ``leaving_out`` are not looked at (another rule judges them)."""
    got = [pair for pair in received(log, label) if pair not in leaving_out]
    missing = [n for n, r in expected if (n, r) not in got]
    extra = [n for n, r in got if (n, r) not in expected]
    check(rule, got == expected,
          f"{what}: expected {len(expected)} events, got {len(got)}; missing {missing}, "
          f"unexpected {extra}")


#: The rule that makes each flag silence its own family.
FAMILY_RULE = {"chain": "CB-IGN-1", "llm": "CB-IGN-2", "chat_model": "CB-IGN-3",
               "agent": "CB-IGN-4", "retriever": "CB-IGN-5", "retry": "CB-IGN-6",
               "custom_event": "CB-CUSTOM-4"}


@pytest.mark.rule("CB-IGN-7")
@pytest.mark.parametrize("flag", [pytest.param(f, marks=pytest.mark.rule(FAMILY_RULE[f]))
                                  for f in IGNORE_FLAGS])
@pytest.mark.parametrize("is_async", HANDLER_KINDS)
def test_flags_per_handler_and_family(cb, handler, log, lane, is_async, flag):
    """The flag silences its own family for its own handler (the family's rule) and
    nothing else: every other family still reaches that handler, and every event reaches
    the handler next to it (CB-IGN-7)."""
    sent = run_with_flag(cb, handler, lane, flag, is_async)
    check_received("CB-IGN-7", log, "plain", [(n, r) for n, r, _ in sent],
                   f"a handler without flags, next to one with ignore_{flag}")
    check_family_silenced(FAMILY_RULE[flag], log, sent, flag)
    family = {(n, r) for n, r, fam in sent if fam == flag}
    check_received("CB-IGN-7", log, "quiet", [(n, r) for n, r, fam in sent if fam != flag],
                   f"the handler with ignore_{flag} (everything but its family)",
                   leaving_out=family)
    texts = [pair for pair in received(log, "quiet") if pair[0] == "on_text"]
    check("CB-IGN-7", len(texts) == sum(1 for n, _, _ in sent if n == "on_text"),
          f"on_text reached the handler with ignore_{flag} {len(texts)} times")

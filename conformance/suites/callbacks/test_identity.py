"""CB-ID: run identity and parent linkage."""

from __future__ import annotations

import uuid

import pytest

from conformance.checks import check, check_equal
from conformance.lanes import call, configure, run

SER = {"name": "component"}


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
        starts = {
            "chain": lambda: manager.on_chain_start(SER, {}, run_id=given),
            "tool": lambda: manager.on_tool_start(SER, "q", run_id=given),
            "retriever": lambda: manager.on_retriever_start(SER, "q", run_id=given),
            "llm": lambda: manager.on_llm_start(SER, ["p"], run_id=given),
            "chat_model": lambda: manager.on_chat_model_start(SER, [[{"m": 1}]], run_id=given),
        }
        result = await call(starts[kind]())
        return result[0] if isinstance(result, list) else result

    rm = run(lane, scenario)
    check_equal("CB-ID-2", rm.run_id, given, f"{kind} run manager's run_id")
    check_equal("CB-ID-2", [e.run_id for e in log.of("req")], [given], f"{kind} start event run_id")

"""CB-CUSTOM: user-defined events dispatched through a callback manager."""

from __future__ import annotations

import uuid

import pytest

from conformance.checks import check, check_equal
from conformance.callbacks.lanes import call, configure, handler_kind_params, run

from conformance.callbacks.suites.test_events import payload, start

HANDLER_KINDS = handler_kind_params()  # each kind needs its lane


def _one_custom_event(rule, log, label):
    events = log.named("on_custom_event", label)
    check_equal(rule, len(events), 1, f"custom events received by {label}")
    return events[0] if events else None


@pytest.mark.rule("CB-CUSTOM-1")
@pytest.mark.parametrize("is_async", HANDLER_KINDS)
def test_custom_event_delivery(cb, handler, log, lane, is_async):
    h = handler("h", is_async=is_async)
    data, given = {"progress": 0.5}, uuid.uuid4()

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[h], inheritable_tags=["inh"],
                            local_tags=["loc"], inheritable_metadata={"a": 1},
                            local_metadata={"b": 2})
        await call(manager.on_custom_event("my_event", data, run_id=given))

    run(lane, scenario)
    event = _one_custom_event("CB-CUSTOM-1", log, "h")
    if event is None:
        return
    check_equal("CB-CUSTOM-1", payload(event, "name"), "my_event", "event name")
    check("CB-CUSTOM-1", payload(event, "data") is data,
          f"data: expected the very object given, got {payload(event, 'data')!r}")
    check_equal("CB-CUSTOM-1", event.run_id, given, "run_id")
    check_equal("CB-CUSTOM-1", sorted(event.tags or []), ["inh", "loc"], "tags")
    check_equal("CB-CUSTOM-1", event.metadata, {"a": 1, "b": 2}, "metadata")


@pytest.mark.rule("CB-CUSTOM-1")
def test_custom_event_without_run_id(cb, handler, log, lane):
    h = handler("h")

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[h])
        await call(manager.on_custom_event("first", {}))
        await call(manager.on_custom_event("second", {}))

    run(lane, scenario)
    ids = [e.run_id for e in log.named("on_custom_event", "h")]
    check_equal("CB-CUSTOM-1", len(ids), 2, "custom events received")
    check("CB-CUSTOM-1", all(isinstance(i, uuid.UUID) for i in ids),
          f"run_id of custom events dispatched without one: expected UUIDs, got {ids!r}")
    check_equal("CB-CUSTOM-1", len(set(ids)), len(ids),
                "distinct run_ids among the custom events dispatched without one")


@pytest.mark.rule("CB-CUSTOM-2")
@pytest.mark.parametrize("kind", ["chain", "tool", "retriever"])
def test_custom_event_belongs_to_enclosing_run(cb, handler, log, lane, kind):
    h = handler("h")
    data = ["payload"]

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[h], inheritable_tags=["inh"],
                            inheritable_metadata={"who": "request"})
        rm = await start(manager, kind)
        child = rm.get_child("step")
        await call(child.on_custom_event("inside", data, run_id=child.parent_run_id))
        return rm

    rm = run(lane, scenario)
    event = _one_custom_event("CB-CUSTOM-2", log, "h")
    if event is None:
        return
    check_equal("CB-CUSTOM-2", event.run_id, rm.run_id, "run_id (the enclosing run's)")
    check("CB-CUSTOM-2", payload(event, "data") is data, f"data changed: {event.args}")
    check_equal("CB-CUSTOM-2", sorted(event.tags or []), ["inh", "step"], "tags (the child's)")
    check_equal("CB-CUSTOM-2", event.metadata, {"who": "request"}, "metadata (the child's)")


@pytest.mark.rule("CB-CUSTOM-3")
@pytest.mark.parametrize("with_handlers", [True, False], ids=["with-handlers", "no-handlers"])
def test_extra_keywords_rejected(cb, handler, log, lane, with_handlers):
    handlers = [handler("h")] if with_handlers else []

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=handlers)
        try:
            await call(manager.on_custom_event("e", {}, run_id=uuid.uuid4(), extra=1))
        except ValueError as exc:
            return exc
        return None

    raised = run(lane, scenario)
    check("CB-CUSTOM-3", raised is not None,
          f"on_custom_event(..., extra=1) with {len(handlers)} handler(s): expected "
          f"ValueError, it returned normally")
    check_equal("CB-CUSTOM-3", log.named("on_custom_event"), [], "events delivered")


@pytest.mark.rule("CB-CUSTOM-4")
@pytest.mark.parametrize("is_async", HANDLER_KINDS)
def test_ignore_custom_event(cb, handler, log, lane, is_async):
    quiet = handler("quiet", is_async=is_async, ignore=("custom_event",))
    plain = handler("plain", is_async=is_async)

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[quiet, plain])
        await call(manager.on_custom_event("e", {"n": 1}, run_id=uuid.uuid4()))
        rm = await start(manager, "chain")
        await call(rm.get_child().on_custom_event("e", {"n": 2}, run_id=rm.run_id))

    run(lane, scenario)
    check_equal("CB-CUSTOM-4", log.named("on_custom_event", "quiet"), [],
                "custom events received by the handler that ignores them")
    check_equal("CB-CUSTOM-4", len(log.named("on_custom_event", "plain")), 2,
                "custom events received by the other handler")
    check_equal("CB-CUSTOM-4", len(log.named("on_chain_start", "quiet")), 1,
                "chain starts received by the handler ignoring custom events")

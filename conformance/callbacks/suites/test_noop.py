"""CB-NOOP: get_noop_manager()."""

from __future__ import annotations

import uuid

import pytest

from conformance.checks import check, check_equal, require_method
from conformance.callbacks.lanes import configure, run

from conformance.callbacks.suites.test_identity import KINDS, PARENT_KINDS, exercise, fail, start

NOOP_EMPTY = {"parent_run_id": None, "tags": [], "inheritable_tags": [], "metadata": {},
              "inheritable_metadata": {}}


def _noop_via(cb, lane, kind, h, via, rule):
    """A run of ``kind`` with handler ``h``, and a noop manager from its class or instance
    (``None`` when the run manager has no ``get_noop_manager``: a failure of ``rule``)."""

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[h], inheritable_tags=["t"],
                            inheritable_metadata={"m": 1})
        rm = await start(kind, manager)
        get_noop = require_method(rule, type(rm) if via == "class" else rm, "get_noop_manager")
        return rm, (get_noop() if get_noop is not None else None)

    return run(lane, scenario)


@pytest.mark.rule("CB-NOOP-1")
@pytest.mark.parametrize("via", ["class", "instance"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_noop_dispatches_nothing(cb, handler, log, lane, kind, via):
    h = handler("req")
    rm, noop = _noop_via(cb, lane, kind, h, via, "CB-NOOP-1")
    if noop is None:
        return
    check("CB-NOOP-1", type(noop) is type(rm),
          f"get_noop_manager() on the {via} {type(rm).__name__}: got a {type(noop).__name__}")
    check_equal("CB-NOOP-1", noop.handlers, [], "noop manager handlers")
    before = len(log.events)

    async def scenario():
        await exercise(noop, kind)
        await fail(noop, kind)

    run(lane, scenario)  # every event method returns normally
    check_equal("CB-NOOP-1", [e.name for e in log.events[before:]], [],
                "events reaching a handler through the noop manager")


@pytest.mark.rule("CB-NOOP-2")
@pytest.mark.parametrize("kind", list(KINDS))
def test_noop_fields(cb, handler, lane, kind):
    _, noop = _noop_via(cb, lane, kind, handler("req"), "class", "CB-NOOP-2")
    if noop is None:
        return
    check("CB-NOOP-2", isinstance(noop.run_id, uuid.UUID),
          f"noop run_id: expected a uuid.UUID, got {noop.run_id!r}")
    for name, value in NOOP_EMPTY.items():
        check_equal("CB-NOOP-2", getattr(noop, name, "<missing>"), value, f"noop {name}")


@pytest.mark.rule("CB-NOOP-2")
@pytest.mark.parametrize("kind", PARENT_KINDS)
def test_noop_child_has_no_handlers(cb, handler, lane, kind):
    _, noop = _noop_via(cb, lane, kind, handler("req"), "instance", "CB-NOOP-2")
    if noop is None:
        return
    child = noop.get_child()
    check_equal("CB-NOOP-2", (child.handlers, child.inheritable_handlers), ([], []),
                "(handlers, inheritable_handlers) of the noop manager's get_child()")

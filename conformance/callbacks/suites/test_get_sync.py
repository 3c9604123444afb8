"""CB-SYNC: get_sync() on async run managers."""

from __future__ import annotations

import inspect

import pytest

from conformance.adapter import CB_ASYNC, CB_SYNC
from conformance.checks import check, check_equal
from conformance.callbacks.lanes import call, configure, run

from conformance.callbacks.suites.test_identity import KINDS, PARENT_KINDS, start

FIELDS = ("run_id", "parent_run_id", "handlers", "inheritable_handlers", "tags",
          "inheritable_tags", "metadata", "inheritable_metadata")

pytestmark = pytest.mark.requires(CB_SYNC, CB_ASYNC)  # an async run manager's sync twin


def _fields(manager):
    return {name: getattr(manager, name, "<missing>") for name in FIELDS}


def _async_run(cb, handler, kind):
    """An async run of ``kind`` below a chain, with local and inheritable everything."""
    req, own = handler("req"), handler("own", is_async=True)

    async def scenario():
        root = await start("chain", configure(cb, "async", inheritable_callbacks=[req]))
        manager = configure(cb, "async", inheritable_callbacks=root.get_child("step"),
                            local_callbacks=[own], inheritable_tags=["t"], local_tags=["own"],
                            inheritable_metadata={"m": 1}, local_metadata={"own": 1})
        return await start(kind, manager)

    return run("async", scenario)


def _sync_class(cb, kind):
    async def scenario():
        return type(await start(kind, configure(cb, "sync")))

    return run("sync", scenario)


@pytest.mark.rule("CB-SYNC-1")
@pytest.mark.parametrize("kind", list(KINDS))
def test_same_run_same_fields(cb, handler, kind):
    rm = _async_run(cb, handler, kind)
    twin = rm.get_sync()
    expected = _sync_class(cb, kind)
    check("CB-SYNC-1", isinstance(twin, expected),
          f"get_sync() of a {type(rm).__name__}: expected a {expected.__name__}, "
          f"got a {type(twin).__name__}")
    end = KINDS[kind].events[-1][0]
    for name in ("on_text", end, KINDS[kind].error):
        check("CB-SYNC-1", not inspect.iscoroutinefunction(getattr(twin, name, None)),
              f"{type(twin).__name__}.{name} of the get_sync() manager is a coroutine function")
    check_equal("CB-SYNC-1", _fields(twin), _fields(rm), "fields of get_sync() vs the run's")


@pytest.mark.rule("CB-SYNC-2")
@pytest.mark.parametrize("kind", list(KINDS))
def test_same_events_through_get_sync(cb, handler, log, kind):
    rm = _async_run(cb, handler, kind)
    end_name, end_args = KINDS[kind].events[-1]

    def observed(events):
        return sorted((e.handler, e.name, e.run_id, e.parent_run_id, sorted(e.tags or []))
                      for e in events)

    async def scenario():
        before = len(log.events)
        await call(rm.on_text("through the async manager"))
        await call(getattr(rm, end_name)(*end_args))
        middle = len(log.events)
        twin = rm.get_sync()
        twin.on_text("through get_sync()")
        getattr(twin, end_name)(*end_args)
        return observed(log.events[before:middle]), observed(log.events[middle:])

    via_async, via_sync = run("async", scenario)
    check("CB-SYNC-2", via_async, f"{kind}: no event reached a handler through the async run")
    check_equal("CB-SYNC-2", via_sync, via_async,
                f"{kind}: (handler, event, run_id, parent_run_id, tags) through get_sync() "
                "vs through the async run manager")


@pytest.mark.rule("CB-SYNC-3")
@pytest.mark.parametrize("kind", PARENT_KINDS)
def test_child_of_the_sync_twin(cb, handler, kind):
    rm = _async_run(cb, handler, kind)
    child = rm.get_sync().get_child()
    check("CB-SYNC-3", isinstance(child, cb.callback_manager),
          f"get_sync().get_child(): expected a {cb.callback_manager.__name__}, "
          f"got a {type(child).__name__}")
    check_equal("CB-SYNC-3", child.parent_run_id, rm.run_id, "get_sync().get_child().parent_run_id")
    check_equal("CB-SYNC-3", child.handlers, rm.inheritable_handlers,
                "get_sync().get_child().handlers vs the run's inheritable_handlers")

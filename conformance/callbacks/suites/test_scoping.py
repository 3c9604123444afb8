"""CB-SCOPE: request (inheritable) and constructor (local) callbacks."""

from __future__ import annotations

from collections import Counter

import pytest

from conformance.checks import check, check_equal
from conformance.callbacks.lanes import call, configure, manager_class, run

from conformance.callbacks.suites.test_identity import descend, exercise, start

FIELDS = ("handlers", "inheritable_handlers", "parent_run_id", "tags", "inheritable_tags",
          "metadata", "inheritable_metadata")
TREE = ("chain", "tool", "retriever", "llm")  # root first, each run below the previous one


def _fields(manager):
    return {name: _copied(getattr(manager, name)) for name in FIELDS}


def _copied(value):
    return type(value)(value) if isinstance(value, (list, dict)) else value


def _starts(log, label):
    return [e.run_id for e in log.of(label) if e.name.endswith("_start")]


@pytest.mark.rule("CB-SCOPE-1")
@pytest.mark.parametrize("via_configure", [True, False], ids=["configure", "get_child"])
def test_request_handlers_reach_every_depth(cb, handler, log, lane, via_configure):
    req = handler("req")

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[req])
        return await descend(cb, lane, manager, TREE, via_configure)

    runs = run(lane, scenario)
    check_equal("CB-SCOPE-1", _starts(log, "req"), [r.run_id for r in runs],
                f"start events the request handler saw for the runs {list(TREE)}")


# Ten levels of runs: deeper than the other suites' trees, so that inheritance that stops
# at some depth is seen here, on the rule, and not by luck in a property test.
DEEP_TREE = ("chain", "tool", "retriever", "chain", "tool", "chain", "retriever", "chain",
             "tool", "llm")


@pytest.mark.rule("CB-SCOPE-1")
@pytest.mark.parametrize("via_configure", [True, False], ids=["configure", "get_child"])
def test_request_handlers_reach_deep_runs(cb, handler, log, lane, via_configure):
    req = handler("req")

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[req])
        return await descend(cb, lane, manager, DEEP_TREE, via_configure)

    runs = run(lane, scenario)
    seen = set(_starts(log, "req"))
    missed = [f"depth {depth} ({kind})" for depth, (kind, rm) in
              enumerate(zip(DEEP_TREE, runs), start=1) if rm.run_id not in seen]
    check("CB-SCOPE-1", not missed,
          f"start events the request handler missed in a {len(DEEP_TREE)}-level call tree: "
          f"{missed} (does inheritance stop at some depth?)")


@pytest.mark.rule("CB-SCOPE-2")
@pytest.mark.parametrize("given_as", ["list", "manager"])
def test_constructor_handlers_stay_local(cb, handler, log, lane, given_as):
    req, own = handler("req"), handler("own")
    local = [own] if given_as == "list" else manager_class(cb, lane)([own])

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[req], local_callbacks=local)
        root = await start("chain", manager)
        child = root.get_child()
        below = await descend(cb, lane, configure(cb, lane, inheritable_callbacks=child),
                               TREE[1:])
        await exercise(root, "chain")
        return root, child, below

    root, child, below = run(lane, scenario)
    check("CB-SCOPE-2", own not in child.handlers and own not in child.inheritable_handlers,
          f"get_child() of the run holds the local handler: handlers={child.handlers}, "
          f"inheritable_handlers={child.inheritable_handlers}")
    check_equal("CB-SCOPE-2", {e.run_id for e in log.of("own")}, {root.run_id},
                f"runs whose events reached the local handler given in a {given_as} "
                "(the root run only)")
    check_equal("CB-SCOPE-2", _starts(log, "req"), [root.run_id] + [r.run_id for r in below],
                "start events the request handler saw (it must reach every run)")


def _parent_manager(cb, handler, lane):
    """A child manager carrying local and inheritable handlers, tags and metadata."""

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[handler("req")],
                            inheritable_tags=["req-tag"], inheritable_metadata={"req": 1})
        child = (await start("chain", manager)).get_child("step")
        child.add_handler(handler("child-local"), inherit=False)
        child.add_metadata({"child": 1}, inherit=False)
        return child

    return run(lane, scenario)


@pytest.mark.rule("CB-SCOPE-3")
def test_configure_copies_a_parent_manager(cb, handler, lane):
    parent = _parent_manager(cb, handler, lane)
    before = _fields(parent)
    configured = configure(cb, lane, inheritable_callbacks=parent)
    check_equal("CB-SCOPE-3", _fields(configured), before,
                "fields of configure(inheritable_callbacks=parent) vs the parent's")
    configured.add_handler(handler("later"))
    configured.add_tags(["later"])
    configured.add_metadata({"later": 1})
    check_equal("CB-SCOPE-3", _fields(parent), before,
                "the parent manager after changing the configured one")


@pytest.mark.rule("CB-SCOPE-3")
def test_siblings_configured_from_one_parent(cb, handler, log, lane):
    parent = _parent_manager(cb, handler, lane)
    before = _fields(parent)
    one, two = handler("one"), handler("two")
    configure(cb, lane, inheritable_callbacks=parent, local_callbacks=[one],
              local_tags=["one"], local_metadata={"one": 1})  # the sibling configured first
    second = configure(cb, lane, inheritable_callbacks=parent, local_callbacks=[two])
    check("CB-SCOPE-3", one not in second.handlers and "one" not in second.tags
          and "one" not in second.metadata,
          f"a sibling configured from the same parent sees the other's local settings: "
          f"handlers={second.handlers}, tags={second.tags}, metadata={second.metadata}")
    check_equal("CB-SCOPE-3", _fields(parent), before,
                "the parent manager after configuring two siblings from it")


def _route(cb, lane, h, route):
    if route == "request+constructor":
        return configure(cb, lane, inheritable_callbacks=[h], local_callbacks=[h])
    if route == "listed twice":
        return configure(cb, lane, inheritable_callbacks=[h, h])
    if route == "local listed twice":
        return configure(cb, lane, local_callbacks=[h, h])
    if route == "constructed with it twice":
        return manager_class(cb, lane)([h, h])
    parent = manager_class(cb, lane)([h], [h])  # "parent manager+constructor"
    return configure(cb, lane, inheritable_callbacks=parent, local_callbacks=[h])


ROUTES = ["request+constructor", "listed twice", "local listed twice",
          "constructed with it twice", "parent manager+constructor"]


@pytest.mark.rule("CB-SCOPE-4")
@pytest.mark.parametrize("route", ROUTES)
def test_exactly_once_through_two_routes(cb, handler, log, lane, route):
    h = handler("h")

    async def scenario():
        rm = await start("chain", _route(cb, lane, h, route))
        return rm, await exercise(rm, "chain")

    rm, names = run(lane, scenario)
    counts = Counter(e.name for e in log.of("h"))
    expected = Counter(["on_chain_start", *names])
    check_equal("CB-SCOPE-4", dict(counts), dict(expected),
                f"events received by a handler reaching the manager as {route}")


@pytest.mark.rule("CB-SCOPE-5")
def test_unconfigured_manager_reaches_nobody(cb, handler, log, lane):
    busy = handler("busy")

    async def scenario():
        other = configure(cb, lane, inheritable_callbacks=[busy], local_callbacks=[busy])
        busy_run = await start("chain", other)
        quiet = configure(cb, lane)
        quiet_run = await start("chain", quiet)
        await call(quiet.on_custom_event("ping", {}))
        await exercise(quiet_run, "chain")
        await exercise(busy_run, "chain")
        return quiet, quiet_run

    quiet, quiet_run = run(lane, scenario)
    check_equal("CB-SCOPE-5", (quiet.handlers, quiet.inheritable_handlers), ([], []),
                "handlers of configure() while another manager has handlers")
    check_equal("CB-SCOPE-5", [e.name for e in log.events if e.run_id == quiet_run.run_id
                               or e.name == "on_custom_event"], [],
                "events of the unconfigured manager's run that reached some handler")


@pytest.mark.rule("CB-SCOPE-5")
@pytest.mark.parametrize("build", ["constructor", "configure"])
def test_handlers_do_not_leak_between_managers(cb, handler, lane, build):
    cls = manager_class(cb, lane)
    make = (lambda: cls([])) if build == "constructor" else (lambda: configure(cb, lane))
    first, second = make(), make()
    first.add_handler(handler("one"))
    first.add_handler(handler("two"), inherit=False)
    third = make()
    for name, manager in (("a sibling built before", second), ("one built after", third)):
        check_equal("CB-SCOPE-5", (manager.handlers, manager.inheritable_handlers), ([], []),
                    f"handlers of {name} another {cls.__name__} got handlers ({build})")

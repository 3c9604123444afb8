"""CB-TAG: tags on events, inheritance, locality, duplicates, isolation."""

from __future__ import annotations

import pytest

from conformance.checks import check, check_equal
from conformance.callbacks.lanes import configure, manager_class, run

from conformance.callbacks.suites.test_identity import KINDS, descend, exercise, run_through, start

TREE = ("chain", "tool", "retriever", "llm")


def _event_tags(log, run_id):
    return [(e.name, sorted(e.tags or [])) for e in log.for_run(run_id)]


def _check_every_event(rule, log, run_id, predicate, what):
    events = _event_tags(log, run_id)
    check(rule, events, f"{what}: no event of run {run_id} reached the handler")
    bad = [(name, tags) for name, tags in events if not predicate(set(tags))]
    check(rule, not bad, f"{what}: events whose tags are wrong: {bad}")


@pytest.mark.rule("CB-TAG-1")
@pytest.mark.parametrize("kind", list(KINDS))
def test_events_carry_the_manager_tags(cb, handler, log, lane, kind):
    h = handler("req")

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[h], inheritable_tags=["req"],
                            local_tags=["own"])
        return manager, await run_through(manager, kind)

    manager, runs = run(lane, scenario)
    check_equal("CB-TAG-1", set(manager.tags), {"req", "own"}, "the configured manager's tags")
    for rm, _ in runs:
        _check_every_event("CB-TAG-1", log, rm.run_id, lambda t: t == {"req", "own"},
                           f"{kind} run (expected tags {{'req', 'own'}} on every event)")


@pytest.mark.rule("CB-TAG-1")
def test_events_carry_inherited_and_local_tags(cb, handler, log, lane):
    h = handler("req")

    async def scenario():
        root = await start("chain", configure(cb, lane, inheritable_callbacks=[h],
                                              inheritable_tags=["req"]))
        manager = configure(cb, lane, inheritable_callbacks=root.get_child("step"),
                            local_tags=["own"])
        rm = await start("tool", manager)
        await exercise(rm, "tool")
        return manager, rm

    manager, rm = run(lane, scenario)
    expected = {"req", "step", "own"}
    check_equal("CB-TAG-1", set(manager.tags), expected, "tags of a manager inheriting a child")
    _check_every_event("CB-TAG-1", log, rm.run_id, lambda t: t == expected,
                       f"tool run below a chain (expected tags {sorted(expected)})")


def _tree_with_tags(cb, handler, lane, via_configure):
    h = handler("req")

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[h], inheritable_tags=["req"],
                            local_tags=["own"])
        manager.add_tags(["added"])
        manager.add_tags(["own2"], inherit=False)
        runs = await descend(cb, lane, manager, TREE, via_configure)
        for rm, kind in reversed(list(zip(runs, TREE))):
            await exercise(rm, kind)
        return runs

    return run(lane, scenario)


@pytest.mark.rule("CB-TAG-2")
@pytest.mark.parametrize("via_configure", [True, False], ids=["configure", "get_child"])
def test_inheritable_tags_flow_down(cb, handler, log, lane, via_configure):
    runs = _tree_with_tags(cb, handler, lane, via_configure)
    for depth, rm in enumerate(runs):
        _check_every_event("CB-TAG-2", log, rm.run_id, lambda t: {"req", "added"} <= t,
                           f"depth-{depth} run (each event must carry 'req' and 'added')")


@pytest.mark.rule("CB-TAG-3")
@pytest.mark.parametrize("via_configure", [True, False], ids=["configure", "get_child"])
def test_local_tags_stay_local(cb, handler, log, lane, via_configure):
    root, *below = _tree_with_tags(cb, handler, lane, via_configure)
    _check_every_event("CB-TAG-3", log, root.run_id, lambda t: {"own", "own2"} <= t,
                       "root run (each event must carry its local tags 'own' and 'own2')")
    for depth, rm in enumerate(below, start=1):
        _check_every_event("CB-TAG-3", log, rm.run_id, lambda t: not t & {"own", "own2"},
                           f"depth-{depth} run (no event may carry the root's local tags)")


async def _duplicate_route(cb, lane, h, route):
    """A manager that receives the tag 'x' by two routes."""
    if route == "inheritable+local":
        return configure(cb, lane, inheritable_callbacks=[h], inheritable_tags=["x"],
                         local_tags=["x"])
    if route == "parent+configure":
        parent = manager_class(cb, lane)([h], [h], tags=["x"], inheritable_tags=["x"])
        return configure(cb, lane, inheritable_callbacks=parent, inheritable_tags=["x"],
                         local_tags=["x"])
    if route == "add_tags twice":
        manager = configure(cb, lane, inheritable_callbacks=[h])
        manager.add_tags(["x"])
        manager.add_tags(["x"], inherit=False)
        return manager
    root = await start("chain", configure(cb, lane, inheritable_callbacks=[h],  # child tag
                                          inheritable_tags=["x"]))
    return root.get_child("x")


@pytest.mark.rule("CB-TAG-4")
@pytest.mark.parametrize("route", ["inheritable+local", "parent+configure", "add_tags twice",
                                   "child tag"])
def test_no_duplicate_tags(cb, handler, log, lane, route):
    h = handler("req")

    async def scenario():
        rm = await start("chain", await _duplicate_route(cb, lane, h, route))
        await exercise(rm, "chain")
        return rm

    rm = run(lane, scenario)
    counts = [(e.name, (e.tags or []).count("x")) for e in log.for_run(rm.run_id)]
    check("CB-TAG-4", counts, "no event of the run reached the handler")
    check_equal("CB-TAG-4", counts, [(name, 1) for name, _ in counts],
                f"how often 'x' (reaching the run as {route}) appears in each event's tags")


def _append_evil(event):
    if isinstance(event.raw_tags, list):
        event.raw_tags.append("evil")


@pytest.mark.rule("CB-TAG-5")
def test_handler_mutating_tags(cb, handler, log, lane):
    bad = handler("bad", hooks={"on_chain_start": _append_evil})

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[bad], inheritable_tags=["req"],
                            local_tags=["own"])
        rm = await start("chain", manager)
        await exercise(rm, "chain")
        child = rm.get_child()
        later = await start("chain", manager)
        await exercise(later, "chain")
        return manager, rm, child

    managers = run(lane, scenario)
    for name, manager in zip(("configured manager", "run manager", "child manager"), managers):
        check("CB-TAG-5", "evil" not in manager.tags and "evil" not in manager.inheritable_tags,
              f"{name} tags after a handler appended 'evil' to the tags it received: "
              f"{manager.tags}, inheritable {manager.inheritable_tags}")
    # The hook runs after the event is recorded: every event after the first is later.
    later = [(e.name, e.tags) for e in log.events[1:]]
    check("CB-TAG-5", all("evil" not in (tags or []) for _, tags in later),
          f"tags of events after the mutation (none may hold 'evil'): {later}")

"""CB-META: metadata on start events, inheritance, precedence, isolation."""

from __future__ import annotations

import pytest

from conformance.checks import check, check_equal
from conformance.callbacks.lanes import configure, run

from conformance.callbacks.suites.test_identity import KINDS, descend, exercise, start

TREE = ("chain", "tool", "retriever", "llm")


def _start_metadata(log, run_id):
    found = [e.metadata for e in log.for_run(run_id) if e.name.endswith("_start")]
    return found[0] if len(found) == 1 else f"<{len(found)} start events>"


@pytest.mark.rule("CB-META-1")
@pytest.mark.parametrize("kind", list(KINDS))
def test_start_events_carry_metadata(cb, handler, log, lane, kind):
    h = handler("req")

    async def scenario():
        root = await start("chain", configure(cb, lane, inheritable_callbacks=[h],
                                              inheritable_metadata={"req": 1}))
        manager = configure(cb, lane, inheritable_callbacks=root.get_child(),
                            inheritable_metadata={"mine": 2}, local_metadata={"own": 3})
        return manager, await start(kind, manager)

    manager, rm = run(lane, scenario)
    expected = {"req": 1, "mine": 2, "own": 3}
    check_equal("CB-META-1", manager.metadata, expected, "the starting manager's metadata")
    check_equal("CB-META-1", _start_metadata(log, rm.run_id), expected,
                f"metadata of the {kind} start event")


def _tree_with_metadata(cb, handler, log, lane, via_configure):
    h = handler("req")

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[h],
                            inheritable_metadata={"req": 1}, local_metadata={"own": 1})
        manager.add_metadata({"added": 1})
        manager.add_metadata({"own2": 1}, inherit=False)
        return await descend(cb, lane, manager, TREE, via_configure)

    return [_start_metadata(log, rm.run_id) for rm in run(lane, scenario)]


@pytest.mark.rule("CB-META-2")
@pytest.mark.parametrize("via_configure", [True, False], ids=["configure", "get_child"])
def test_inheritable_flows_down_local_stays(cb, handler, log, lane, via_configure):
    root, *below = _tree_with_metadata(cb, handler, log, lane, via_configure)
    check_equal("CB-META-2", root, {"req": 1, "own": 1, "added": 1, "own2": 1},
                "metadata of the root run's start event")
    for depth, metadata in enumerate(below, start=1):
        check_equal("CB-META-2", metadata, {"req": 1, "added": 1},
                    f"metadata of the depth-{depth} run's start event (inheritable only)")


@pytest.mark.rule("CB-META-3")
def test_local_wins_over_inheritable_of_the_same_call(cb, handler, log, lane):
    h = handler("req")

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[h],
                            inheritable_metadata={"k": "inh"}, local_metadata={"k": "loc"})
        return await descend(cb, lane, manager, ("chain", "tool"))

    root, child = run(lane, scenario)
    check_equal("CB-META-3", _start_metadata(log, root.run_id), {"k": "loc"},
                "the run configured with both (local wins)")
    check_equal("CB-META-3", _start_metadata(log, child.run_id), {"k": "inh"},
                "its sub-run (the inheritable value)")


@pytest.mark.rule("CB-META-3")
@pytest.mark.parametrize("scope", ["local", "inheritable"])
def test_own_metadata_overrides_inherited(cb, handler, log, lane, scope):
    h = handler("req")

    async def scenario():
        root = await start("chain", configure(cb, lane, inheritable_callbacks=[h],
                                              inheritable_metadata={"k": "req"}))
        child = root.get_child()
        override = {f"{scope}_metadata": {"k": "own"}}
        mine = configure(cb, lane, inheritable_callbacks=child, **override)
        overriding = await start("chain", mine)
        below = await start("tool", overriding.get_child())
        sibling = await start("chain", configure(cb, lane, inheritable_callbacks=child))
        return overriding, below, sibling

    overriding, below, sibling = run(lane, scenario)
    inherited_below = "own" if scope == "inheritable" else "req"
    for what, rm, value in (("the overriding run", overriding, "own"),
                            ("its sub-run", below, inherited_below),
                            ("a sibling configured from the same parent", sibling, "req")):
        check_equal("CB-META-3", _start_metadata(log, rm.run_id), {"k": value},
                    f"start metadata of {what} ({scope}_metadata={{'k': 'own'}} over 'req')")


def _add_evil(event):
    if isinstance(event.raw_metadata, dict):
        event.raw_metadata["evil"] = 1


@pytest.mark.rule("CB-META-4")
def test_handler_mutating_metadata(cb, handler, log, lane):
    bad = handler("bad", hooks={"on_chain_start": _add_evil})

    async def scenario():
        manager = configure(cb, lane, inheritable_callbacks=[bad],
                            inheritable_metadata={"req": 1}, local_metadata={"own": 1})
        rm = await start("chain", manager)
        await exercise(rm, "chain")
        child = rm.get_child()
        await start("tool", child)
        await start("chain", manager)
        return manager, rm, child

    managers = run(lane, scenario)
    for name, manager in zip(("configured manager", "run manager", "child manager"), managers):
        check("CB-META-4", "evil" not in manager.metadata
              and "evil" not in manager.inheritable_metadata,
              f"{name} metadata after a handler added 'evil' to the metadata it received: "
              f"{manager.metadata}, inheritable {manager.inheritable_metadata}")
    # The hook runs after the event is recorded: every event after the first is later.
    later = [(e.name, e.metadata) for e in log.events[1:] if e.metadata is not None]
    check("CB-META-4", all("evil" not in metadata for _, metadata in later),
          f"metadata of events after the mutation (none may hold 'evil'): {later}")

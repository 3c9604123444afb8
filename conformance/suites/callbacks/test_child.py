"""CB-CHILD: get_child(tag)."""

from __future__ import annotations

import pytest

from conformance.checks import check, check_equal
from conformance.lanes import configure, manager_class, run

from .test_identity import PARENT_KINDS, exercise, start

FIELDS = ("handlers", "inheritable_handlers", "parent_run_id", "tags", "inheritable_tags",
          "metadata", "inheritable_metadata")


def _snapshot(manager):
    return {name: _copied(getattr(manager, name)) for name in FIELDS}


def _copied(value):
    return type(value)(value) if isinstance(value, (list, dict)) else value


def _run_of(cb, lane, kind, **configure_kwargs):
    async def scenario():
        return await start(kind, configure(cb, lane, **configure_kwargs))

    return run(lane, scenario)


@pytest.mark.rule("CB-CHILD-1")
@pytest.mark.parametrize("kind", PARENT_KINDS)
def test_child_flavour(cb, lane, kind):
    rm = _run_of(cb, lane, kind)
    child = rm.get_child()
    expected = manager_class(cb, lane)
    check("CB-CHILD-1", isinstance(child, expected),
          f"get_child() of a {type(rm).__name__}: expected a {expected.__name__}, "
          f"got a {type(child).__name__}")
    check_equal("CB-CHILD-1", child.is_async, lane == "async",
                f"is_async of get_child() on a {type(rm).__name__}")


@pytest.mark.rule("CB-CHILD-2")
@pytest.mark.parametrize("kind", PARENT_KINDS)
def test_child_handlers_are_the_inheritable_ones(cb, handler, lane, kind):
    first, second, own = handler("first"), handler("second"), handler("own")
    rm = _run_of(cb, lane, kind, inheritable_callbacks=[first, second], local_callbacks=[own])
    child = rm.get_child()
    check_equal("CB-CHILD-2", child.handlers, [first, second], "child handlers")
    check_equal("CB-CHILD-2", child.inheritable_handlers, [first, second],
                "child inheritable_handlers")
    check_equal("CB-CHILD-2", child.handlers, rm.inheritable_handlers,
                "child handlers vs the run's inheritable_handlers")


@pytest.mark.rule("CB-CHILD-3")
@pytest.mark.parametrize("kind", PARENT_KINDS)
def test_child_tag_fields(cb, lane, kind):
    rm = _run_of(cb, lane, kind, inheritable_tags=["req"], local_tags=["own"])
    tagged, plain = rm.get_child("step"), rm.get_child()
    check("CB-CHILD-3", "step" in tagged.tags, f"get_child('step').tags = {tagged.tags}")
    check("CB-CHILD-3", "step" not in tagged.inheritable_tags,
          f"get_child('step').inheritable_tags = {tagged.inheritable_tags}")
    check_equal("CB-CHILD-3", sorted(plain.tags), ["req"], "get_child().tags (no tag added)")


@pytest.mark.rule("CB-CHILD-3")
def test_child_tag_labels_the_child_runs_only(cb, handler, log, lane):
    h = handler("req")

    async def scenario():
        root = await start("chain", configure(cb, lane, inheritable_callbacks=[h]))
        child_run = await start("tool", root.get_child("step"))
        await exercise(child_run, "tool")
        grandchild = await start("chain", child_run.get_child())
        return child_run, grandchild

    child_run, grandchild = run(lane, scenario)
    child_tags = [e.tags or [] for e in log.for_run(child_run.run_id)]
    check("CB-CHILD-3", child_tags and all("step" in t for t in child_tags),
          f"tags of the child run's events (each must hold 'step'): {child_tags}")
    grand_tags = [e.tags or [] for e in log.for_run(grandchild.run_id)]
    check("CB-CHILD-3", grand_tags and all("step" not in t for t in grand_tags),
          f"tags of the grandchild run's events (none may hold 'step'): {grand_tags}")


@pytest.mark.rule("CB-CHILD-4")
@pytest.mark.parametrize("kind", PARENT_KINDS)
def test_children_are_independent(cb, handler, lane, kind):
    rm = _run_of(cb, lane, kind, inheritable_callbacks=[handler("req")],
                 inheritable_tags=["req"], inheritable_metadata={"req": 1})
    first, second = rm.get_child(), rm.get_child()
    check("CB-CHILD-4", first is not second, "two get_child() calls returned the same object")
    before_sibling, before_run = _snapshot(second), _snapshot(rm)
    first.add_handler(handler("extra"))
    first.add_tags(["extra"])
    first.add_metadata({"extra": 1})
    check_equal("CB-CHILD-4", _snapshot(second), before_sibling,
                "a sibling child after adding a handler, a tag and metadata to the other")
    check_equal("CB-CHILD-4", _snapshot(rm), before_run,
                "the run manager after adding a handler, a tag and metadata to its child")

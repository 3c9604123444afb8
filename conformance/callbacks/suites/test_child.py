"""CB-CHILD: get_child(tag)."""

from __future__ import annotations

import pytest

from conformance.checks import check, check_equal
from conformance.callbacks.lanes import configure, manager_class, run

from conformance.callbacks.suites.test_identity import PARENT_KINDS, exercise, start

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


def _changed(before, after):
    """The fields that differ between two snapshots, as 'name: before -> after'."""
    return [f"{name}: {before[name]!r} -> {after[name]!r}" for name in FIELDS
            if before[name] != after[name]]


# What the run inherits: everything (handlers, tags, metadata), or nothing at all.
INHERITED = {
    "filled": {"inheritable_tags": ["req"], "inheritable_metadata": {"req": 1}},
    "empty": {},
}


def _mutate(child, handler):
    """Add a handler, a tag and metadata to ``child``, inheritable and local."""
    child.add_handler(handler("extra"))
    child.add_handler(handler("extra-local"), inherit=False)
    child.add_tags(["extra"])
    child.add_tags(["extra-local"], inherit=False)
    child.add_metadata({"extra": 1})
    child.add_metadata({"extra-local": 1}, inherit=False)


@pytest.mark.rule("CB-CHILD-4")
@pytest.mark.parametrize("inherited", list(INHERITED))
@pytest.mark.parametrize("kind", PARENT_KINDS)
def test_children_are_independent(cb, handler, lane, kind, inherited):
    """Siblings (tagged or not) and the run manager keep their fields when one child is
    changed, whether the run inherited something or nothing (an empty list or dict must
    not be one shared object either)."""
    callbacks = [handler("req")] if inherited == "filled" else []
    rm = _run_of(cb, lane, kind, inheritable_callbacks=callbacks, **INHERITED[inherited])
    first, second, tagged = rm.get_child(), rm.get_child(), rm.get_child("step")
    check("CB-CHILD-4", first is not second, "two get_child() calls returned the same object")
    others = {"a sibling child": second, "a sibling get_child('step')": tagged,
              "the run manager": rm}
    before = {what: _snapshot(manager) for what, manager in others.items()}
    _mutate(first, handler)
    for what, manager in others.items():
        changed = _changed(before[what], _snapshot(manager))
        check("CB-CHILD-4", not changed,
              f"{what} after adding handlers, tags and metadata (inheritable and local) to "
              f"one get_child() of a {kind} run that inherited {inherited} fields; "
              f"changed: {changed} (a list or dict shared with that child?)")
    later = rm.get_child()
    check_equal("CB-CHILD-4", _snapshot(later), before["a sibling child"],
                f"a get_child() made after another child was changed ({kind} run, "
                f"{inherited} inherited fields)")

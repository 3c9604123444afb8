"""CB-MERGE: copy() and merge()."""

from __future__ import annotations

import uuid

import pytest

from conformance.adapter import CB_TRACE_GROUP
from conformance.checks import check, check_equal, require_method
from conformance.callbacks.lanes import manager_class, run

from conformance.callbacks.suites.test_trace_group import open_group

FIELDS = ("handlers", "inheritable_handlers", "parent_run_id", "tags", "inheritable_tags",
          "metadata", "inheritable_metadata")


def snapshot(manager):
    """Every field, lists and dicts copied, to compare before and after."""
    return {name: _copied(getattr(manager, name)) for name in FIELDS}


def _copied(value):
    return type(value)(value) if isinstance(value, (list, dict)) else value


def _manager(cb, lane, handlers, inheritable, parent, tags, inheritable_tags, metadata,
             inheritable_metadata):
    return manager_class(cb, lane)(handlers, inheritable, parent, tags=tags,
                                   inheritable_tags=inheritable_tags, metadata=metadata,
                                   inheritable_metadata=inheritable_metadata)


def _specialise(manager, extra_handler, label):
    manager.add_handler(extra_handler)
    manager.add_tags([f"tag-{label}"])
    manager.add_metadata({f"key-{label}": label})


@pytest.mark.rule("CB-MERGE-1")
@pytest.mark.parametrize("changed", ["copy", "original"])
def test_copy_is_independent(cb, handler, lane, changed):
    a, b = handler("a"), handler("b")
    original = _manager(cb, lane, [a, b], [a], uuid.uuid4(), ["t", "local"], ["t"],
                        {"k": 1, "own": 2}, {"k": 1})
    before = snapshot(original)
    copy = original.copy()
    check("CB-MERGE-1", type(copy) is type(original),
          f"copy() of a {type(original).__name__} is a {type(copy).__name__}")
    check_equal("CB-MERGE-1", snapshot(copy), before, "fields of the copy")
    changed_one, other = (copy, original) if changed == "copy" else (original, copy)
    _specialise(changed_one, handler("extra"), "x")
    check_equal("CB-MERGE-1", snapshot(other), before,
                f"fields of the {'original' if changed == 'copy' else 'copy'} after "
                f"adding a handler, a tag and metadata to the {changed}")


def _pair(cb, handler, lane, parent_a, parent_b):
    h1, h2, h3 = handler("h1"), handler("h2"), handler("h3")
    a = _manager(cb, lane, [h1, h2], [h1], parent_a, ["a", "s"], ["a"],
                 {"k": "a", "only_a": 1}, {"ik": "a"})
    b = _manager(cb, lane, [h2, h3], [h3, h1], parent_b, ["s", "b"], ["b"],
                 {"k": "b", "only_b": 1}, {"ik": "b", "ib": 1})
    return (h1, h2, h3), a, b


def _each_once(rule, items, expected, what):
    check_equal(rule, len(items), len(expected), f"{what}: number of entries ({items!r})")
    check_equal(rule, set(items), set(expected), f"{what} (as a set)")


@pytest.mark.rule("CB-MERGE-2")
def test_merge_combines_both(cb, handler, lane):
    parent_a = uuid.uuid4()
    (h1, h2, h3), a, b = _pair(cb, handler, lane, parent_a, uuid.uuid4())
    before_a, before_b = snapshot(a), snapshot(b)
    merge = require_method("CB-MERGE-2", a, "merge")
    if merge is None:
        return
    merged = merge(b)
    check("CB-MERGE-2", type(merged) is type(a) and merged is not a and merged is not b,
          f"a.merge(b): expected a new {type(a).__name__}, got {merged!r}")
    _each_once("CB-MERGE-2", merged.handlers, [h1, h2, h3], "handlers")
    _each_once("CB-MERGE-2", merged.inheritable_handlers, [h1, h3], "inheritable_handlers")
    _each_once("CB-MERGE-2", merged.tags, ["a", "s", "b"], "tags")
    _each_once("CB-MERGE-2", merged.inheritable_tags, ["a", "b"], "inheritable_tags")
    check_equal("CB-MERGE-2", merged.metadata, {"k": "b", "only_a": 1, "only_b": 1}, "metadata")
    check_equal("CB-MERGE-2", merged.inheritable_metadata, {"ik": "b", "ib": 1},
                "inheritable_metadata")
    check_equal("CB-MERGE-2", merged.parent_run_id, parent_a, "parent_run_id (a's)")
    check_equal("CB-MERGE-2", snapshot(a), before_a, "a after a.merge(b)")
    check_equal("CB-MERGE-2", snapshot(b), before_b, "b after a.merge(b)")


@pytest.mark.rule("CB-MERGE-2")
def test_merge_takes_the_other_parent(cb, handler, lane):
    parent_b = uuid.uuid4()
    _, a, b = _pair(cb, handler, lane, None, parent_b)
    merge = require_method("CB-MERGE-2", a, "merge")
    if merge is None:
        return
    check_equal("CB-MERGE-2", merge(b).parent_run_id, parent_b,
                "parent_run_id of a.merge(b) when a has none (b's)")


# -- the managers a trace group yields are managers too --------------------------------------
# Frameworks merge a group's manager into a run's config (CB-GROUP-2 ends groups through
# such merges and copies), and group managers override copy() and merge() to keep their
# group run: those overrides must meet CB-MERGE-1/2 like the plain ones.

def _in_group(cb, lane, handler, body):
    """``body(group)`` inside a trace group of ``lane`` whose manager has every kind of
    field: local and inheritable handlers, tags and metadata, and a parent (the group run)."""
    inheritable, local = handler("group-inheritable"), handler("group-local")

    async def scenario():
        async with open_group(cb, lane, "g", tags=["grouped"], metadata={"group": 1}) as group:
            group.add_handler(inheritable, inherit=True)
            group.add_handler(local, inherit=False)
            group.add_tags(["group-local"], inherit=False)
            group.add_metadata({"k": "group", "group-local": 1}, inherit=False)
            group.add_metadata({"ik": "group"}, inherit=True)
            return body(group, inheritable, local)

    return run(lane, scenario)


@pytest.mark.rule("CB-MERGE-1")
@pytest.mark.requires(CB_TRACE_GROUP)
@pytest.mark.parametrize("changed", ["copy", "original"])
def test_group_manager_copy_is_independent(cb, handler, lane, changed):
    def body(group, *_):
        before = snapshot(group)
        copy = group.copy()
        check("CB-MERGE-1", type(copy) is type(group),
              f"copy() of a trace group's {type(group).__name__} is a {type(copy).__name__}")
        check_equal("CB-MERGE-1", snapshot(copy), before, "fields of the group manager's copy")
        changed_one, other = (copy, group) if changed == "copy" else (group, copy)
        names = ("copy", "group manager") if changed == "copy" else ("group manager", "copy")
        _specialise(changed_one, handler("extra"), "x")
        check_equal("CB-MERGE-1", snapshot(other), before,
                    f"fields of the {names[1]} after adding a handler, a tag and metadata to "
                    f"the {names[0]} (lists or dicts shared between them?)")

    _in_group(cb, lane, handler, body)


def _union(first, second):
    return first + [item for item in second if item not in first]


def check_merged(rule, merged, before_a, before_b, what):
    """``merged`` combines the fields ``before_a`` and ``before_b`` as CB-MERGE-2 says."""
    for name in ("handlers", "inheritable_handlers", "tags", "inheritable_tags"):
        _each_once(rule, getattr(merged, name), _union(before_a[name], before_b[name]),
                   f"{name} of {what}")
    for name in ("metadata", "inheritable_metadata"):
        check_equal(rule, getattr(merged, name), {**before_a[name], **before_b[name]},
                    f"{name} of {what} (b's values winning)")
    parent = before_a["parent_run_id"]
    check_equal(rule, merged.parent_run_id, parent if parent is not None else
                before_b["parent_run_id"], f"parent_run_id of {what} (a's, else b's)")


@pytest.mark.rule("CB-MERGE-2")
@pytest.mark.requires(CB_TRACE_GROUP)
@pytest.mark.parametrize("group_is", ["a", "b"])
def test_group_manager_merge_combines_both(cb, handler, lane, group_is):
    """``group.merge(m)`` and ``m.merge(group)``, where ``m`` shares a handler, a tag and
    metadata keys with the group's manager and has a local handler of its own."""
    def body(group, inheritable, local):
        own, own_local = handler("other-inheritable"), handler("other-local")
        other = _manager(cb, lane, [inheritable, own, own_local], [inheritable, own], None,
                         ["grouped", "other", "other-local"], ["grouped", "other"],
                         {"k": "other", "ik": "other"}, {"ik": "other", "other": 1})
        a, b = (group, other) if group_is == "a" else (other, group)
        before_a, before_b = snapshot(a), snapshot(b)
        merged = a.merge(b)
        names = {"a": "group manager", "b": "plain manager"}
        what = f"a.merge(b), a the {names[group_is]}"
        check("CB-MERGE-2", type(merged) is type(a) and merged is not a and merged is not b,
              f"{what}: expected a new {type(a).__name__}, got {merged!r}")
        check_merged("CB-MERGE-2", merged, before_a, before_b, what)
        check_equal("CB-MERGE-2", snapshot(a), before_a, f"a after {what}")
        check_equal("CB-MERGE-2", snapshot(b), before_b, f"b after {what}")

    _in_group(cb, lane, handler, body)


@pytest.mark.rule("CB-MERGE-3")
def test_merge_keeps_order(cb, handler, lane):
    # Enough entries that an order taken from a set or from hashes cannot pass by chance.
    hs = [handler(f"h{i}") for i in range(8)]
    tags = [f"tag-{i}" for i in range(8)]
    a = _manager(cb, lane, hs[:5], hs[:3], None, tags[:5], tags[:3], {}, {})
    b = _manager(cb, lane, hs[3:] + hs[:2], hs[2:], None, tags[3:] + tags[:2], tags[2:], {}, {})
    merge = require_method("CB-MERGE-3", a, "merge")
    if merge is None:
        return
    merged = merge(b)
    check_equal("CB-MERGE-3", merged.handlers, hs, "handlers of a.merge(b): a's, then b's new")
    check_equal("CB-MERGE-3", merged.inheritable_handlers, hs,
                "inheritable_handlers of a.merge(b)")
    check_equal("CB-MERGE-3", merged.tags, tags, "tags of a.merge(b): a's, then b's new")
    check_equal("CB-MERGE-3", merged.inheritable_tags, tags, "inheritable_tags of a.merge(b)")

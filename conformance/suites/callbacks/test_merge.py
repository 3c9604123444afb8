"""CB-MERGE: copy() and merge()."""

from __future__ import annotations

import uuid

import pytest

from conformance.checks import check, check_equal
from conformance.lanes import manager_class

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
    merged = a.merge(b)
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
    check_equal("CB-MERGE-2", a.merge(b).parent_run_id, parent_b,
                "parent_run_id of a.merge(b) when a has none (b's)")


@pytest.mark.rule("CB-MERGE-3")
def test_merge_keeps_order(cb, handler, lane):
    # Enough entries that an order taken from a set or from hashes cannot pass by chance.
    hs = [handler(f"h{i}") for i in range(8)]
    tags = [f"tag-{i}" for i in range(8)]
    a = _manager(cb, lane, hs[:5], hs[:3], None, tags[:5], tags[:3], {}, {})
    b = _manager(cb, lane, hs[3:] + hs[:2], hs[2:], None, tags[3:] + tags[:2], tags[2:], {}, {})
    merged = a.merge(b)
    check_equal("CB-MERGE-3", merged.handlers, hs, "handlers of a.merge(b): a's, then b's new")
    check_equal("CB-MERGE-3", merged.inheritable_handlers, hs,
                "inheritable_handlers of a.merge(b)")
    check_equal("CB-MERGE-3", merged.tags, tags, "tags of a.merge(b): a's, then b's new")
    check_equal("CB-MERGE-3", merged.inheritable_tags, tags, "inheritable_tags of a.merge(b)")

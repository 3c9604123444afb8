"""CB-CONS: construction, defaults and the mutation API of managers."""

from __future__ import annotations

import uuid

import pytest

from conformance.checks import check, check_equal, escape_verdict
from conformance.callbacks.lanes import call, configure, manager_class, run

from conformance.callbacks.suites.test_identity import KINDS, SER, exercise, start

EMPTY = {"inheritable_handlers": [], "parent_run_id": None, "tags": [],
         "inheritable_tags": [], "metadata": {}, "inheritable_metadata": {}}


def _fields(manager, names):
    return {name: getattr(manager, name) for name in names}


def _check_fields(rule, manager, expected, what):
    for name, value in expected.items():
        check_equal(rule, getattr(manager, name, "<missing>"), value, f"{what}.{name}")


@pytest.mark.rule("CB-CONS-1")
@pytest.mark.parametrize("style", ["positional", "keyword"])
def test_manager_defaults(cb, handler, lane, style):
    h = handler("h")
    cls = manager_class(cb, lane)
    manager = cls([h]) if style == "positional" else cls(handlers=[h])
    check_equal("CB-CONS-1", manager.handlers, [h], "handlers")
    _check_fields("CB-CONS-1", manager, EMPTY, f"{cls.__name__}(handlers=[h])")


def _run_manager_class(cb, lane, kind):
    async def scenario():
        return type(await start(kind, configure(cb, lane)))

    return run(lane, scenario)


@pytest.mark.rule("CB-CONS-2")
@pytest.mark.parametrize("kind", list(KINDS))
def test_run_manager_given_fields(cb, handler, lane, kind):
    cls = _run_manager_class(cb, lane, kind)
    given = {"run_id": uuid.uuid4(), "handlers": [handler("a"), handler("b")],
             "inheritable_handlers": [handler("b")], "parent_run_id": uuid.uuid4(),
             "tags": ["t", "u"], "inheritable_tags": ["u"], "metadata": {"k": 1, "j": 2},
             "inheritable_metadata": {"j": 2}}
    rm = cls(**given)
    _check_fields("CB-CONS-2", rm, given, f"{cls.__name__}(**fields)")


@pytest.mark.rule("CB-CONS-2")
@pytest.mark.parametrize("kind", list(KINDS))
def test_run_manager_omitted_fields(cb, lane, kind):
    cls = _run_manager_class(cb, lane, kind)
    run_id = uuid.uuid4()
    rm = cls(run_id=run_id, handlers=[], inheritable_handlers=[])
    check_equal("CB-CONS-2", rm.run_id, run_id, f"{cls.__name__}.run_id")
    _check_fields("CB-CONS-2", rm, EMPTY, f"{cls.__name__}(run_id, handlers, inheritable_handlers)")


@pytest.mark.rule("CB-CONS-2")
@pytest.mark.parametrize("kind", list(KINDS))
def test_run_manager_rejects_positional(cb, lane, kind):
    cls = _run_manager_class(cb, lane, kind)
    try:
        cls(uuid.uuid4(), [], [])
    except TypeError:
        rejected = True
    else:
        rejected = False
    check("CB-CONS-2", rejected,
          f"{cls.__name__}(run_id, handlers, inheritable_handlers) given positionally: "
          "expected TypeError, got an instance")


@pytest.mark.rule("CB-CONS-3")
def test_configure_with_nothing(cb, lane):
    cls = manager_class(cb, lane)
    manager = cls.configure()
    if not check("CB-CONS-3", isinstance(manager, cls),
                 f"configure() on {cls.__name__}: expected an instance of it, got "
                 f"{type(manager)!r}"):
        return
    check_equal("CB-CONS-3", manager.handlers, [], "handlers")
    _check_fields("CB-CONS-3", manager, EMPTY, f"{cls.__name__}.configure()")


@pytest.mark.rule("CB-CONS-3")
@pytest.mark.parametrize("where", ["during a run", "after a run"])
def test_configure_with_nothing_near_a_run(cb, handler, lane, where):
    """configure() picks nothing up from a run in progress (or just ended) elsewhere."""
    cls = manager_class(cb, lane)

    async def scenario():
        busy = configure(cb, lane, inheritable_callbacks=[handler("busy")],
                         inheritable_tags=["busy"], inheritable_metadata={"busy": 1})
        rm = await start("chain", busy)
        await call(rm.get_child("step").on_chain_start(SER, {}))
        if where == "during a run":
            return cls.configure()
        await exercise(rm, "chain")
        return cls.configure()

    manager = run(lane, scenario)
    if not check("CB-CONS-3", isinstance(manager, cls),
                 f"configure() {where} on {cls.__name__}: expected an instance of it, got "
                 f"{type(manager)!r}"):
        return
    check_equal("CB-CONS-3", manager.handlers, [], f"handlers of configure() {where}")
    _check_fields("CB-CONS-3", manager, EMPTY,
                  f"{cls.__name__}.configure() called {where} of another manager")


@pytest.mark.rule("CB-CONS-4")
def test_is_async(cb, lane):
    cls = manager_class(cb, lane)
    expected = lane == "async"
    check_equal("CB-CONS-4", cls([]).is_async, expected, f"{cls.__name__}([]).is_async")
    check_equal("CB-CONS-4", configure(cb, lane).is_async, expected,
                f"{cls.__name__}.configure().is_async")


HANDLER_LISTS = ("handlers", "inheritable_handlers")


@pytest.mark.rule("CB-CONS-5")
def test_add_and_remove_handler(cb, handler, lane):
    a, b, c = handler("a"), handler("b"), handler("c")
    manager = manager_class(cb, lane)([])
    steps = [
        ("add_handler(a)", lambda: manager.add_handler(a), [a], [a]),
        ("add_handler(b, inherit=False)", lambda: manager.add_handler(b, inherit=False),
         [a, b], [a]),
        ("add_handler(a) again", lambda: manager.add_handler(a), [a, b], [a]),
        ("add_handler(b, inherit=True)", lambda: manager.add_handler(b, inherit=True),
         [a, b], [a, b]),
        ("remove_handler(a)", lambda: manager.remove_handler(a), [b], [b]),
        ("add_handler(c, inherit=False)", lambda: manager.add_handler(c, inherit=False),
         [b, c], [b]),
        ("remove_handler(c) of the local-only c", lambda: manager.remove_handler(c), [b], [b]),
    ]
    _run_steps(manager, steps)


def _run_steps(manager, steps, rule="CB-CONS-5", fields=HANDLER_LISTS, view=_fields):
    """Apply each step ``(what, action, *expected)``; after it, ``view(manager, fields)``
    must be the expected values of ``fields``. A step that raises has not done its job:
    that is the rule's finding, and the later steps (which build on it) are not run."""
    for what, action, *expected in steps:
        try:
            action()
        except Exception as exc:  # noqa: BLE001 - a mutator that raises fails the rule
            escape_verdict(exc)
            check(rule, False, f"{what} raised {exc!r} (after it: {view(manager, fields)})")
            return
        if not check_equal(rule, view(manager, fields), dict(zip(fields, expected)),
                           f"after {what}"):
            return


@pytest.mark.rule("CB-CONS-5")
@pytest.mark.parametrize("style", ["positional", "keyword"])
def test_remove_a_constructor_handler(cb, handler, lane, style):
    """A handler given to the constructor as ``handlers`` only is local: removing it must
    not look for it among the inheritable handlers too."""
    a, b = handler("a"), handler("b")
    cls = manager_class(cb, lane)
    manager = cls([a, b], [b]) if style == "positional" else cls(
        handlers=[a, b], inheritable_handlers=[b])
    _run_steps(manager, [
        ("remove_handler(a) of a handler given in handlers only",
         lambda: manager.remove_handler(a), [b], [b]),
        ("remove_handler(b) of a handler given in both lists",
         lambda: manager.remove_handler(b), [], []),
    ])


@pytest.mark.rule("CB-CONS-5")
@pytest.mark.parametrize("inherit", [True, False, None], ids=["inherit", "local", "default"])
def test_set_handlers(cb, handler, lane, inherit):
    a, b, c = handler("a"), handler("b"), handler("c")
    manager = manager_class(cb, lane)([a], [a])
    if inherit is None:
        manager.set_handlers([b, c])  # inherit defaults to True
    else:
        manager.set_handlers([b, c], inherit=inherit)
    check_equal("CB-CONS-5", _fields(manager, HANDLER_LISTS),
                {"handlers": [b, c], "inheritable_handlers": [] if inherit is False else [b, c]},
                f"after set_handlers([b, c]{'' if inherit is None else f', inherit={inherit}'}) "
                "on a manager holding a")


@pytest.mark.rule("CB-CONS-5")
@pytest.mark.parametrize("inherit", [True, False, None], ids=["inherit", "local", "default"])
def test_set_handler(cb, handler, lane, inherit):
    a, b = handler("a"), handler("b")
    manager = manager_class(cb, lane)([a], [a])
    if inherit is None:
        manager.set_handler(b)  # inherit defaults to True
    else:
        manager.set_handler(b, inherit=inherit)
    check_equal("CB-CONS-5", _fields(manager, HANDLER_LISTS),
                {"handlers": [b], "inheritable_handlers": [] if inherit is False else [b]},
                f"after set_handler(b{'' if inherit is None else f', inherit={inherit}'}) on a "
                f"manager holding a")


TAG_LISTS = ("tags", "inheritable_tags")


def _tag_sets(manager, names):
    return {name: sorted(getattr(manager, name)) for name in names}


@pytest.mark.rule("CB-CONS-6")
def test_tag_mutation(cb, lane):
    manager = manager_class(cb, lane)([])
    _run_steps(manager, [
        ("add_tags(['a', 'b'])", lambda: manager.add_tags(["a", "b"]), ["a", "b"], ["a", "b"]),
        ("add_tags(['c'], inherit=False)", lambda: manager.add_tags(["c"], inherit=False),
         ["a", "b", "c"], ["a", "b"]),
        ("remove_tags(['a', 'c'])", lambda: manager.remove_tags(["a", "c"]), ["b"], ["b"]),
    ], "CB-CONS-6", TAG_LISTS, _tag_sets)


METADATA = ("metadata", "inheritable_metadata")


@pytest.mark.rule("CB-CONS-6")
def test_metadata_mutation(cb, lane):
    manager = manager_class(cb, lane)([])
    _run_steps(manager, [
        ("add_metadata({'k': 1, 'j': 1})", lambda: manager.add_metadata({"k": 1, "j": 1}),
         {"k": 1, "j": 1}, {"k": 1, "j": 1}),
        ("add_metadata({'k': 2, 'l': 3}, inherit=False)",
         lambda: manager.add_metadata({"k": 2, "l": 3}, inherit=False),
         {"k": 2, "j": 1, "l": 3}, {"k": 1, "j": 1}),
        ("add_metadata({'j': 5})", lambda: manager.add_metadata({"j": 5}),
         {"k": 2, "j": 5, "l": 3}, {"k": 1, "j": 5}),
        ("remove_metadata(['k', 'l'])", lambda: manager.remove_metadata(["k", "l"]),
         {"j": 5}, {"j": 5}),
    ], "CB-CONS-6", METADATA)


@pytest.mark.rule("CB-CONS-6")
def test_remove_metadata_of_one_side_only(cb, lane):
    """A key present in only one of the two dicts (or in neither) is removed where it is."""
    manager = manager_class(cb, lane)([], metadata={"own": 1}, inheritable_metadata={"up": 2})
    _run_steps(manager, [
        ("remove_metadata(['up', 'own', 'absent']) on metadata {'own': 1} and "
         "inheritable_metadata {'up': 2}",
         lambda: manager.remove_metadata(["up", "own", "absent"]), {}, {}),
    ], "CB-CONS-6", METADATA)

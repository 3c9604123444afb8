"""One scenario, two lanes.

Suites write a scenario once as ``async def`` and reach the implementation through
``await call(...)``. On the async lane the scenario runs on a fresh event loop
(:func:`conformance.aio.run`); on the sync lane it is driven to completion *without*
any event loop: with sync managers ``call`` never suspends, so the coroutine finishes
on its first step. A sync-lane scenario that does suspend is a kit error.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any, NoReturn, TypeVar

import pytest

from conformance import aio
from conformance.adapter import CALLBACK_LANES, CallbackFactories
from conformance.checks import violate
from conformance.outcomes import NA_PREFIX

T = TypeVar("T")
LANES = ("sync", "async")


async def call(value: Any) -> Any:
    """Await ``value`` if the implementation returned an awaitable, else pass it on."""
    if inspect.isawaitable(value):
        return await aio.within(value)
    return value


def handler_kind_params(sync_id: str = "sync-handler",
                        async_id: str = "async-handler") -> list[Any]:
    """Parameters ``is_async`` = False, True of a test run once per handler kind; each
    kind needs its lane (a sync handler is the sync lane's base class, an async handler
    the async lane's), so an implementation without it reports that test n/a."""
    return [pytest.param(False, id=sync_id, marks=pytest.mark.requires(CALLBACK_LANES["sync"])),
            pytest.param(True, id=async_id, marks=pytest.mark.requires(CALLBACK_LANES["async"]))]


def not_applicable(capability: str, needed: str, name: str = "the implementation") -> NoReturn:
    """End the running test as *not applicable*: its scenario needs ``needed``, a part of
    a lane the implementation does not declare. Suites mark such tests ``requires`` where
    the need is known at collection; this covers needs found while a scenario is built."""
    pytest.skip(f"{NA_PREFIX}{name} does not declare {capability} (the test needs {needed})")


def manager_class(cb: CallbackFactories, lane: str) -> type:
    """The manager class of ``lane``; a test on a lane the implementation lacks is n/a."""
    cls = cb.callback_manager if lane == "sync" else cb.async_callback_manager
    if cls is None:
        not_applicable(CALLBACK_LANES[lane], f"the {lane} callback manager")
    return cls


def configure(cb: CallbackFactories, lane: str, **kwargs: Any) -> Any:
    """``CallbackManager.configure(**kwargs)`` (or the async manager's) of the implementation.

    A test that needs the manager ``configure`` returns, and gets none (LangChain.js
    returns ``undefined`` when given no handler), stops on the rule whose subject that
    argument is (:data:`CONFIGURED_BY`; CB-CONS-3 for no argument at all), instead of an
    ``AttributeError`` blamed on the test's own rule.
    """
    cls = manager_class(cb, lane)
    manager = cls.configure(**kwargs)
    if manager is None:
        given = [name for name in CONFIGURED_BY if kwargs.get(name)]
        shown = ", ".join(f"{name}={kwargs[name]!r}" for name in given)
        violate(CONFIGURED_BY[given[0]] if given else "CB-CONS-3",
                f"{cls.__name__}.configure({shown}) returned None, not a manager; this test "
                f"starts its runs on one")
    return manager


#: configure()'s arguments, each with the rule that says what the manager does with it.
CONFIGURED_BY = {"inheritable_callbacks": "CB-SCOPE-1", "local_callbacks": "CB-SCOPE-2",
                 "inheritable_tags": "CB-TAG-2", "local_tags": "CB-TAG-3",
                 "inheritable_metadata": "CB-META-2", "local_metadata": "CB-META-2"}


#: In-run events a scenario dispatches only where the run manager offers them, with the
#: rule whose subject each is. An implementation without ``on_retry`` (LangChain.js has no
#: retry event) fails that rule in its own tests; the scenarios of other rules, which use a
#: retry as one event among others, are played with the events it has, so that their
#: rules are certified rather than failed by an ``AttributeError``.
SCENARIO_OPTIONAL = {"on_retry": "CB-EV-7"}


def offered(run_manager: Any, name: str) -> Any:
    """``run_manager.<name>``; ``None`` for a missing event of :data:`SCENARIO_OPTIONAL`."""
    if name in SCENARIO_OPTIONAL:
        return getattr(run_manager, name, None)
    return getattr(run_manager, name)


def run(lane: str, scenario: Callable[[], Coroutine[Any, Any, T]]) -> T:
    if lane == "async":
        return aio.run(scenario)
    coro = scenario()
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise RuntimeError("kit error: a sync-lane scenario awaited something that suspended")

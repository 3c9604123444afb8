"""CB-PARITY-2..4: flags mean the same on both managers; same API surface; context reaches
the sync manager's handlers as CB-ASYNC-5 requires of the async one.

(CB-PARITY-1, same program same events, is checked by the property-based suite.)
"""

from __future__ import annotations

import contextvars
import inspect
from collections.abc import Callable
from typing import Any

import pytest

from conformance import aio
from conformance.adapter import CB_ASYNC, CB_SYNC
from conformance.checks import check, check_equal, escape_verdict
from conformance.callbacks.lanes import LANES, configure, handler_kind_params, manager_class, run
from conformance.callbacks.recording import IGNORE_FLAGS, Log, make_handler

from conformance.callbacks.suites.test_async_manager import REQUEST
from conformance.callbacks.suites.test_events import KINDS, end, mixed_handlers, run_every_kind, start
from conformance.callbacks.suites.test_ignore_flags import every_family

pytestmark = [pytest.mark.requires(CB_SYNC), pytest.mark.requires(CB_ASYNC)]

HANDLER_KINDS = handler_kind_params()  # each kind needs its lane
Outcome = tuple[Log, Any]


def on_both_lanes(adapter: Any, cb: Any, make: Callable[[Callable[..., Any]], list[Any]],
                  program: Callable[[Any], Any]) -> dict[str, Outcome]:
    """Run ``program(manager)`` once per lane with fresh handlers; (log, outcome) per lane.

    The outcome is the program's result, or the exception the event methods let through.
    """
    results: dict[str, Outcome] = {}
    for lane in LANES:
        log = Log()
        handlers = make(lambda label, **opts: make_handler(adapter, label, log, **opts))
        manager = configure(cb, lane, inheritable_callbacks=handlers)
        try:
            outcome: Any = run(lane, lambda: program(manager))
        except Exception as exc:
            escape_verdict(exc)
            outcome = exc
        results[lane] = (log, outcome)
    return results


def names_by_handler(log: Log) -> dict[str, list[str]]:
    split: dict[str, list[str]] = {}
    for event in log.events:
        split.setdefault(event.handler, []).append(event.name)
    return split


# -- CB-PARITY-2 ---------------------------------------------------------------------------

@pytest.mark.rule("CB-PARITY-2")
@pytest.mark.parametrize("raise_error", [True, False], ids=["raise_error", "no-raise_error"])
@pytest.mark.parametrize("is_async", HANDLER_KINDS)
def test_raise_error_same_on_both_managers(runcert_adapter, cb, is_async, raise_error):
    async def program(manager):
        await end(await start(manager, "chain"), "chain")

    lanes = on_both_lanes(runcert_adapter, cb, lambda h: [
        h("failing", is_async=is_async, raise_error=raise_error, fail_on={"on_chain_start"})],
        program)
    raised = {lane: type(outcome).__name__ if isinstance(outcome, Exception) else None
              for lane, (_, outcome) in lanes.items()}
    expected = "RuntimeError" if raise_error else None
    sort = "async" if is_async else "sync"
    check_equal("CB-PARITY-2", raised, {"sync": expected, "async": expected},
                f"exception reaching the caller, per manager, when a {sort} handler with "
                f"raise_error={raise_error} fails")


class HandlerAbort(BaseException):
    """What a handler may raise that is not an ``Exception`` (like KeyboardInterrupt)."""


INTERRUPTS = {"KeyboardInterrupt": KeyboardInterrupt, "BaseException": HandlerAbort}


@pytest.mark.rule("CB-PARITY-2")
@pytest.mark.parametrize("interrupt", sorted(INTERRUPTS))
@pytest.mark.parametrize("raise_error", [True, False], ids=["raise_error", "no-raise_error"])
@pytest.mark.parametrize("is_async", HANDLER_KINDS)
def test_handler_interrupt_same_on_both_managers(runcert_adapter, cb, is_async, raise_error,
                                                 interrupt):
    """A handler raising what is not an ``Exception`` (CB-DISP-3/4 speak of exceptions):
    whatever one manager does with it, the other does the same."""
    def stop(event):
        raise INTERRUPTS[interrupt](f"raised by the handler in {event.name}")

    async def program(manager):
        await end(await start(manager, "chain"), "chain")

    outcomes: dict[str, str | None] = {}
    for lane in LANES:
        h = make_handler(runcert_adapter, "interrupting", Log(), is_async=is_async,
                         raise_error=raise_error, hooks={"on_chain_start": stop})
        manager = configure(cb, lane, inheritable_callbacks=[h])
        try:  # contained here: a KeyboardInterrupt must never stop the kit's own run
            run(lane, lambda: program(manager))
            outcomes[lane] = None
        except BaseException as exc:  # noqa: BLE001 - the observation
            escape_verdict(exc)
            outcomes[lane] = type(exc).__name__
    sort = "async" if is_async else "sync"
    check_equal("CB-PARITY-2", outcomes["async"], outcomes["sync"],
                f"what reached the caller when a {sort} handler with raise_error={raise_error} "
                f"raised {interrupt} (not an Exception), async manager vs sync manager "
                f"(one manager catching BaseException?)")


@pytest.mark.rule("CB-PARITY-2")
@pytest.mark.parametrize("flag", IGNORE_FLAGS)
@pytest.mark.parametrize("is_async", HANDLER_KINDS)
def test_ignore_flag_same_on_both_managers(runcert_adapter, cb, is_async, flag):
    lanes = on_both_lanes(runcert_adapter, cb, lambda h: [
        h("quiet", is_async=is_async, ignore=(flag,)), h("plain", is_async=is_async)],
        every_family)
    sync_names, async_names = (names_by_handler(lanes[lane][0]) for lane in LANES)
    check("CB-PARITY-2", sync_names.get("quiet"), "the handler received nothing at all")
    check_equal("CB-PARITY-2", async_names.get("quiet"), sync_names.get("quiet"),
                f"events of a handler with ignore_{flag}, async manager vs sync manager")


@pytest.mark.rule("CB-PARITY-2")
def test_exactly_once_same_on_both_managers(runcert_adapter, cb):
    lanes = on_both_lanes(runcert_adapter, cb, mixed_handlers, run_every_kind)
    sync_names, async_names = (names_by_handler(lanes[lane][0]) for lane in LANES)
    check("CB-PARITY-2", sync_names, "no handler received anything")
    for label in sorted(set(sync_names) | set(async_names)):
        check_equal("CB-PARITY-2", async_names.get(label), sync_names.get(label),
                    f"events of the {label} handler, async manager vs sync manager")


# -- CB-PARITY-3 ---------------------------------------------------------------------------

SYNC_ONLY = ("get_child", "get_noop_manager")  # plain methods on both sides


def run_manager_classes(cb: Any, lane: str) -> dict[str, type]:
    async def program():
        manager = configure(cb, lane)
        return {kind: type(await start(manager, kind)) for kind in KINDS}

    return run(lane, program)


def class_pairs(cb: Any) -> list[tuple[str, type, type]]:
    sync_rms, async_rms = run_manager_classes(cb, "sync"), run_manager_classes(cb, "async")
    pairs = [("manager", manager_class(cb, "sync"), manager_class(cb, "async"))]
    return pairs + [(f"{kind} run manager", sync_rms[kind], async_rms[kind]) for kind in KINDS]


def public_methods(cls: type) -> dict[str, Any]:
    return {name: getattr(cls, name) for name in dir(cls)
            if (name.startswith("on_") or name in SYNC_ONLY) and callable(getattr(cls, name))}


def parameter_names(method: Any) -> list[str]:
    return [p for p in inspect.signature(method).parameters if p != "self"]


@pytest.mark.rule("CB-PARITY-3")
@pytest.mark.parametrize("which", ["manager", *(f"{kind} run manager" for kind in KINDS)])
def test_same_api_surface(cb, which):
    _, sync_cls, async_cls = next(p for p in class_pairs(cb) if p[0] == which)
    sync_api, async_api = public_methods(sync_cls), public_methods(async_cls)
    check("CB-PARITY-3", sync_api, f"{sync_cls.__name__} has no event method at all")
    check_equal("CB-PARITY-3", sorted(async_api), sorted(sync_api),
                f"event methods of {async_cls.__name__} vs {sync_cls.__name__}")
    for name in sorted(set(sync_api) & set(async_api)):
        if async_api[name] is sync_api[name]:
            continue  # one function inherited by both (seed 000's on_custom_event hook)
        is_coroutine = inspect.iscoroutinefunction(async_api[name])
        check("CB-PARITY-3", is_coroutine == (name not in SYNC_ONLY),
              f"{async_cls.__name__}.{name} is "
              f"{'a coroutine function' if is_coroutine else 'a plain function'}")
        check_equal("CB-PARITY-3", parameter_names(async_api[name]),
                    parameter_names(sync_api[name]), f"parameters of {which} {name}")


# -- CB-PARITY-4 ---------------------------------------------------------------------------

@pytest.mark.rule("CB-PARITY-4")
@pytest.mark.parametrize("caller", ["plain-code", "inside-a-running-loop"])
def test_context_variables_reach_sync_manager_handlers(cb, handler, log, caller):
    """The sync manager called from plain code, or from a coroutine (a loop is running)."""
    seen: list[tuple[str, str, Any]] = []
    handlers = mixed_handlers(handler, hooks={"*": lambda e: seen.append(
        (e.handler, e.name, REQUEST.get(None)))})

    def program() -> None:
        REQUEST.set("request-7")
        manager = configure(cb, "sync", inheritable_callbacks=handlers)
        run("sync", lambda: run_every_kind(manager))

    async def from_a_coroutine() -> None:
        program()

    if caller == "plain-code":
        contextvars.copy_context().run(program)  # the set() stays out of the test's context
    else:
        aio.run(from_a_coroutine)
    for h in handlers:
        values = [(name, value) for label, name, value in seen if label == h.label]
        check("CB-PARITY-4", values, f"{h.label} received no event")
        wrong = sorted({f"{name}={value!r}" for name, value in values if value != "request-7"})
        check_equal("CB-PARITY-4", wrong, [],
                    f"events where the {h.label} handler did not see the caller's contextvar "
                    f"(sync manager called from {caller})")

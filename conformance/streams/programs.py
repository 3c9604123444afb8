"""Stream scenario programs: a scripted source, declared projections and consumer actions.

A *stream program* is JSON-able data::

    {"script": {"events": [ScriptEvent, ...],          # see conformance.streams.source
                "error_at": null | k, "error": {"type": "RuntimeError", "message": "..."},
                "generator": false,                     # wrap the source in as_generator
                "stubborn": false},                     # held pulls swallow cancellation
     "projections": [{"name", "method", "namespace": [...] | null, "maxlen": null,
                      "native": true}],
     "actions": [ACTION, ...],
     "counter_rules": {"pulls": "RS-...", ...},         # rule of each final counter
     "schedule": [c, ...]}                              # optional: the controlled loop's
                                                        # choices (conformance.scheduling)

The runner (:func:`observe`) executes the actions in order, in one task, on a fresh loop
(``spawn``/``join`` start and await a second task, so a pull can be in flight while the
scenario acts). Every action may carry ``"rule"``: a difference in that action's
observation is attributed to it (else to the transcript's first rule). Actions
(``run`` names a run handle, default ``"root"``; a target is ``"main"`` for the main log or
a projection name)::

    {"do": "subscribe", "target": T, "as": C}          -> {"ok": true}
    {"do": "tee", "target": T, "n": k, "as": [C, ...]} -> {"branches": k}
    {"do": "take", "cursor": C, "n": k}                -> {"items": [...], "end": bool}
    {"do": "drain", "cursor": C}                       -> {"items": [...], "end": true}
    {"do": "close", "cursor": C}                       -> {"closed": true}
    {"do": "abort"} / {"do": "output"} / {"do": "interrupted"} / {"do": "interrupts"}
                                                       -> {"value": ...}
    {"do": "nested", "path": [...], "as": H}           -> {"ok": true}
    {"do": "async_with", "target": T, "n": k, "exit": "break" | "raise", "as": C}
                                                       -> {"entered_is_run", "items",
                                                           "propagated"}
    {"do": "abort", "from": "cancelled task"}          -> {"value": null} (abort() called
                                                          by a cancelled task's cleanup)
    {"do": "counters"}                                 -> the source counters, after settling
    {"do": "settle"} / {"do": "hold" | "held" | "release", "index": k}
    {"do": "spawn", "action": ACTION, "as": T} / {"do": "join", "task": T}
    {"do": "join", "task": T, "now": true}             -> T's observation if it is done after
                                                          settling, else {"pending": true}
    {"do": "join", "task": T, "finishes": true | R}    -> T's observation, or {"finished":
                                                          false} when T did not finish in
                                                          the time limit (a rule says it
                                                          ends: R, or the action's own; T
                                                          is cancelled and the scenario
                                                          goes on)
    {"do": "join_all"}                                 -> {"joined": {T: observation, ...}}
                                                          for every task not joined yet

An action that raises is observed as ``{"raised": type name, "source_error": bool}`` (plus
the message when it is the source's own error, whose text the kit wrote; ``"terms": [...]``
on the action records whether each term occurs in any other error's message), after the
items already read. Items of the main log are normalised to ``method``, ``namespace``,
``data``, ``interrupts`` (when present) and whether ``seq`` increased. A timeout (other
than a ``finishes`` join's) stops the scenario; the remaining actions are observed as
``{"skipped": true}``. The outcomes are the
final source counters and the number of tasks left pending.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any

from conformance import aio
from conformance.adapter import RS_ASYNC, RS_NESTED, Adapter, ProjectionSpec
from conformance.checks import ImplementationTimeout, RuleViolation
from conformance.errors import ProgramError, render_error
from conformance.scheduling import Schedule
from conformance.streams import drive
from conformance.streams.drive import END, anext_or_end, close_cursor, declared, main_log_of
from conformance.streams.source import Fatal, ScriptedSource, as_generator

Observation = dict[str, Any]
CONTRACT = "streams"
ERRORS: dict[str, type[BaseException]] = {
    "RuntimeError": RuntimeError, "ValueError": ValueError, "KeyError": KeyError,
    "Fatal": Fatal,
}
#: The observation of a ``finishes`` join whose task did not finish in the time limit.
UNFINISHED: Observation = {"finished": False}
COUNTERS = ("pulls", "active", "max_active", "closed", "cancelled")
RESULTS = ("output", "interrupted", "interrupts")


class ScenarioExit(Exception):
    """Raised by an ``async_with`` body that leaves by an exception."""


class MissingCursor(Exception):
    """An action names a cursor whose subscription (or tee) raised: observed as what
    it raised, so that the difference is blamed on the subscription's rule."""


def needs(program: dict[str, Any]) -> list[str]:
    """The capabilities a program needs."""
    nested = any(a["do"] == "nested" for a in program["actions"])
    return [RS_ASYNC] + ([RS_NESTED] if nested else [])


# -- normalising what the implementation returned ----------------------------------------

def plain(value: Any) -> Any:
    """A JSON-able rendering of ``value``."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return {"__type__": type(value).__name__, "repr": repr(value)}


@dataclass
class Cursor:
    """A cursor the scenario holds, and how to render its items."""

    iterator: Any
    main_log: bool = False
    last_seq: int | None = None

    def render(self, item: Any) -> Any:
        if not self.main_log:
            return plain(item)
        params = item["params"]
        entry = {"method": item["method"], "namespace": plain(params["namespace"]),
                 "data": plain(params["data"])}
        if "interrupts" in params:
            entry["interrupts"] = plain(params["interrupts"])
        seq = item.get("seq")
        fine = isinstance(seq, int) and (self.last_seq is None or seq > self.last_seq)
        entry["seq"] = "increasing" if fine else f"not increasing: {seq!r}"
        self.last_seq = seq if isinstance(seq, int) else self.last_seq
        return entry


def build_source(script: dict[str, Any]) -> ScriptedSource:
    error = None
    if script.get("error_at") is not None:
        spec = script.get("error", {"type": "RuntimeError", "message": "scripted failure"})
        error = ERRORS[spec["type"]](spec["message"])
    return ScriptedSource([dict(e) for e in script["events"]], error_at=script.get("error_at"),
                          error=error, stubborn=script.get("stubborn", False))


def projection_specs(program: dict[str, Any]) -> list[ProjectionSpec]:
    specs = []
    for p in program.get("projections", []):
        namespace = p.get("namespace", [])
        specs.append(ProjectionSpec(p["name"], p["method"],
                                    None if namespace is None else tuple(namespace),
                                    p.get("maxlen"), p.get("native", True)))
    return specs


# -- the runner ------------------------------------------------------------------------------

@dataclass
class Runner:
    """Executes one stream program against one implementation."""

    adapter: Adapter
    program: dict[str, Any]
    source: ScriptedSource = field(init=False)
    handles: dict[str, Any] = field(default_factory=dict)
    cursors: dict[str, Cursor] = field(default_factory=dict)
    tasks: dict[str, asyncio.Task[Observation]] = field(default_factory=dict)
    joined: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)  # cursors whose subscription raised
    stopped: bool = False

    def __post_init__(self) -> None:
        self.factories = drive.factories(self.adapter)
        self.source = build_source(self.program["script"])
        iterator = as_generator(self.source) if self.program["script"].get("generator") \
            else self.source
        self.handles["root"] = self.factories.open_run(iterator, projection_specs(self.program))

    async def execute(self) -> tuple[list[Observation], dict[str, Any]]:
        records = []
        for index, action in enumerate(self.program["actions"]):
            observed = {"skipped": True} if self.stopped else await self.perform(action)
            records.append({"step": index, "do": describe(action), "observed": observed})
        if set(self.tasks) - self.joined and not self.stopped:
            raise ProgramError(f"tasks never joined: {sorted(set(self.tasks) - self.joined)}")
        await aio.settle()
        outcomes = {"source": self.counters(), "pending_tasks": pending_tasks()}
        for cursor in self.cursors.values():
            try:
                await close_cursor(cursor.iterator)
            except (Exception, Fatal):  # noqa: BLE001 - cleanup only, after observing
                pass
        return records, outcomes

    async def perform(self, action: dict[str, Any]) -> Observation:
        handler = HANDLERS.get(action["do"])
        if handler is None:
            raise ProgramError(f"unknown action {action!r}")
        try:
            return await handler(self, action)
        except ProgramError:
            raise
        except ImplementationTimeout:
            self.stopped = True
            return {"raised": "ImplementationTimeout", "source_error": False}
        except (Exception, Fatal, asyncio.CancelledError) as exc:
            if action["do"] in ("subscribe", "tee"):
                names = action["as"]
                self.failed.update([names] if isinstance(names, str) else names)
            return self.caught(exc, action)

    def caught(self, exc: BaseException, action: dict[str, Any]) -> Observation:
        """The observation of an error an action raised (re-raised if it is not ours)."""
        if isinstance(exc, ProgramError):
            raise exc
        if isinstance(exc, asyncio.CancelledError):
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise exc
        if isinstance(exc, ImplementationTimeout):
            self.stopped = True
            return {"raised": "ImplementationTimeout", "source_error": False}
        if isinstance(exc, RuleViolation):  # a drive helper's finding: no tee, no projection
            self.stopped = True
            return {"premise": exc.rule, "message": exc.message}
        if exc is self.source.error:
            return {"raised": type(exc).__name__, "source_error": True,
                    "message": render_error(exc)}
        observed: Observation = {"raised": type(exc).__name__, "source_error": False}
        if action.get("terms"):
            observed["terms"] = {t: t in str(exc) for t in action["terms"]}
        return observed

    # -- helpers --------------------------------------------------------------------------
    def handle(self, action: dict[str, Any]) -> Any:
        name = action.get("run", "root")
        if name not in self.handles:
            raise ProgramError(f"unknown run handle {name!r}")
        return self.handles[name]

    def projection(self, action: dict[str, Any]) -> Any:
        handle, target = self.handle(action), action["target"]
        return handle.values if target == "values" else declared(handle, target)

    def cursor(self, action: dict[str, Any]) -> Cursor:
        if action["cursor"] in self.failed and action["cursor"] not in self.cursors:
            raise MissingCursor(f"cursor {action['cursor']!r} was never subscribed")
        if action["cursor"] not in self.cursors:
            raise ProgramError(f"unknown cursor {action['cursor']!r}")
        return self.cursors[action["cursor"]]

    def name_free(self, name: str) -> str:
        if name in self.cursors:
            raise ProgramError(f"cursor {name!r} defined twice")
        return name

    def counters(self) -> dict[str, int]:
        return {name: getattr(self.source.count, name) for name in COUNTERS}

    async def read(self, cursor: Cursor, limit: int | None,
                   action: dict[str, Any]) -> Observation:
        """Up to ``limit`` items (all with None), then the end or the error."""
        items: list[Any] = []
        while limit is None or len(items) < limit:
            try:
                item = await anext_or_end(cursor.iterator)
            except (Exception, Fatal, asyncio.CancelledError, ImplementationTimeout) as exc:
                return {"items": items, **self.caught(exc, action)}
            if item is END:
                return {"items": items, "end": True}
            items.append(cursor.render(item))
        return {"items": items, "end": False}

    # -- actions --------------------------------------------------------------------------
    async def do_subscribe(self, action: dict[str, Any]) -> Observation:
        name = self.name_free(action["as"])
        main_log = action["target"] == "main"
        source = self.handle(action) if main_log else self.projection(action)
        self.cursors[name] = Cursor(main_log_of(source) if main_log else aiter(source),
                                    main_log=main_log)
        return {"ok": True}

    async def do_tee(self, action: dict[str, Any]) -> Observation:
        names = [self.name_free(n) for n in action["as"]]
        branches = list(drive.fan_out(self.adapter, self.projection(action), action["n"]))
        for name, branch in zip(names, branches):
            self.cursors[name] = Cursor(aiter(branch))
        self.failed.update(names[len(branches):])  # branches the implementation did not give
        return {"branches": len(branches)}

    async def do_take(self, action: dict[str, Any]) -> Observation:
        return await self.read(self.cursor(action), action["n"], action)

    async def do_drain(self, action: dict[str, Any]) -> Observation:
        return await self.read(self.cursor(action), None, action)

    async def do_close(self, action: dict[str, Any]) -> Observation:
        await close_cursor(self.cursor(action).iterator)
        return {"closed": True}

    async def do_result(self, action: dict[str, Any]) -> Observation:
        method = getattr(self.handle(action), action["do"])
        return {"value": plain(await aio.within(method(), f"{action['do']}()"))}

    async def do_nested(self, action: dict[str, Any]) -> Observation:
        if self.factories.nested is None:
            raise ProgramError("the adapter gives no nested run streams")
        self.handles[action["as"]] = self.factories.nested(self.handle(action),
                                                           tuple(action["path"]))
        return {"ok": True}

    async def do_async_with(self, action: dict[str, Any]) -> Observation:
        run, name = self.handle(action), self.name_free(action["as"])
        exit_error = ScenarioExit("left the block")
        observed: Observation = {}
        try:
            async with run as entered:
                observed["entered_is_run"] = entered is run
                cursor = self.cursors[name] = Cursor(aiter(self.projection(action)))
                observed.update(await self.read(cursor, action["n"], action))
                if action["exit"] == "raise":
                    raise exit_error
        except ScenarioExit as exc:
            observed["propagated"] = exc is exit_error
        else:
            observed["propagated"] = False if action["exit"] == "raise" else None
        finally:
            if name not in self.cursors:  # the block never opened: later actions on the
                self.failed.add(name)     # cursor observe that, not an unknown name
        return observed

    async def do_counters(self, action: dict[str, Any]) -> Observation:
        await aio.settle()
        return self.counters()

    async def do_settle(self, action: dict[str, Any]) -> Observation:
        await aio.settle()
        return {"ok": True}

    async def do_gate(self, action: dict[str, Any]) -> Observation:
        index = action["index"]
        if action["do"] == "hold":
            self.source.hold(index)
        elif action["do"] == "release":
            self.source.release(index)
        else:
            await aio.within(self.source.held(index), f"the pull of event {index}")
        return {"ok": True}

    async def do_spawn(self, action: dict[str, Any]) -> Observation:
        if action["as"] in self.tasks:
            raise ProgramError(f"task {action['as']!r} spawned twice")
        self.tasks[action["as"]] = asyncio.create_task(self.perform(action["action"]))
        return {"spawned": True}

    async def do_join(self, action: dict[str, Any]) -> Observation:
        name = action["task"]
        if name not in self.tasks:
            raise ProgramError(f"unknown task {name!r}")
        if action.get("now"):
            await aio.settle()
            if not self.tasks[name].done():
                return {"pending": True}
        self.joined.add(name)
        if action.get("finishes"):
            return await self.join_finishing(name)
        return await aio.within(self.tasks[name], f"task {name}")

    async def join_finishing(self, name: str) -> Observation:
        """Join a task the action's rule says ends (a reader waiting at abort()).

        One still waiting after the time limit, or whose own read ran out of time, is
        observed as ``{"finished": false}`` (compared as that rule's failure, not as a
        timeout); it is cancelled, and the scenario goes on.
        """
        task, stopped = self.tasks[name], self.stopped
        await asyncio.wait({task}, timeout=aio.AWAIT_TIMEOUT)
        if task.done() and (task.cancelled() or task.exception() is not None
                            or not timed_out(task.result())):
            return task.result()
        task.cancel()
        await asyncio.wait({task}, timeout=aio.AWAIT_TIMEOUT)
        self.stopped = stopped  # the task's own time limit is this observation, not a stop
        return dict(UNFINISHED)

    async def do_join_all(self, action: dict[str, Any]) -> Observation:
        joined = {}
        for name in [t for t in self.tasks if t not in self.joined]:
            joined[name] = await self.do_join({"task": name})
        return {"joined": joined}


async def _abort(runner: Runner, action: dict[str, Any]) -> Observation:
    run = runner.handle(action)
    if action.get("from") == "cancelled task":
        await aio.within(_abort_on_cancel(run), "abort() from a cancelled task")
    else:
        await aio.within(run.abort(), "abort()")
    return {"value": None}


async def _abort_on_cancel(run: Any) -> None:
    """abort() called by the cleanup of a task cancelled while it waits (RS-ABORT-9)."""

    async def waiter() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            await run.abort()
            raise

    task = asyncio.create_task(waiter())
    await aio.settle()
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        me = asyncio.current_task()
        if me is not None and me.cancelling():
            raise


HANDLERS: dict[str, Callable[[Runner, dict[str, Any]], Awaitable[Observation]]] = {
    "subscribe": Runner.do_subscribe, "tee": Runner.do_tee, "take": Runner.do_take,
    "drain": Runner.do_drain, "close": Runner.do_close, "abort": _abort,
    **{name: Runner.do_result for name in RESULTS},
    "nested": Runner.do_nested, "async_with": Runner.do_async_with,
    "counters": Runner.do_counters, "settle": Runner.do_settle,
    **{name: Runner.do_gate for name in ("hold", "held", "release")},
    "spawn": Runner.do_spawn, "join": Runner.do_join, "join_all": Runner.do_join_all,
}


def describe(action: dict[str, Any]) -> str:
    """A short reading of an action, kept in the transcript next to its observation."""
    do = action["do"]
    on = f" on {action['run']}" if action.get("run", "root") != "root" else ""
    if do == "tee":
        detail = f" {action['target']}{on} into {action['n']} as {', '.join(action['as'])}"
    elif do in ("subscribe", "async_with"):
        detail = f" {action['target']}{on} as {action['as']}"
        detail += f", take {action['n']}, then {action['exit']}" if do == "async_with" else ""
    elif do == "take":
        detail = f" {action['n']} from {action['cursor']}"
    elif do in ("drain", "close"):
        detail = f" {action['cursor']}"
    elif do in ("hold", "held", "release"):
        detail = f" event {action['index']}"
    elif do == "spawn":
        detail = f" {describe(action['action'])} as {action['as']}"
    elif do == "join":
        detail = f" {action['task']}" + (" if done" if action.get("now") else "")
    elif do == "abort" and action.get("from"):
        detail = f" from a {action['from']}{on}"
    elif do == "nested":
        detail = f" {'/'.join(action['path'])} as {action['as']}"
    else:
        detail = on
    return f"{do}{detail}"


def pending_tasks() -> int:
    me = asyncio.current_task()
    return sum(1 for t in asyncio.all_tasks() if t is not me and not t.done())


def observe(adapter: Adapter, program: dict[str, Any]) -> tuple[list[Observation], dict]:
    """Run ``program`` on a fresh loop; its per-action observations and outcomes.

    A program with a ``schedule`` runs on the controlled loop, which makes the recorded
    choices again in order (``conformance.scheduling``), so the interleaving a state
    machine failed in is the one replayed.
    """

    async def main() -> tuple[list[Observation], dict[str, Any]]:
        return await Runner(adapter, program).execute()

    choices = program.get("schedule")
    schedule = Schedule.replay(choices) if choices else None
    return aio.run(main, check_leaks=False, schedule=schedule)


# -- attributed comparison -------------------------------------------------------------------

def action_rules(doc: dict[str, Any]) -> list[str | None]:
    return [a.get("rule") for a in doc["program"]["actions"]]


def ending_rule(doc: dict[str, Any], index: int) -> str | None:
    """The rule a ``finishes`` join names as the one saying its task ends (a reader waiting
    at abort(): RS-ABORT-2), when that is not the rule of what the task observes."""
    actions = doc["program"]["actions"]
    finishes = actions[index].get("finishes") if index < len(actions) else None
    return finishes if isinstance(finishes, str) else None


def cited(doc: dict[str, Any]) -> set[str]:
    """Every rule a program's actions and counters name (each must be in ``rules``)."""
    named = {r for r in action_rules(doc) if r}
    named |= {a["finishes"] for a in doc["program"]["actions"]
              if isinstance(a.get("finishes"), str)}
    named |= {a["action"].get("rule") for a in doc["program"]["actions"]
              if a["do"] == "spawn" and a["action"].get("rule")}
    return named | set(doc["program"].get("counter_rules", {}).values())


def compare(doc: dict[str, Any], records: list[Observation], outcomes: dict[str, Any]) -> None:
    """Raise a RuleViolation for the first difference, attributed to the rule cited for it."""
    default = doc["rules"][0]
    rules = action_rules(doc)
    for index, (exp, obs) in enumerate(zip_longest(doc["expected"], records)):
        if exp != obs:
            step = (exp or obs)["do"]
            rule = (rules[index] if index < len(rules) else None) or default
            if step == "counters" and exp is not None and obs is not None \
                    and not (rules[index] if index < len(rules) else None):
                rule = _counter_rule(doc, exp["observed"], obs["observed"], rule)
            if obs is not None and obs["observed"] == UNFINISHED and exp is not None:
                rule = ending_rule(doc, index) or rule
                raise RuleViolation(rule, f"step #{index} ({step}): the task did not finish "
                                          f"within {aio.AWAIT_TIMEOUT:g}s; expected "
                                          f"{_show(exp['observed'])}")
            premise = obs is not None and premise_of(obs["observed"])
            if premise:
                raise RuleViolation(premise["premise"], f"step #{index} ({step}): "
                                                        f"{premise['message']}")
            if obs is not None and timed_out(obs["observed"]):
                hang = ImplementationTimeout(
                    f"timeout: step #{index} ({step}): the implementation did not return "
                    f"within {aio.AWAIT_TIMEOUT:g}s")
                hang.rule = rule  # type: ignore[attr-defined] - the step's rule, not all
                raise hang
            raise RuleViolation(rule, f"step #{index} ({step}): expected "
                                      f"{_show(exp and exp['observed'])}, got "
                                      f"{_show(obs and obs['observed'])}")
    counter_rules = doc["program"].get("counter_rules", {})
    expected = {**doc["outcomes"]["source"], "pending_tasks": doc["outcomes"]["pending_tasks"]}
    got = {**outcomes["source"], "pending_tasks": outcomes["pending_tasks"]}
    for key in expected:
        if expected[key] != got.get(key):
            raise RuleViolation(counter_rules.get(key, default), (
                f"at the end of the scenario, {key}: expected {expected[key]!r}, "
                f"got {got.get(key)!r}"))


def _counter_rule(doc: dict[str, Any], expected: Any, got: Any, rule: str) -> str:
    """The rule of the first counter that differs (``counter_rules``), else ``rule``: a
    counters step observes every counter, each of which a different rule may govern."""
    if not (isinstance(expected, dict) and isinstance(got, dict)):
        return rule
    counter_rules = doc["program"].get("counter_rules", {})
    for key in sorted(set(expected) | set(got)):
        if expected.get(key) != got.get(key):
            return counter_rules.get(key, rule)
    return rule


def timed_out(observed: Any) -> bool:
    """Whether an observation records the kit's time limit (an action the runner stopped
    at). A replay that differs there ends as a timeout, not as a difference: the
    implementation did not answer, so there is nothing to compare."""
    if isinstance(observed, dict):
        return observed.get("raised") == "ImplementationTimeout" or any(
            timed_out(v) for v in observed.values())
    return False


def premise_of(observed: Any) -> dict[str, str] | None:
    """The finding on another rule an observation records (a step the runner stopped at
    because the implementation lacks what the step needs, e.g. RS-PROJ-5's tee): the
    difference is that rule's, not the rule the step cites."""
    if not isinstance(observed, dict):
        return None
    if "premise" in observed:
        return observed
    return next(filter(None, map(premise_of, observed.values())), None)


def replay(doc: dict[str, Any], adapter: Adapter) -> tuple[list[Observation], dict]:
    """Run a stream transcript's program; raise the first attributed difference."""
    records, outcomes = observe(adapter, doc["program"])
    compare(doc, records, outcomes)
    return records, outcomes


def _show(value: Any) -> str:
    return "nothing" if value is None else json.dumps(value, sort_keys=True)

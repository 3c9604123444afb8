"""Shrunk counterexamples, exported as transcripts anyone can replay.

When a property test or a state machine fails and ``--runcert-counterexamples=DIR`` is
given, the failing example (Hypothesis runs the shrunk one last, as its *final* run) is
written to ``DIR/<test name>-<rule>.json`` as an ordinary transcript:

- callbacks: a ``runcert-transcript/1`` document whose program is the failing program;
- streams: the same format with ``"contract": "streams"``, whose program replays the
  failing example's steps (see :class:`Tape`) and, when the example ran on the
  controlled loop, its ``schedule``: the choices the loop made, so the replay repeats
  the failing interleaving (``conformance.scheduling``).

Its ``expected`` observations are recorded by running the same program on the
reference implementation (the oracle), its ``rules`` are the violated rule, and
``origin`` says where it came from (``kind``, ``test``, ``seed``, ``implementation``).
Replaying the file on the failing implementation reports a difference on that rule; on
the reference it passes. The exporter replays it once on the implementation under test
before saying so: the note added to the failure gives the file, whether the replay
reproduced the rule, and the command that replays it.

Nothing is written without the option.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.adapter import Adapter, ProjectionSpec
from conformance.checks import ImplementationTimeout, RuleViolation
from conformance.contracts import contract, first_difference
from conformance.transcripts.validate import FORMAT, canonical

__all__ = ["Exporter", "Tape", "file_name", "is_final_run", "reference"]

KIND = "counterexample"


# -- naming ------------------------------------------------------------------------------------

def _sanitise(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.") or "test"


def test_name(node_id: str) -> str:
    """``test[params]`` or ``Class.test`` of a node id; a state machine's ``TestCase``
    is named by its class (its one test is ``runTest``)."""
    parts = [p for p in node_id.split("::")[1:] if p != "runTest"] or [node_id]
    return ".".join(parts)


def file_name(test: str, rule: str) -> str:
    """``<test name>-<rule>.json`` for the node id ``test``, sanitised."""
    return f"{_sanitise(test_name(test))}-{_sanitise(rule)}.json"


def transcript_id(test: str, rule: str) -> str:
    """An id in the transcripts' alphabet (``[a-z0-9_]+``) naming the same example."""
    stem = file_name(test, rule).removesuffix(".json").lower()
    return re.sub(r"[^a-z0-9_]+", "_", stem).strip("_")


# -- the oracle and Hypothesis -------------------------------------------------------------------

@functools.cache
def reference() -> Adapter:
    """The reference implementation: what every counterexample's observations come from."""
    from conformance.resolve import resolve

    return resolve("reference")


def is_final_run() -> bool:
    """Whether this is Hypothesis's final run of a failing example (the shrunk one).

    Outside a Hypothesis test every run counts as final.
    """
    try:
        from hypothesis.control import current_build_context

        return bool(current_build_context().is_final)
    except Exception:  # noqa: BLE001 - no build context: not under Hypothesis
        return True


# -- stream programs, recorded step by step ----------------------------------------------------

def projection_dict(spec: ProjectionSpec) -> dict[str, Any]:
    namespace = None if spec.namespace is None else list(spec.namespace)
    return {"name": spec.name, "method": spec.method, "namespace": namespace,
            "maxlen": spec.maxlen, "native": spec.native}


@dataclass
class Tape:
    """A stream program written while an example runs (conformance.streams.programs).

    ``open`` records the script (every gate held, as the suites' sources are) and the
    declared projections; ``act`` appends an action; ``spawn`` starts an action as a task
    and returns its name; ``join`` records that the task was seen done (on replay: its
    observation if it is done after a settle, else ``{"pending": true}``, so an
    implementation that blocks where the recorded one did not shows a difference instead
    of a timeout). :meth:`program` closes the recording: the run is aborted and every task
    still running is joined, so the program replays without leaking tasks.
    """

    script: dict[str, Any] = field(default_factory=lambda: {"events": []})
    projections: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    running: list[str] = field(default_factory=list)
    spawned: int = 0
    held: list[int] = field(default_factory=list)
    schedule: list[int] = field(default_factory=list)  # the controlled loop's choices

    def open(self, events: list[dict[str, Any]], projections: list[ProjectionSpec],
             held: list[int], stubborn: bool = False) -> None:
        self.script = {"events": [dict(e) for e in events]}
        self.held = list(held)  # held by the first actions (nothing runs before them)
        if stubborn:
            self.script["stubborn"] = True
        self.projections = [projection_dict(p) for p in projections]

    def act(self, action: dict[str, Any]) -> None:
        self.actions.append(action)

    def spawn(self, action: dict[str, Any]) -> str:
        self.spawned += 1
        name = f"t{self.spawned}"
        self.actions.append({"do": "spawn", "action": action, "as": name})
        self.running.append(name)
        return name

    def join(self, name: str) -> None:
        if name in self.running:
            self.running.remove(name)
            self.actions.append({"do": "join", "task": name, "now": True})

    def program(self) -> dict[str, Any]:
        ending = [{"do": "abort"}, {"do": "join_all"}]
        holds = [{"do": "hold", "index": k} for k in self.held]
        program = {"script": self.script, "projections": self.projections,
                   "actions": holds + self.actions + ending}
        if self.schedule:
            program["schedule"] = list(self.schedule)
        return program


# -- the exporter -------------------------------------------------------------------------------

@dataclass
class Exporter:
    """Writes the counterexamples of one test (disabled when ``directory`` is None)."""

    directory: Path | None
    test: str  # pytest node id
    impl: str  # the --impl value, for the replay command
    adapter: Adapter
    seed: Any = None
    written: list[Path] = field(default_factory=list)

    def __repr__(self) -> str:  # shown in Hypothesis's "Failing test case"
        return f"Exporter(directory={str(self.directory)!r})"

    @property
    def enabled(self) -> bool:
        return self.directory is not None

    @contextmanager
    def callbacks(self, program: dict[str, Any], lanes: list[str]) -> Iterator[None]:
        """Export ``program`` when the block fails on a rule."""
        try:
            yield
        except RuleViolation as violation:
            if self.enabled and is_final_run():
                self.export(violation, lambda rule: self.callback_document(program, lanes, rule))
            raise

    @contextmanager
    def streams(self, tape: Tape) -> Iterator[None]:
        """Export ``tape``'s program when the block fails on a rule."""
        try:
            yield
        except RuleViolation as violation:
            self.export_stream(violation, tape)
            raise

    def export_stream(self, violation: BaseException, tape: Tape) -> None:
        if self.enabled and isinstance(violation, RuleViolation) and is_final_run():
            self.export(violation, lambda rule: self.stream_document(tape.program(), rule))

    # -- documents ----------------------------------------------------------------------------
    def header(self, rule: str) -> dict[str, Any]:
        return {
            "id": transcript_id(self.test, rule),
            "title": f"Shrunk counterexample of {rule} found by {self.test}",
            "source": f"counterexample of {self.test} on {self.adapter.name}",
            "rules": [rule],
            "origin": {"kind": KIND, "test": self.test, "seed": self.seed,
                       "implementation": {"name": self.adapter.name,
                                          "version": self.adapter.version}},
        }

    def callback_document(self, program: dict[str, Any], lanes: list[str],
                          rule: str) -> dict[str, Any]:
        return self.document("callbacks", program, list(lanes), rule)

    def stream_document(self, program: dict[str, Any], rule: str) -> dict[str, Any]:
        return self.document("streams", program, ["async"], rule)

    def document(self, name: str, program: dict[str, Any], lanes: list[str],
                 rule: str) -> dict[str, Any]:
        """The transcript: the program, with what the reference does on its first lane."""
        records, outcomes = contract(name).observe(reference(), program, lanes[0])
        contract_field = {} if name == "callbacks" else {"contract": name}
        return {"format": FORMAT, **contract_field, **self.header(rule), "lanes": lanes,
                "program": program, "expected": records, "outcomes": outcomes}

    # -- writing ------------------------------------------------------------------------------
    def export(self, violation: RuleViolation, build: Any) -> None:
        """Write the transcript, replay it once on the implementation, note the failure.

        A crash while exporting never hides the failure itself: it becomes the note; so
        does a replay that timed out (the violation, found first, stays the verdict).
        """
        assert self.directory is not None
        path = self.directory / file_name(self.test, violation.rule)
        try:
            doc = build(violation.rule)
            self.directory.mkdir(parents=True, exist_ok=True)
            path.write_text(canonical(doc), encoding="utf-8")
            self.written.append(path)
            verdict = replay_verdict(doc, self.adapter, violation.rule)
        except (Exception, ImplementationTimeout) as exc:  # noqa: BLE001 - noted instead
            violation.add_note(f"counterexample transcript: not written to {path} "
                               f"({type(exc).__name__}: {exc})")
            return
        violation.transcript = str(path)  # type: ignore[attr-defined]
        violation.add_note(
            f"counterexample transcript: {path} ({verdict}); replay: pytest "
            f"--impl={self.impl} --runcert-transcripts={self.directory}")


def replay(doc: dict[str, Any], adapter: Adapter) -> RuleViolation | None:
    """The first attributed difference of a counterexample on ``adapter``, or None."""
    return first_difference(doc, adapter)


def replay_verdict(doc: dict[str, Any], adapter: Adapter, rule: str) -> str:
    """What replaying ``doc`` on ``adapter`` shows, in a few words."""
    found = replay(doc, adapter)
    if found is None:
        return (f"replaying it on {adapter.name} shows no difference from the reference: "
                f"the law failed on something the transcript does not observe")
    if found.rule != rule:
        return f"replaying it on {adapter.name} reproduces a difference on {found.rule}"
    return f"replaying it on {adapter.name} reproduces {rule}"

"""A controlled event loop: the kit, not asyncio, decides which ready callback runs next.

Run-stream bugs live in interleavings. A plain asyncio loop runs the callbacks that are
ready at the start of an iteration in FIFO order, so a test only ever sees the one order
that FIFO happens to give: a wake-up that is lost when the waiter runs second never shows
if FIFO always runs it first. :class:`ControlledLoop` is an ordinary selector event loop
that, before each iteration, reorders the ready queue (the batch of handles that
iteration will run) by a :class:`Schedule`: for each slot in turn, while more than one
handle is left to place, the schedule picks one of them (a *choice*, an index among the
``n`` left). Choice 0 everywhere is FIFO, so an empty schedule is the plain loop.

What it controls, and what it does not:

- it orders callbacks that are ready at the same time: task steps, wake-ups,
  ``call_soon`` callbacks, future done-callbacks. That is every interleaving a
  single-threaded asyncio program can have between two suspension points;
- timers and I/O are untouched: a ``call_later``/``call_at`` handle or a selector event
  joins the ready queue when asyncio puts it there, after the reordering of that
  iteration (and is reordered with the rest in the next one if it is still waiting);
  nothing is ever delayed, so a time limit still fires when it should;
- threads are out of reach: ``call_soon_threadsafe`` and executors run as asyncio runs
  them (the kit's stream scenarios use neither);
- the *driver* (the task that runs a scenario's steps and observes between them, see
  :meth:`ControlledLoop.run_driver` and :meth:`ControlledLoop.exempt`) keeps its FIFO
  place: only what it starts is scheduled. A state machine and the replay of its
  transcript drive the loop differently, and exempting the drivers is what lets one
  schedule mean the same interleaving in both.

The schedule is a sequence of choices: drawn by Hypothesis (:func:`schedules`, a list
replayed by :meth:`Schedule.replay`, so a failing interleaving shrinks towards FIFO like
any other input), from a seed (:meth:`Schedule.seeded`) or replayed from a recorded
list (:meth:`Schedule.replay`).
Every schedule records what it chose (:attr:`Schedule.choices`); at most ``limit``
choices are made per scenario, FIFO after that, so recorded schedules stay short.
Replaying a recorded list on the same program and implementation repeats the exact
interleaving: the loop is otherwise deterministic (no timers fire in a scenario that
does not hang).

The loop works with any asyncio implementation: it only reorders ``Handle`` objects
(``handle._callback.__self__`` tells a task's steps and wake-ups apart, for the C and the
pure-Python ``Task`` alike) and never looks inside them.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

__all__ = ["MAX_CHOICES", "ControlledLoop", "Schedule", "schedules"]

T = TypeVar("T")

#: Choices made per scenario at most (FIFO after). A state-machine example of the
#: reference meets fewer than 30 choice points (most meet none or a handful), so the
#: bound only cuts the rare long example; shrinking leaves a few choices anyway.
MAX_CHOICES = 32

#: False under ``--runcert-fifo``: :func:`schedules` then draws FIFO only.
CONTROLLED = True

#: The range of a drawn choice (taken modulo the handles left to place): more than the
#: handles the kit's scenarios ever have ready at once, so every order is reachable.
WIDTH = 8


@dataclass(eq=False)
class Schedule:
    """Where the choices come from, and the choices made so far.

    ``pick(n)`` answers a choice point with ``n`` > 1 handles left to place (any int:
    it is taken modulo ``n``); after ``limit`` choices every answer is FIFO (0).
    """

    pick: Callable[[int], int]
    limit: int = MAX_CHOICES
    choices: list[int] = field(default_factory=list)

    @property
    def live(self) -> bool:
        """Whether the schedule still chooses (else the loop is plain FIFO)."""
        return len(self.choices) < self.limit

    def choose(self, n: int) -> int:
        """The index, among ``n`` > 1 ready handles, of the one to run next; recorded."""
        if not self.live:
            return 0
        choice = self.pick(n) % n
        self.choices.append(choice)
        return choice

    def recorded(self) -> list[int]:
        """The choices made, without the trailing FIFO ones (replay gives those anyway)."""
        kept = list(self.choices)
        while kept and kept[-1] == 0:
            kept.pop()
        return kept

    # -- sources ---------------------------------------------------------------------------
    @classmethod
    def fifo(cls) -> Schedule:
        """Never choose: asyncio's own order."""
        return cls(lambda n: 0, limit=0)

    @classmethod
    def replay(cls, choices: Sequence[int]) -> Schedule:
        """Make the recorded ``choices`` again, in order, then FIFO."""
        queue = list(choices)
        position = iter(range(len(queue)))
        return cls(lambda n: queue[next(position)], limit=len(queue))

    @classmethod
    def seeded(cls, seed: int, limit: int = MAX_CHOICES) -> Schedule:
        """Uniform random choices from ``random.Random(seed)``."""
        rng = random.Random(seed)
        return cls(rng.randrange, limit=limit)


def schedules(limit: int = MAX_CHOICES) -> Any:
    """A Hypothesis strategy of schedules to :meth:`Schedule.replay`: part of the
    examples keep asyncio's FIFO order (``[]``), the others get up to ``limit`` choices.

    Its length is uniform (up to ``limit``), not Hypothesis's usual short lists: a
    choice point late in an example is as likely to be explored as an early one.
    The whole list is drawn up front, where the example starts, rather than one draw
    per choice point as the loop meets them: how many choice points a run meets depends
    on the implementation, and draws whose number varies between runs of the same
    example would make Hypothesis's replay of it (and its shrinking) inconsistent. A
    value is taken modulo the number of handles left to place, so each shrinks towards
    0, FIFO, and a failing example shrinks to the few choices it needs.
    """
    from hypothesis import strategies as st

    def build() -> Any:
        if not CONTROLLED:
            return st.just([])
        choices = st.integers(0, WIDTH - 1)
        return st.one_of(st.just([]), st.integers(1, limit).flatmap(
            lambda k: st.lists(choices, min_size=k, max_size=k)))

    return st.deferred(build)  # CONTROLLED is read when the first example draws


def _owner(handle: asyncio.Handle) -> Any:
    """The task or future a handle steps or wakes (a bound method's ``__self__``)."""
    return getattr(handle._callback, "__self__", None)


class ControlledLoop(asyncio.SelectorEventLoop):
    """A selector event loop whose ready queue is ordered by a :class:`Schedule`."""

    def __init__(self, schedule: Schedule | None = None) -> None:
        super().__init__()
        self.schedule = schedule if schedule is not None else Schedule.fifo()
        self._exempt: set[asyncio.Future[Any]] = set()

    def exempt(self, task: asyncio.Future[Any]) -> None:
        """Keep ``task``'s handles (and the callbacks that end a ``run_until_complete``
        of it) in their FIFO place: it drives the scenario, it is not part of it."""
        self._exempt.add(task)
        task.add_done_callback(self._exempt.discard)

    def run_driver(self, coro: Coroutine[Any, Any, T]) -> T:
        """``run_until_complete(coro)`` with the task running it exempt (a driver)."""
        task = self.create_task(coro)
        self.exempt(task)
        return self.run_until_complete(task)

    def _movable(self, handle: asyncio.Handle) -> bool:
        """Whether the schedule places ``handle``: not a cancelled one (the loop skips
        it, no choice to spend on it), not a driver's (by identity: callbacks and their
        arguments need not be hashable)."""
        if handle._cancelled:
            return False
        owners = (_owner(handle), *(handle._args or ()))
        return not any(o is task for o in owners for task in self._exempt)

    def _run_once(self) -> None:
        """Order the ready batch, then let asyncio run one iteration as usual (it adds
        due timers and I/O callbacks after the batch: they are not reordered now)."""
        if len(self._ready) > 1 and self.schedule.live:
            self._reorder()
        super()._run_once()  # type: ignore[misc]  # asyncio's private loop step

    def _reorder(self) -> None:
        """Permute the movable handles of this iteration's batch among their slots."""
        batch = list(self._ready)
        slots = [i for i, handle in enumerate(batch) if self._movable(handle)]
        if len(slots) < 2:
            return
        left = [batch[i] for i in slots]
        for slot in slots:
            batch[slot] = left.pop(self.schedule.choose(len(left)) if len(left) > 1 else 0)
        self._ready.clear()
        self._ready.extend(batch)


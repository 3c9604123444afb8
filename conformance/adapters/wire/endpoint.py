"""One side of a wire connection: requests both ways, over JSON lines.

The kit and a Python driver run the same engine; only their stand-ins differ. What it
has to preserve is what the suites observe in process (``specs/wire.md``, "Threads and
event loops"):

- **Re-entrancy.** While a thread waits for the answer to its request it serves the
  requests the peer makes on its behalf (a handler event during ``on_chain_start``, a
  hook calling back into the implementation), in that very thread.
- **Threads.** Every message carries a *strand*: the sender's thread. The receiver runs
  a request of a strand in one thread of its own for that strand: the original thread
  when the strand is its own (the kit's test thread gets the handler events of its
  ``configure().on_chain_start()``), a *mirror* thread otherwise (a driver's executor
  thread has a kit thread of its own, so a sync handler that the async manager sends
  to its executor runs off the kit's loop thread, as it would in process).
- **Event loops.** A request made from a running loop carries that loop's tag; the mirror
  thread runs a loop of its own for it (created when the tag first arrives, retired when
  a request of another tag or none comes), so the implementation runs under a running
  loop exactly when the kit's scenario does. An async request runs as a task on the
  receiver's loop for its strand; a sync one runs in the loop's thread, inside the loop.
- **Cancellation.** Cancelling the task that awaits an async request sends ``cancel``;
  the peer cancels its task and the awaiting side waits for the outcome the peer's code
  chose (an implementation may swallow a cancellation, as it may in process).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import itertools
import json
import queue
import sys
import threading
import traceback
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from conformance.adapters.wire.codec import Codec, Outgoing, WireValueError
from conformance.adapters.wire.contexts import is_waited_on, run_in, waited_on
from conformance.adapters.wire.eager import first_step, first_step_in_task

#: What a waiter gets when the connection is lost.
LOST = "lost"
#: Turns of its loop a driver waits at most for it to have nothing ready (``$settle``).
SETTLE_ROUNDS = 200
#: The peer's request the current code runs for (``via`` of the requests it makes):
#: tasks and executor calls the implementation starts inherit it with the context.
#: Kit side: which of the kit's contexts the current code runs in, as ``(owner, id)``:
#: one per task (a task runs in a copy of its creator's context) and one per thread
#: outside tasks. The driver runs the kit's requests of one context in one context of its
#: own, so what the implementation keeps in context variables lives on from one call to
#: the next, as it does in process (``specs/wire.md``, "Contexts").
_CONTEXT_KEY: contextvars.ContextVar[tuple[int, int]] = contextvars.ContextVar("wire_context")
_SERVING: contextvars.ContextVar[int | None] = contextvars.ContextVar("wire_serving",
                                                                     default=None)


class Abandoned(Exception):
    """A sync wait ended by something else than its answer (``cause``): the peer's time
    limit, or an exception raised into the waiting thread (the kit's alarm)."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


class ConnectionLost(Exception):
    """The peer is gone or broke the protocol; ``reason`` says how."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Strand:
    """A thread of one side, as the wire knows it: its id (the sender's thread, in every
    message), the requests and answers waiting for it, and the loop it runs, if any."""

    id: str
    mirror: bool
    inbox: queue.SimpleQueue[dict[str, Any]] = field(default_factory=queue.SimpleQueue)
    lock: threading.Lock = field(default_factory=threading.Lock)
    waiting: int = 0
    loop: asyncio.AbstractEventLoop | None = None
    answers: dict[int, dict[str, Any]] = field(default_factory=dict)
    mirror_tag: str | None = None  # the peer loop this mirror thread's own loop stands for
    mirror_loop: asyncio.AbstractEventLoop | None = None
    pending: list[dict[str, Any]] = field(default_factory=list)  # deferred to the idle loop
    deferred: list[dict[str, Any]] = field(default_factory=list)  # for after a sync wait


class _AsyncWaiter:
    """The task awaiting an async request: the answer is handed over on its loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, endpoint: Endpoint | None = None) -> None:
        self.loop = loop
        self.endpoint = endpoint
        self.strand: Strand | None = None  # an eager request: its first answer goes here
        self.pending_seen = False
        self.answer: dict[str, Any] | None = None
        self.future: asyncio.Future[None] = loop.create_future()

    def deliver(self, answer: dict[str, Any]) -> None:
        self.answer = answer
        if not self.future.done():
            self.future.set_result(None)
        if answer.get("tasks") and self.endpoint is not None:
            self.endpoint._shadow(self.loop, answer["tasks"], complete=False)


class _StrandEnd:
    """Kept in a thread's ``threading.local``: collected when the thread ends, which
    tells the peer to retire the mirror thread of that strand."""

    def __init__(self, endpoint: Endpoint, strand: str) -> None:
        weakref.finalize(self, endpoint.strand_ended, strand)


class Endpoint:
    """The engine. ``on_output`` receives the peer's ``output`` messages (the driver's
    stdout and stderr, kit side); ``describe`` names a request in messages."""

    def __init__(self, codec: Codec, read: BinaryIO, write: BinaryIO, *,
                 name: str, silence: float | None = None,
                 on_output: Callable[[str, str], None] | None = None,
                 on_lost: Callable[[str], None] | None = None,
                 settle: bool = False, epoch: Callable[[], object] | None = None,
                 log: BinaryIO | None = None, report_tasks: bool = False) -> None:
        self.codec = codec
        self.name = name
        self.silence = silence
        self.on_output = on_output
        self.on_lost = on_lost
        self.on_stuck: Callable[[str, str], None] | None = None  # a cancelled request never ends
        # How long a cancelled request may take to end (the kit: its await limit).
        self.cancel_grace: Callable[[], float] = lambda: self.silence or 60.0
        self._read = read
        self._write = write
        self._ids = itertools.count(1)
        self._pending: dict[int, Strand | _AsyncWaiter] = {}
        # The caller's context of each request in flight: the peer's requests made on
        # its behalf (``via``) run in a copy of it, as handlers do in process (CB-ASYNC-5).
        self._contexts: dict[int, contextvars.Context] = {}
        # Kit side: send the context key with each request; driver side: the contexts
        # that mirror the kit's, by key.
        self.send_contexts = False
        self.serve_unrelated = True  # the kit's waits serve every request (see _wait)
        self._context_ids = itertools.count(1)
        self._mirrored_contexts: dict[int, contextvars.Context] = {}
        self._requests: dict[int, str] = {}  # id -> description, for messages
        self._executing: dict[int, tuple[asyncio.AbstractEventLoop, asyncio.Task[Any],
                                         list[int]]] = {}
        self._strands: dict[str, Strand] = {}
        self._local = threading.local()
        self._loop_tags: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, str] = \
            weakref.WeakKeyDictionary()
        self._own_loops: weakref.WeakValueDictionary[str, asyncio.AbstractEventLoop] = \
            weakref.WeakValueDictionary()
        self._state_lock = threading.Lock()
        self.alive = True
        self.lost_reason: str | None = None
        self.last_request: str | None = None
        self.messages_sent = 0
        self.messages_received = 0
        self._threads: list[threading.Thread] = []
        # Kit side: after this side's loop sent something, the next turn of the loop first
        # waits until the peer's loop for it has nothing left to run (``$settle``).
        self.settle = settle
        self._ticking: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()
        self.settles = 0
        self._shadows: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[int, tuple[asyncio.Task[Any], asyncio.Future[None]]]
        ] = weakref.WeakKeyDictionary()
        self._tasks_done: set[int] = set()
        self._settle_report: list[list[Any]] | None = None
        # Driver side: the tasks reported to the peer, by id (``$settle``, ``task_done``).
        self._task_ids: weakref.WeakKeyDictionary[asyncio.Task[Any], int] = \
            weakref.WeakKeyDictionary()
        self._tasks: weakref.WeakValueDictionary[int, asyncio.Task[Any]] = \
            weakref.WeakValueDictionary()
        self._task_counter = itertools.count(1)
        self.report_tasks = report_tasks  # driver side: answers name the tasks left pending
        self._serving: weakref.WeakSet[asyncio.Task[Any]] = weakref.WeakSet()  # ours, not theirs
        # Kit side: what names the current test; when it changes, the first message of the
        # new test is preceded by ``epoch`` and both sides forget the older objects.
        self._epoch_of = epoch
        self._epoch: object = None
        self.epochs = 0
        self._log = log  # every line both ways, prefixed "> " (sent) or "< " (received)
        self._log_lock = threading.Lock()

    # -- life ----------------------------------------------------------------------------
    def start(self) -> None:
        for target, role in ((self._reader, "reader"),):
            thread = threading.Thread(target=target, name=f"wire-{role}-{self.name}",
                                      daemon=True)
            thread.start()
            self._threads.append(thread)

    def lose(self, reason: str) -> None:
        """End the connection: every waiter gets ``reason``; mirror threads stop."""
        with self._state_lock:
            if not self.alive:
                return
            self.alive = False
            self.lost_reason = reason
            pending = list(self._pending.items())
            strands = list(self._strands.values())
        lost = {"t": LOST, "reason": reason}
        for _, waiter in pending:
            if isinstance(waiter, Strand):
                waiter.inbox.put(lost)
            else:
                with contextlib.suppress(RuntimeError):  # its loop is closed
                    waiter.loop.call_soon_threadsafe(waiter.deliver, lost)
        for strand in strands:
            if strand.mirror:
                strand.inbox.put({"t": "stop"})
                if strand.mirror_loop is not None:
                    with contextlib.suppress(RuntimeError):
                        strand.mirror_loop.call_soon_threadsafe(strand.mirror_loop.stop)
        if self.on_lost is not None:
            self.on_lost(reason)

    # -- sending -------------------------------------------------------------------------
    def send(self, message: dict[str, Any], values: dict[str, Any] | None = None) -> None:
        """Encode ``values`` (field -> Python value) into ``message`` with everything the
        peer must learn first (classes, changed containers, releases), and queue it."""
        if not self.alive:
            raise ConnectionLost(self.lost_reason or "connection closed")
        codec = self.codec
        with codec.lock:
            if self._epoch_of is not None:
                current = self._epoch_of()
                if current is not self._epoch:
                    self._epoch = current
                    self.epochs += 1
                    codec.new_epoch()
                    self._write_line(json.dumps({"t": "epoch", "n": self.epochs}))
            out = Outgoing()
            for key, value in (values or {}).items():
                if key == "args":
                    message[key] = [codec.encode(v, out) for v in value]
                elif key == "kwargs":
                    message[key] = {k: codec.encode(v, out) for k, v in value.items()}
                else:
                    message[key] = codec.encode(value, out)
            codec.outgoing(out)
            if out.classes:
                message["classes"] = out.classes
            if out.sync:
                message["sync"] = out.sync
            if out.release:
                message["release"] = out.release
            reason = self._write_line(json.dumps(message, separators=(",", ":"),
                                                 allow_nan=False))
        if reason:
            self.lose(reason)
            raise ConnectionLost(reason)
        if self.settle and message.get("method") != "$settle":
            loop = _running_loop()
            if loop is not None and loop not in self._ticking and \
                    self._loop_tags.get(loop) in self._own_loops:
                self._ticking.add(loop)
                loop.call_soon(self._tick, loop)

    def _write_line(self, line: str) -> str:
        """Write one message (under the codec lock: in order). Written here, not by a
        thread of its own, which would add a hand-over to every message; pipes are
        enlarged (``enlarge_pipe``) so that a write does not wait for the peer's reader
        in practice. Returns why writing failed, or ``""``."""
        data = line.encode("utf-8") + b"\n"
        try:
            self._write.write(data)
            self._write.flush()
        except (OSError, ValueError) as exc:
            return f"writing to it failed: {exc}"
        self.messages_sent += 1
        if self._log is not None:
            with self._log_lock:
                self._log.write(b"> " + data)
        return ""

    def _tick(self, loop: asyncio.AbstractEventLoop) -> None:
        """One turn of this side's loop after it sent something: wait (serving the peer's
        requests meanwhile) until the peer's loop has run everything it can.

        Without it, the two loops would run freely side by side, and a scenario that lets
        its loop run a few turns (``aio.settle()``) before it looks would look before the
        implementation, in its own process, has done what it does in those turns in
        process. With it, each turn of the kit's loop that follows a message to the
        driver includes the driver's consequences of that message.
        """
        self._ticking.discard(loop)
        if not self.alive:
            return
        self.settles += 1
        try:
            self.request(None, "$settle", what="settle")
        except BaseException:  # noqa: BLE001 - a failed settle only means no waiting
            return
        report = self._settle_report
        self._settle_report = None
        self._shadow(loop, report or [], complete=True)

    # -- the peer's tasks, seen on this side's loop ----------------------------------------
    def _shadow(self, loop: asyncio.AbstractEventLoop, report: list[list[Any]],
                complete: bool) -> None:
        """Keep one *shadow* task on ``loop`` for each task the peer's loop has pending
        (``report``: ``(id, name, coroutine name)`` each, from ``$settle``), named like it,
        so that what the kit checks of its loop's tasks (a leaked task, CB-ASYNC-4,
        RS-PUMP-2, RS-ABORT-6) sees the implementation's tasks as in process. A shadow
        ends when its task does (``task_done``); cancelling a shadow cancels its task.

        ``report`` comes with an answer (the tasks pending when the implementation
        returned: the caller sees them pending, as it would in process, though the peer
        may have finished some since; those end one turn later) or with a settle
        (``complete``: every pending task, so a shadow it does not name has ended)."""
        shadows = self._shadows.setdefault(loop, {})
        reported = set()
        for tid, name, coroutine in report:
            reported.add(tid)
            if tid in shadows or complete and tid in self._tasks_done:
                continue
            done = loop.create_future()
            task = loop.create_task(self._shadow_coroutine(coroutine, tid, done), name=name)
            shadows[tid] = (task, done)
            if tid in self._tasks_done:
                loop.call_soon(loop.call_soon, self._end_shadow, loop, tid)
        if complete:
            for tid in list(shadows):
                if tid not in reported:
                    self._end_shadow(loop, tid)

    def _shadow_coroutine(self, qualname: str, tid: int,
                          done: asyncio.Future[None]) -> Any:
        async def shadow() -> None:
            try:
                await done
            except asyncio.CancelledError:
                if not done.done() and self.alive:
                    with contextlib.suppress(ConnectionLost):
                        self.send({"t": "cancel", "task": tid})
                raise

        shadow.__qualname__ = qualname
        shadow.__name__ = qualname.rpartition(".")[2]
        return shadow()

    def _end_shadow(self, loop: asyncio.AbstractEventLoop, tid: int) -> None:
        entry = self._shadows.get(loop, {}).pop(tid, None)
        if entry is not None and not entry[1].done():
            entry[1].set_result(None)

    def _task_done(self, tid: int) -> None:
        self._tasks_done.add(tid)
        for loop, shadows in list(self._shadows.items()):
            if tid in shadows:
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(self._end_shadow, loop, tid)

    # -- strands and loops ---------------------------------------------------------------
    def strand(self) -> Strand:
        """The strand of the calling thread (created for a thread of this side)."""
        strand = getattr(self._local, "strand", None)
        if strand is None:
            strand = Strand(self.codec.new_id("s"), mirror=False)
            with self._state_lock:
                self._strands[strand.id] = strand
            self._local.strand = strand
            self._local.end = _StrandEnd(self, strand.id)
        return strand

    def loop_tag(self, loop: asyncio.AbstractEventLoop | None) -> str | None:
        if loop is None:
            return None
        tag = self._loop_tags.get(loop)
        if tag is None:
            tag = self.codec.new_id("L")
            self._loop_tags[loop] = tag
            self._own_loops[tag] = loop
        return tag

    def strand_ended(self, strand: str) -> None:
        with self._state_lock:
            self._strands.pop(strand, None)
        if self.alive:
            with contextlib.suppress(ConnectionLost):
                self.send({"t": "strand_end", "strand": strand})

    # -- requests ------------------------------------------------------------------------
    def request(self, target: Any, method: str, args: tuple[Any, ...] = (),
                kwargs: dict[str, Any] | None = None, *, what: str = "") -> Any:
        """A sync request: block this thread (serving the peer's requests for it) until
        the answer comes; return its value or raise its error."""
        strand = self.strand()
        loop = _running_loop()
        req = next(self._ids)
        description = what or method
        with strand.lock:
            strand.waiting += 1
            strand.loop = loop
        self._pending[req] = strand
        self._requests[req] = description
        self._contexts[req] = contextvars.copy_context()
        if method != "$settle":
            self.last_request = f"#{req} {description}"
        try:
            message = {"t": "call", "id": req, "strand": strand.id, "via": _SERVING.get(),
                       "loop": self.loop_tag(loop), "async": False, "method": method}
            if self.send_contexts and method != "$settle":
                message["context"] = self._context_key()
            self.send(message,
                      {"target": target, "args": args, "kwargs": kwargs or {}})
            try:
                answer = self._wait(strand, req)
            except BaseException as exc:  # noqa: BLE001 - the caller decides what it means
                raise Abandoned(exc) from exc
        finally:
            self._pending.pop(req, None)
            self._requests.pop(req, None)
            self._contexts.pop(req, None)
            self._left(strand)
        return self._outcome(answer, req, description)

    async def arequest(self, target: Any, method: str, args: tuple[Any, ...] = (),
                       kwargs: dict[str, Any] | None = None, *, what: str = "",
                       eager: bool = True) -> Any:
        """An async request, awaited as an in-process ``await`` would be: the peer runs
        the coroutine's first step while this thread waits (``eager``, serving the
        peer's requests meanwhile), so a coroutine that does not suspend is done before
        the caller goes on; only if it suspended (``pending``) does the caller await the
        rest on its loop, which keeps serving the peer's requests for this strand."""
        loop = asyncio.get_running_loop()
        strand = self.strand()
        strand.loop = loop
        req = next(self._ids)
        description = what or method
        waiter = _AsyncWaiter(loop, self)
        if eager and not self.serve_unrelated and not is_waited_on():
            eager = False  # driver code the kit does not wait for (see ``waited_on``)
        if eager:
            waiter.strand = strand
        self._pending[req] = waiter
        self._requests[req] = description
        self._contexts[req] = contextvars.copy_context()
        self.last_request = f"#{req} {description}"
        cancels = 0
        message: dict[str, Any] = {"t": "call", "id": req, "strand": strand.id,
                                   "via": _SERVING.get(), "loop": self.loop_tag(loop),
                                   "async": True, "method": method}
        if eager:
            message["eager"] = True
        if self.send_contexts:
            message["context"] = self._context_key()
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            message["cancelling"] = task.cancelling()  # what the implementation may look at
        try:
            if eager:
                with strand.lock:
                    strand.waiting += 1
                try:
                    self.send(message, {"target": target, "args": args,
                                        "kwargs": kwargs or {}})
                    try:
                        first = self._wait(strand, req)
                    except BaseException as exc:  # noqa: BLE001 - the caller decides
                        raise Abandoned(exc) from exc
                finally:
                    self._left(strand)
                if not first.get("pending"):
                    waiter.answer = first
                    if first.get("tasks"):
                        self._shadow(loop, first["tasks"], complete=False)
            else:
                self.send(message, {"target": target, "args": args, "kwargs": kwargs or {}})
            while waiter.answer is None:
                try:
                    if cancels:
                        await asyncio.wait_for(asyncio.shield(waiter.future),
                                               self.cancel_grace())
                    else:
                        await waiter.future
                except asyncio.CancelledError:
                    if waiter.answer is not None or not self.alive:
                        raise
                    cancels += 1
                    self.send({"t": "cancel", "re": req})
                    waiter.future = loop.create_future()
                except TimeoutError:
                    reason = (f"it did not end #{req} ({description}) within "
                              f"{self.cancel_grace():g}s of its cancellation")
                    if self.on_stuck is not None:
                        self.on_stuck(f"#{req} {description}", reason)  # raises a verdict
                    raise asyncio.CancelledError(reason) from None
        finally:
            self._pending.pop(req, None)
            self._requests.pop(req, None)
            self._contexts.pop(req, None)
        answer = waiter.answer
        if cancels and answer.get("t") in ("result", "error") and not answer.get("cancelled"):
            raise asyncio.CancelledError()  # it finished before the cancellation reached it
        return self._outcome(answer, req, description)

    def _outcome(self, answer: dict[str, Any], req: int, description: str) -> Any:
        kind = answer.get("t")
        if kind == "result":
            return answer.get("value")
        if kind == "error":
            raise answer["error"]
        if kind == LOST:
            raise ConnectionLost(answer["reason"])
        raise ConnectionLost(f"unexpected answer to #{req} ({description}): {kind}")

    def _wait(self, strand: Strand, req: int) -> dict[str, Any]:
        """Wait for the answer to ``req``, serving meanwhile the peer's requests made on
        its behalf (``via`` is ``req``: a handler event of the call, a pull of its
        source). The driver leaves other requests for after the wait (``deferred``): in
        process nothing else runs in this thread before the call returns or suspends, and
        an implementation's eager first step relies on it (two pulls at once otherwise).
        The kit serves every request at once: it is the side that must never wait for a
        driver that waits for it."""
        while True:
            answer = strand.answers.pop(req, None)
            if answer is not None:
                return answer
            if strand.deferred and self.serve_unrelated:
                self._serve_here(strand, strand.deferred.pop(0))
                continue
            ready = next((i for i, item in enumerate(strand.deferred)
                          if item.get("via") == req), None)
            if ready is not None:
                self._serve_here(strand, strand.deferred.pop(ready))
                continue
            try:
                item = strand.inbox.get(timeout=self.silence)
            except queue.Empty:
                raise TimeoutError(f"no message for {self.silence:g}s") from None
            kind = item.get("t")
            if kind in ("result", "error"):
                if item["re"] == req:
                    return item
                strand.answers[item["re"]] = item
            elif kind == LOST:
                return item
            elif kind == "call":
                if self.serve_unrelated or item.get("via") == req:
                    self._serve_here(strand, item)
                else:
                    strand.deferred.append(item)
            elif kind == "stop":
                strand.pending.append(item)

    def _left(self, strand: Strand) -> None:
        """A sync wait ended: what is left in the inbox goes to the strand's loop, or is
        answered as stale when nothing of this thread will serve it any more."""
        with strand.lock:
            strand.waiting -= 1
            if strand.waiting:
                return
            leftovers = list(strand.deferred)
            strand.deferred.clear()
            while True:
                try:
                    leftovers.append(strand.inbox.get_nowait())
                except queue.Empty:
                    break
            if strand.mirror:
                for item in leftovers:  # back, in order, for the mirror thread or its loop
                    strand.inbox.put(item)
                loop = strand.loop
        if strand.mirror:
            if leftovers and loop is not None and loop.is_running():
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(self._drain, strand)
            return
        for item in leftovers:
            self._route(strand, item)

    # -- receiving -----------------------------------------------------------------------
    def _reader(self) -> None:
        try:
            for raw in self._read:
                if not raw.strip():
                    continue
                if self._log is not None:
                    with self._log_lock:
                        self._log.write(b"< " + raw if raw.endswith(b"\n") else b"< " + raw + b"\n")
                try:
                    message = json.loads(raw)
                    if not isinstance(message, dict) or not isinstance(message.get("t"), str):
                        raise ValueError("not a message object with a type")
                except (ValueError, UnicodeDecodeError) as exc:
                    self.lose(f"it wrote a line that is not a protocol message "
                              f"({exc}): {raw[:200]!r}")
                    return
                self.messages_received += 1
                try:
                    self._dispatch(message)
                except (WireValueError, KeyError, TypeError) as exc:
                    self.lose(f"it sent a malformed {message.get('t')!r} message "
                              f"({type(exc).__name__}: {exc}): {raw[:300]!r}")
                    return
        except (OSError, ValueError) as exc:
            self.lose(f"reading from it failed: {exc}")
            return
        self.lose("it closed the connection")

    def _dispatch(self, message: dict[str, Any]) -> None:
        codec = self.codec
        if "classes" in message:
            codec.learn_classes(message["classes"])
        if "sync" in message:
            codec.apply_sync(message["sync"])
        if "release" in message:
            codec.apply_release(message["release"])
        kind = message["t"]
        if kind in ("result", "error"):
            req = message["re"]
            if kind == "result":
                message["value"] = codec.decode(message.get("value"))
            else:
                error = codec.decode(message["error"])
                if not isinstance(error, BaseException):
                    raise WireValueError(f"error of #{req} is no exception: {error!r}")
                if message.get("traceback") and not codec.is_own(message["error"]["$exc"]):
                    error.__wire_traceback__ = message["traceback"]  # type: ignore[attr-defined]
                message["error"] = error
            waiter = self._pending.get(req)
            if isinstance(waiter, _AsyncWaiter) and waiter.strand is not None \
                    and not waiter.pending_seen:
                # an eager request: its first answer (final, or "pending") ends the wait
                waiter.pending_seen = bool(message.get("pending"))
                waiter.strand.inbox.put(message)
            elif isinstance(waiter, Strand):
                if "tasks" in message:
                    self._settle_report = message["tasks"]
                waiter.inbox.put(message)
            elif waiter is not None:
                with contextlib.suppress(RuntimeError):
                    waiter.loop.call_soon_threadsafe(waiter.deliver, message)
        elif kind == "call":
            try:
                message["target"] = codec.decode(message["target"])
                message["args"] = [codec.decode(a) for a in message.get("args", [])]
                message["kwargs"] = {k: codec.decode(v)
                                     for k, v in message.get("kwargs", {}).items()}
            except WireValueError as exc:
                self._answer(message, error=exc)
                return
            self._deliver(message)
        elif kind == "cancel" and "task" in message:
            task = self._tasks.get(message["task"])
            if task is not None and not task.done():
                with contextlib.suppress(RuntimeError):
                    task.get_loop().call_soon_threadsafe(task.cancel)
        elif kind == "task_done":
            self._task_done(message["task"])
        elif kind == "cancel":
            running = self._executing.get(message["re"])
            if running is not None:
                loop, task, count = running
                count[0] += 1
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(task.cancel)
        elif kind == "output":
            if self.on_output is not None:
                self.on_output(message.get("stream", "stdout"), message.get("text", ""))
        elif kind == "strand_end":
            with self._state_lock:
                strand = self._strands.pop(message["strand"], None)
            if strand is not None and strand.mirror:
                strand.inbox.put({"t": "stop"})
                if strand.mirror_loop is not None:
                    with contextlib.suppress(RuntimeError):
                        strand.mirror_loop.call_soon_threadsafe(self._drain, strand)
        elif kind == "epoch":
            codec.new_epoch()
            self._mirrored_contexts.clear()
        elif kind == "bye":
            self.lose("it said bye")
        else:
            raise WireValueError(f"unknown message type {kind!r}")

    def _deliver(self, message: dict[str, Any]) -> None:
        """Hand a decoded request to the thread of its strand."""
        sid = message.get("strand") or ""
        with self._state_lock:
            strand = self._strands.get(sid)
            if strand is None:
                if self.codec.is_own(sid):
                    strand = None
                else:
                    strand = Strand(sid, mirror=True)
                    self._strands[sid] = strand
                    thread = threading.Thread(target=self._mirror, args=(strand,),
                                              name=f"wire-mirror-{sid}", daemon=True)
                    thread.start()
        if strand is None:
            self._answer(message, error=RuntimeError(
                f"{self.name}: thread {sid} has ended; nothing can serve this request"))
            return
        self._route(strand, message)

    def _route(self, strand: Strand, message: dict[str, Any]) -> None:
        with strand.lock:
            if strand.mirror or strand.waiting:
                strand.inbox.put(message)
                loop = strand.loop if strand.mirror and not strand.waiting else None
            else:
                loop = strand.loop
                if loop is None or not loop.is_running() or not self._current_loop_request(
                        message, loop):
                    loop = None
                    stale = True
                else:
                    strand.inbox.put(message)
                    stale = False
                if stale:
                    self._answer(message, error=RuntimeError(
                        f"{self.name}: the request came after the code it belongs to "
                        f"returned (thread {strand.id} no longer waits for it)"))
                    return
        if loop is not None and loop.is_running():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._drain, strand)

    def _current_loop_request(self, message: dict[str, Any],
                              loop: asyncio.AbstractEventLoop) -> bool:
        """A request for an own thread that is not waiting belongs to the loop it runs."""
        tag = message.get("loop")
        return tag is not None and self._own_loops.get(tag) is loop

    # -- serving -------------------------------------------------------------------------
    def _serve_here(self, strand: Strand, message: dict[str, Any]) -> None:
        """Serve a request in this thread while it waits for an answer."""
        loop = _running_loop()
        if not message.get("async"):
            self._run_sync(message, here=True)
        elif loop is not None:
            self._start_task(loop, message)
        else:  # the peer runs a loop of its own inside our request: so do we, here
            self._run_in_new_loop(message)

    def _drain(self, strand: Strand) -> None:
        """On a strand's loop: serve what its inbox holds (what a mirror thread deferred
        first, in order)."""
        loop = asyncio.get_running_loop()
        while True:
            if strand.pending and strand.mirror_loop is loop:
                message = strand.pending.pop(0)
            else:
                try:
                    message = strand.inbox.get_nowait()
                except queue.Empty:
                    return
            kind = message.get("t")
            if kind == "stop" or (strand.mirror_loop is loop and kind == "call"
                                  and message.get("loop") != strand.mirror_tag):
                strand.pending.insert(0, message)  # for the mirror thread, once its loop stops
                loop.stop()
                return
            if kind in ("result", "error"):
                strand.answers[message["re"]] = message
            elif kind == "call":
                if message.get("async"):
                    self._start_task(loop, message)
                else:
                    self._run_sync(message)

    def _mirror(self, strand: Strand) -> None:
        """A thread standing for a peer thread: serves its requests, and runs a loop of
        its own while the peer's thread runs one.

        The loop mirrors the peer's loop *by tag*: it runs while requests of that tag come
        (the peer's loop runs), is paused, not ended, when a request comes from outside any
        loop (the peer steps its loop by hand between turns, as the state machines do: its
        loop and what runs on it live on), and is retired when a request of another loop
        comes (the peer's loop was closed), as ``asyncio.run`` would end it.
        """
        self._local.strand = strand
        paused: tuple[str | None, asyncio.AbstractEventLoop] | None = None
        try:
            while self.alive:
                message = strand.pending.pop(0) if strand.pending else strand.inbox.get()
                kind = message.get("t")
                if kind == "stop":
                    return
                if kind != "call":
                    continue
                tag = message.get("loop")
                if tag is None and not message.get("async"):
                    self._run_sync(message)
                    continue
                if paused is not None and paused[0] != tag:
                    _retire(paused[1])
                    paused = None
                loop = paused[1] if paused is not None else self._new_mirror_loop(tag)
                self._run_mirror_loop(strand, tag, loop, message)
                paused = (tag, loop)
        finally:
            if paused is not None:
                _retire(paused[1])

    def _new_mirror_loop(self, tag: str | None) -> asyncio.AbstractEventLoop:
        loop = asyncio.new_event_loop()
        if tag is not None:
            self._loop_tags[loop] = tag  # requests made on it carry the peer's own tag
        return loop

    def _run_mirror_loop(self, strand: Strand, tag: str | None,
                         loop: asyncio.AbstractEventLoop, first: dict[str, Any]) -> None:
        asyncio.set_event_loop(loop)
        with strand.lock:
            strand.mirror_tag, strand.mirror_loop, strand.loop = tag, loop, loop
        loop.call_soon(self._serve_on_loop, strand, first)
        try:
            while True:
                try:
                    loop.run_forever()
                    break
                except BaseException:  # noqa: BLE001 - see below
                    # A task of the implementation let a KeyboardInterrupt or SystemExit
                    # through, and asyncio re-raises those out of the loop. The request
                    # that awaited that task gets it as its answer (the kit's own loop then
                    # raises it as it would in process); this thread and its loop go on.
                    continue
        finally:
            with strand.lock:
                strand.mirror_tag = strand.mirror_loop = strand.loop = None
            asyncio.set_event_loop(None)

    def _serve_on_loop(self, strand: Strand, message: dict[str, Any]) -> None:
        if message.get("async"):
            self._start_task(asyncio.get_running_loop(), message)
        else:
            self._run_sync(message)
        self._drain(strand)

    def _run_in_new_loop(self, message: dict[str, Any]) -> None:
        async def main() -> None:
            task = asyncio.current_task()
            if task is not None:
                self._serving.add(task)
            await self._run_async(message)

        self._context_for(message).run(asyncio.run, main())

    def _context_key(self) -> list[int]:
        """``[id, parent id or 0]`` of the caller's context (see ``_CONTEXT_KEY``)."""
        task = asyncio.current_task() if _running_loop() is not None else None
        owner = id(task) if task is not None else -threading.get_ident()
        value = _CONTEXT_KEY.get(None)
        if value is not None and value[0] == owner:
            return [value[1], 0]
        key = next(self._context_ids)
        _CONTEXT_KEY.set((owner, key))
        return [key, value[1] if value is not None else 0]

    def _mirrored(self, message: dict[str, Any]) -> contextvars.Context | None:
        """Driver side: the context standing for the kit's context of ``message`` (a copy
        of its parent's, the first time), or ``None`` for a request that names none."""
        key = message.get("context")
        if not key:
            return None
        context = self._mirrored_contexts.get(key[0])
        if context is None:
            parent = self._mirrored_contexts.get(key[1]) if key[1] else None
            context = parent.copy() if parent is not None else contextvars.Context()
            self._mirrored_contexts[key[0]] = context
        return context

    def _context_for(self, message: dict[str, Any]) -> contextvars.Context:
        """A copy of the context of the request ``message`` is made for (``via``), or of
        the current one."""
        mirrored = self._mirrored(message)
        if mirrored is not None:
            return mirrored
        caller = self._contexts.get(message.get("via"))  # type: ignore[arg-type]
        return caller.copy() if caller is not None else contextvars.copy_context()

    def _start_task(self, loop: asyncio.AbstractEventLoop, message: dict[str, Any]) -> None:
        if message.get("eager"):
            self._start_eager(loop, message)
            return
        cancelling = message.get("cancelling")
        if not cancelling:
            self._serving.add(loop.create_task(self._run_async(message),
                                               context=self._context_for(message)))
            return
        # The caller's task was being cancelled (``Task.cancelling()``), and an
        # implementation may look at that: the task serving its request is too. Only the
        # Python Task lets its count be set.
        task = asyncio.tasks._PyTask(self._run_async(message), loop=loop,  # type: ignore[attr-defined]
                                     context=self._context_for(message))
        task._num_cancels_requested = cancelling
        self._serving.add(task)

    def _settled(self, loop: asyncio.AbstractEventLoop, message: dict[str, Any],
                 rounds: int) -> None:
        """Answer a ``$settle`` once the loop has nothing else ready (at most
        SETTLE_ROUNDS turns: a loop that always has something ready is no reason to hang)."""
        ready = getattr(loop, "_ready", ())
        if len(ready) and rounds < SETTLE_ROUNDS:
            loop.call_soon(self._settled, loop, message, rounds + 1)
        else:
            self._answer(message, tasks=self._pending_tasks(loop))

    def _pending_tasks(self, loop: asyncio.AbstractEventLoop) -> list[list[Any]]:
        """The implementation's tasks pending on ``loop`` (not those serving the peer's
        requests), each ``(id, name, coroutine name)``; each reported task tells the peer
        when it is done (``task_done``)."""
        if not self.report_tasks:
            return []
        report = []
        for task in asyncio.all_tasks(loop):
            if task.done() or task in self._serving:
                continue
            tid = self._task_ids.get(task)
            if tid is None:
                tid = next(self._task_counter)
                self._task_ids[task] = tid
                self._tasks[tid] = task
                task.add_done_callback(self._report_done)
            coroutine = task.get_coro()
            report.append([tid, task.get_name(),
                           getattr(coroutine, "__qualname__", type(coroutine).__name__)])
        return report

    def _report_done(self, task: asyncio.Task[Any]) -> None:
        tid = self._task_ids.get(task)
        if tid is not None and self.alive:
            with contextlib.suppress(ConnectionLost):
                self.send({"t": "task_done", "task": tid})

    def _start_eager(self, loop: asyncio.AbstractEventLoop, message: dict[str, Any]) -> None:
        """Serve an eager request: its first step now, in this thread; the rest, if it
        suspends, in a task, once the peer has been told ``pending``."""
        count = [0]
        cancelling = message.get("cancelling")

        def make_task(rest: Any, context: contextvars.Context) -> asyncio.Task[Any]:
            if cancelling:
                task = asyncio.tasks._PyTask(rest, loop=loop, context=context)  # type: ignore[attr-defined]
                task._num_cancels_requested = cancelling
            else:
                task = loop.create_task(rest, context=context)
            self._serving.add(task)
            self._executing[message["id"]] = (loop, task, count)
            return task

        run = first_step_in_task if self.report_tasks else first_step
        try:
            task = run(self._run_async(message, count), self._context_for(message),
                       loop, make_task)
        except BaseException as exc:  # noqa: BLE001 - _run_async answers what it can
            self._answer(message, error=exc)
            return
        if task is not None:
            self._answer(message, pending=True,
                         tasks=self._pending_tasks(loop) if self.report_tasks else None)

    def _perform(self, message: dict[str, Any]) -> Any:
        target, method = message["target"], message["method"]
        args, kwargs = message.get("args", []), message.get("kwargs", {})
        if method == "$call":
            return target(*args, **kwargs)
        if method == "$get":
            return getattr(target, args[0])
        if method == "$set":
            setattr(target, args[0], args[1])
            return None
        if method == "$await":
            return target
        return getattr(target, method)(*args, **kwargs)

    def _run_sync(self, message: dict[str, Any], here: bool = False) -> None:
        """Serve a sync request: in the current context when this thread waits for the
        request it is made for (``here``), else in a copy of that request's context."""
        mirrored = self._mirrored(message)
        if here and mirrored is None:
            self._serve_sync(message)
        else:
            run_in(mirrored or self._context_for(message), self._serve_sync, message)

    def _serve_sync(self, message: dict[str, Any]) -> None:
        if message.get("method") != "$settle":
            with waited_on():
                self._serve_sync_request(message)
            return
        self._serve_sync_request(message)

    def _serve_sync_request(self, message: dict[str, Any]) -> None:
        if message.get("method") == "$settle":
            loop = _running_loop()
            if loop is None:
                self._answer(message)
            else:
                loop.call_soon(self._settled, loop, message, 0)
            return
        token = _SERVING.set(message.get("id"))
        try:
            value = self._perform(message)
        except BaseException as exc:  # noqa: BLE001 - every outcome goes back to the peer
            self._answer(message, error=exc)
        else:
            self._answer(message, value=value)
        finally:
            _SERVING.reset(token)

    async def _run_async(self, message: dict[str, Any], count: list[int] | None = None) -> None:
        _SERVING.set(message.get("id"))
        task = asyncio.current_task()
        if count is None:
            count = [0]
            if task is not None:
                self._executing[message["id"]] = (asyncio.get_running_loop(), task, count)
        try:
            value = self._perform(message)
            if message.get("async") or message["method"] == "$await":
                if hasattr(value, "__await__"):
                    value = await value
        except BaseException as exc:  # noqa: BLE001 - every outcome goes back to the peer
            self._answer(message, error=exc, cancelled=count[0],
                         tasks=self._pending_tasks(asyncio.get_running_loop()))
        else:
            self._answer(message, value=value, cancelled=count[0],
                         tasks=self._pending_tasks(asyncio.get_running_loop()))
        # (an eager request that finished in its first step has no task to forget)
        finally:
            self._executing.pop(message["id"], None)

    def _answer(self, message: dict[str, Any], *, value: Any = None,
                error: BaseException | None = None, cancelled: int = 0,
                tasks: list[list[Any]] | None = None, pending: bool = False) -> None:
        if "id" not in message or not self.alive:
            return
        try:
            if error is None:
                answer: dict[str, Any] = {"t": "result", "re": message["id"]}
                if pending:
                    answer["pending"] = True
                if cancelled:
                    answer["cancelled"] = cancelled
                if tasks:
                    answer["tasks"] = tasks
                self.send(answer, {"value": value})
            else:
                text = "".join(traceback.format_exception(error)) if \
                    self.codec.peer_wid(error) is None else None
                answer = {"t": "error", "re": message["id"]}
                if cancelled:
                    answer["cancelled"] = cancelled
                if tasks:
                    answer["tasks"] = tasks
                if text:
                    answer["traceback"] = text[-4000:]
                self.send(answer, {"error": error})
        except ConnectionLost:
            pass
        except (TypeError, ValueError) as exc:  # the value cannot be encoded: say so
            with contextlib.suppress(ConnectionLost):
                self.send({"t": "error", "re": message["id"]},
                          {"error": WireValueError(f"the answer cannot be sent: {exc}")})


def enlarge_pipe(stream: Any, size: int = 1 << 20) -> None:
    """Give a pipe a buffer of ``size`` bytes where the system allows it (Linux), so
    that writing a message practically never waits for the peer's reader."""
    try:
        import fcntl

        fcntl.fcntl(stream.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), size)
    except (ImportError, OSError, ValueError, AttributeError):
        pass


def _running_loop() -> asyncio.AbstractEventLoop | None:
    return asyncio._get_running_loop()


def _retire(loop: asyncio.AbstractEventLoop) -> None:
    """End a mirror loop as ``asyncio.run`` ends its own: cancel what is left, let it
    unwind (briefly: a task that ignores its cancellation is abandoned), close."""
    try:
        tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            loop.run_until_complete(asyncio.wait(tasks, timeout=1.0))
        loop.run_until_complete(loop.shutdown_asyncgens())
    except BaseException:  # noqa: BLE001 - retiring must not kill the mirror thread
        pass
    finally:
        executor = getattr(loop, "_default_executor", None)
        if executor is not None:
            executor.shutdown(wait=False)
            loop._default_executor = None  # type: ignore[attr-defined]
        loop.close()


def log(*parts: Any) -> None:  # pragma: no cover - debugging aid
    print(*parts, file=sys.stderr, flush=True)

"""Supervising a driver process: start, hello, requests under time limits, restart.

One :class:`WireDriver` per ``--impl`` spelling. Each life of its process is a
:class:`Generation` (a connection with its own object tables). When a process dies,
writes something that is not the protocol, or does not answer in time, the request in
flight fails with one :class:`~conformance.checks.ImplementationLost` (or, for a hang,
an :class:`~conformance.checks.ImplementationTimeout`) that names the driver, the
request and what happened, with the end of the driver's stderr; the next request starts
a new process, so the certification goes on. Objects of a dead generation raise the same
error when used (the test that held them has failed already).
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from conformance import aio, checks
from conformance.adapters.wire.codec import Codec, Json, describe_class, qualified_name
from conformance.adapters.wire.endpoint import (
    Abandoned,
    ConnectionLost,
    Endpoint,
    enlarge_pipe,
)
from conformance.adapters.wire.protocol import PROTOCOL, HelloError, RootRef
from conformance.adapters.wire.proxies import (
    RemoteObject,
    WireHandler,
    build_proxy_class,
    callable_proxy_class,
    handler_description,
    handler_state,
)
from conformance.checks import ImplementationLost, ImplementationTimeout

#: Seconds a driver may take to say hello.
HELLO_TIMEOUT = 60.0
#: Restarts after which a driver that keeps failing is given up (every request fails at once).
MAX_RESTARTS = 100
#: Lines of a driver's stderr kept for error messages.
STDERR_LINES = 40


@dataclass
class Hello:
    """What a driver says about itself (``specs/wire.md``, "Hello")."""

    protocol: str
    name: str
    version: str
    description: str
    capabilities: list[str]
    deviations: dict[str, Any]
    supported: str
    roots: dict[str, Json]
    handler_flags: dict[str, Any]
    raw: dict[str, Any] = field(repr=False, default_factory=dict)


class KitStandIns:
    """The kit's side of a generation's codec: proxies for driver objects, descriptions
    and state for the kit's handlers."""

    def __init__(self, driver: WireDriver, generation: Generation) -> None:
        self.driver = driver
        self.generation = generation
        self.class_ids: dict[int, str] = {}

    def instance(self, wid: str, cls: Any, extra: dict[str, Any]) -> Any:
        kind = extra.get("call")
        if kind is not None:
            cls = self.driver.callable_class(cls, kind)
        obj = object.__new__(cls)
        object.__setattr__(obj, "_wire_gen", self.generation)
        object.__setattr__(obj, "_wire_id", wid)
        return obj

    def klass(self, cid: str, description: dict[str, Any]) -> Any:
        cls = self.driver.proxy_class(description, self.generation)
        self.class_ids[id(cls)] = cid
        return cls

    def update(self, stand_in: Any, state: dict[str, Any]) -> None:
        pass  # driver objects carry no state: their attributes are read when needed

    def own_class(self, cls: type) -> dict[str, Any] | None:
        if issubclass(cls, WireHandler) and cls._wire_root:
            return handler_description(cls)
        return None

    def own_state(self, obj: Any) -> Json | None:
        if isinstance(obj, WireHandler) and not isinstance(obj, RemoteObject):
            return handler_state(obj)
        return None

    def special(self, obj: Any) -> Json | None:
        if isinstance(obj, RootRef):
            return {"$root": obj.name}
        if isinstance(obj, type):
            cid = self.class_ids.get(id(obj))
            if cid is not None:
                return {"$class": cid}
            if issubclass(obj, RemoteObject):
                raise ImplementationLost(
                    f"{obj.__qualname__} is a class of an earlier process of driver "
                    f"{self.driver.label}; this one has not described it")
            root = self.driver.root_name_of(obj)
            if root is not None:
                return {"$root": root}
        return None


class Generation:
    """One life of a driver process: its connection and its object tables."""

    def __init__(self, driver: WireDriver, number: int, process: subprocess.Popen[bytes],
                 stderr: collections.deque[str],
                 stderr_reader: threading.Thread | None = None) -> None:
        self.driver = driver
        self.number = number
        self.process = process
        self.stderr = stderr
        self.stderr_reader = stderr_reader  # fills ``stderr`` until EOF
        self.stand_ins = KitStandIns(driver, self)
        self.codec = Codec("k", self.stand_ins)
        self.endpoint = Endpoint(self.codec, process.stdout, process.stdin,  # type: ignore[arg-type]
                                 name=driver.label, silence=driver.silence,
                                 on_output=driver.output, on_lost=self._lost,
                                 settle=driver.settle, epoch=_current_test,
                                 log=driver.traffic_log())
        self.lost: str | None = None
        self.calls = 0
        self.endpoint.on_stuck = self._stuck
        self.endpoint.send_contexts = True
        self.endpoint.cancel_grace = lambda: aio.AWAIT_TIMEOUT

    def _lost(self, reason: str) -> None:
        self.lost = reason

    # -- requests ------------------------------------------------------------------------
    def request(self, target: Any, method: str, args: tuple[Any, ...],
                kwargs: dict[str, Any], what: str) -> Any:
        self._check_alive(what)
        self.calls += 1
        try:
            return self.endpoint.request(target, method, args, kwargs, what=what)
        except ConnectionLost as exc:
            raise self.lost_error(what, exc.reason) from None
        except Abandoned as abandoned:
            self._abandoned(what, abandoned.cause)

    def _abandoned(self, what: str, cause: BaseException) -> NoReturn:
        """A wait for the driver that ended by something else than its answer."""
        if isinstance(cause, TimeoutError):
            reason = (f"it sent nothing for {self.driver.silence:g}s while serving "
                      f"{self.endpoint.last_request} (it hangs; the driver is restarted)")
            self.kill(reason)
            raise ImplementationTimeout(self.describe(what, reason)) from None
        if isinstance(cause, ConnectionLost):
            raise self.lost_error(what, cause.reason) from None
        self.kill(f"the kit abandoned {self.endpoint.last_request} ({type(cause).__name__})")
        if isinstance(cause, ImplementationTimeout):
            raise ImplementationTimeout(
                f"{cause} (driver {self.driver.label} was serving "
                f"{self.endpoint.last_request}; the driver is restarted)") from cause
        raise cause from None

    async def arequest(self, target: Any, method: str, args: tuple[Any, ...],
                       kwargs: dict[str, Any], what: str) -> Any:
        self._check_alive(what)
        self.calls += 1
        try:
            return await self.endpoint.arequest(target, method, args, kwargs, what=what)
        except ConnectionLost as exc:
            raise self.lost_error(what, exc.reason) from None
        except Abandoned as abandoned:
            self._abandoned(what, abandoned.cause)

    def _stuck(self, what: str, reason: str) -> None:
        """An async request that its cancellation did not end in the kit's await limit:
        the driver's loop is stuck (or the implementation sits on cancellations); it is
        replaced, and the request is a timeout that says so."""
        self.kill(f"{reason} (it hangs; the driver is restarted)")
        raise ImplementationTimeout(self.describe(what, self.lost or reason))

    def _check_alive(self, what: str) -> None:
        if self.lost is not None:
            raise self.lost_error(what, self.lost)

    def lost_error(self, what: str, reason: str) -> ImplementationLost:
        return ImplementationLost(self.describe(what, reason))

    def describe(self, what: str, reason: str) -> str:
        last = self.endpoint.last_request or "none"
        try:
            status = self.process.wait(2.0)
        except subprocess.TimeoutExpired:
            status = None
        if status is not None and "killed" not in reason and "restarted" not in reason:
            reason += (f" (its process exited with status {status})" if status >= 0 else
                       f" (its process was killed by signal {-status})")
        if status is not None and self.stderr_reader is not None:
            self.stderr_reader.join(2.0)  # what it wrote before exiting, read to the end
        tail = [line for line in self.stderr if line.strip()][-6:]
        stderr = ("; its stderr ends: " + " | ".join(tail)) if tail else ""
        return (f"driver {self.driver.label} (process {self.process.pid}, life "
                f"{self.number}) failed during {what}: {reason}; last request {last}{stderr}")

    def kill(self, reason: str) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.endpoint.lose(reason)
        self.lost = reason


class WireDriver:
    """A driver command, started on demand and restarted after each failure."""

    def __init__(self, label: str, command: Sequence[str], *, cwd: str | None = None,
                 env: dict[str, str] | None = None, silence: float = 60.0,
                 settle: bool = True) -> None:
        self.label = label
        self.settle = settle
        self.command = list(command)
        self.cwd = cwd
        self.env = env
        self.silence = silence
        self.hello: Hello | None = None
        self.restarts = 0
        self.started_at: list[float] = []
        self._current: Generation | None = None
        self._lock = threading.RLock()
        self._proxies: dict[str, type] = {}
        self._callables: dict[tuple[type, str], type] = {}
        self._roots_by_class: dict[int, str] = {}
        self.handler_bases: dict[str, type] = {}
        self.startup_seconds: list[float] = []
        self._log: Any = None
        atexit.register(self.close)

    # -- generations ---------------------------------------------------------------------
    def generation(self) -> Generation:
        with self._lock:
            current = self._current
            if current is not None and current.lost is None:
                return current
            if current is not None:
                self.restarts += 1
                if self.restarts > MAX_RESTARTS:
                    raise ImplementationLost(
                        f"driver {self.label} failed {self.restarts} times; given up "
                        f"(last failure: {current.lost})")
            self._current = self._start(0 if current is None else current.number + 1)
            return self._current

    def _start(self, number: int) -> Generation:
        began = time.perf_counter()
        env = {**os.environ, **(self.env or {})}
        env.setdefault("PYTHONUNBUFFERED", "1")
        try:
            process = subprocess.Popen(self.command, stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       cwd=self.cwd, env=env, bufsize=0)
        except OSError as exc:
            raise ImplementationLost(f"driver {self.label}: cannot start "
                                     f"{' '.join(self.command)}: {exc}") from None
        enlarge_pipe(process.stdin)
        enlarge_pipe(process.stdout)
        stderr: collections.deque[str] = collections.deque(maxlen=STDERR_LINES)
        reader = threading.Thread(target=_collect, args=(process.stderr, stderr), daemon=True,
                                  name=f"wire-stderr-{self.label}")
        reader.start()
        generation = Generation(self, number, process, stderr, reader)
        try:
            hello = self._handshake(generation)
        except BaseException:
            if process.poll() is None:
                process.kill()
            raise
        generation.endpoint.start()
        self._adopt_hello(hello, generation)
        self.startup_seconds.append(time.perf_counter() - began)
        return generation

    def _handshake(self, generation: Generation) -> Hello:
        process = generation.process
        assert process.stdin is not None and process.stdout is not None
        mine = {"t": "hello", "protocol": PROTOCOL, "accepts": [PROTOCOL], "kit": "runcert"}
        log = self.traffic_log()
        try:
            process.stdin.write(json.dumps(mine).encode() + b"\n")
            process.stdin.flush()
            if log is not None:
                log.write(b"> " + json.dumps(mine).encode() + b"\n")
        except OSError as exc:
            raise HelloError(self._no_hello(generation, f"writing hello failed: {exc}")) from None
        line = _readline(process.stdout, HELLO_TIMEOUT)
        if line is None:
            if process.poll() is None:
                process.kill()
            raise HelloError(self._no_hello(generation, f"no hello within {HELLO_TIMEOUT:g}s"))
        if log is not None and line:
            log.write(b"< " + line.rstrip(b"\n") + b"\n")
        if not line:
            process.wait(5)
            raise HelloError(self._no_hello(
                generation, f"it exited with status {process.returncode} before its hello"))
        try:
            raw = json.loads(line)
            if raw.get("t") != "hello":
                raise ValueError(f"its first message is {raw.get('t')!r}, not 'hello'")
            if raw.get("protocol") != PROTOCOL:
                raise ValueError(f"it speaks {raw.get('protocol')!r}; this kit speaks {PROTOCOL}")
            implementation = raw["implementation"]
            hello = Hello(protocol=raw["protocol"], name=str(implementation["name"]),
                          version=str(implementation["version"]),
                          description=str(implementation.get("description", "")),
                          capabilities=list(raw.get("capabilities", [])),
                          deviations=dict(raw.get("deviations", {})),
                          supported=str(raw.get("supported", "")),
                          roots=dict(raw.get("roots", {})),
                          handler_flags=dict(raw.get("handler_flags", {})), raw=raw)
            generation.codec.learn_classes(raw.get("classes", {}))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise HelloError(self._no_hello(generation, f"bad hello: {exc}: {line[:300]!r}")) \
                from None
        if self.hello is not None and (hello.name, hello.version, hello.capabilities) != (
                self.hello.name, self.hello.version, self.hello.capabilities):
            raise HelloError(f"driver {self.label} restarted as another implementation: "
                             f"{hello.name} {hello.version}, was {self.hello.name} "
                             f"{self.hello.version}")
        return hello

    def _no_hello(self, generation: Generation, reason: str) -> str:
        time.sleep(0.05)
        tail = " | ".join(line for line in list(generation.stderr)[-6:] if line.strip())
        return (f"driver {self.label} ({' '.join(self.command)}) did not start: {reason}"
                + (f"; its stderr ends: {tail}" if tail else ""))

    def _adopt_hello(self, hello: Hello, generation: Generation) -> None:
        """Learn the roots of a (new) generation: the kit's handler base classes are built
        once, from the first hello, and stay the classes the suites hold."""
        first = self.hello is None
        self.hello = hello
        codec = generation.codec
        if first:
            self._build_handler_bases(hello, codec)
        roots: dict[str, Any] = {}
        for name, value in hello.roots.items():
            if name in self.handler_bases:
                roots[name] = self.handler_bases[name]
                cid = value.get("$class") if isinstance(value, dict) else None
                if cid:
                    generation.stand_ins.class_ids[id(self.handler_bases[name])] = cid
                continue
            roots[name] = codec.decode(value)
        generation.roots = roots  # type: ignore[attr-defined]
        codec.roots = {}
        for name, obj in roots.items():
            if isinstance(obj, type):
                self._roots_by_class[id(obj)] = name

    def _build_handler_bases(self, hello: Hello, codec: Codec) -> None:
        """The kit's handler base classes: each event method of the driver's base class
        (own or inherited) as a no-op of the same kind, its flags as class attributes; the
        async base derives from the sync one when the driver's does."""
        from conformance.adapters.wire.proxies import build_handler_base

        built: dict[str, type] = {}
        qualnames: dict[str, str] = {}
        for name in ("callbacks.base_handler", "callbacks.async_handler"):
            value = hello.roots.get(name)
            if not isinstance(value, dict) or "$class" not in value:
                continue
            cid = value["$class"]
            description = codec.peer_classes.get(cid, {})
            ancestors = _ancestors(codec, cid)
            bases = tuple(cls for root, cls in built.items() if qualnames[root] in ancestors)
            vocabulary = {k: v for k, v in _flat_methods(codec, cid).items()
                          if k.startswith("on_")}
            built[name] = build_handler_base(name, description.get("name", name),
                                             vocabulary, dict(hello.handler_flags), bases)
            qualnames[name] = description.get("qualname", name)
        self.handler_bases = built
        for name, cls in built.items():
            self._roots_by_class[id(cls)] = name
            self._proxies[qualnames[name]] = cls

    def root(self, name: str) -> Any:
        return getattr(self.generation(), "roots", {}).get(name)

    def root_name_of(self, obj: Any) -> str | None:
        return self._roots_by_class.get(id(obj))

    # -- proxy classes ---------------------------------------------------------------------
    def proxy_class(self, description: dict[str, Any], generation: Generation) -> type:
        with self._lock:
            key = description["qualname"]
            cls = self._proxies.get(key)
            if cls is None:
                bases = tuple(generation.codec.peer_class(b) for b in description.get("bases", []))
                cls = build_proxy_class(self, description, bases)
                self._proxies[key] = cls
            return cls

    def callable_class(self, cls: type, kind: str) -> type:
        with self._lock:
            key = (cls, kind)
            if key not in self._callables:
                self._callables[key] = callable_proxy_class(cls, kind)
            return self._callables[key]

    # -- output and shutdown -------------------------------------------------------------
    def output(self, stream: str, text: str) -> None:
        """The driver's stdout/stderr output (a ``print`` of the implementation), written
        where the kit's own output goes now (pytest's capture included)."""
        target = sys.stderr if stream == "stderr" else sys.stdout
        target.write(text)
        target.flush()

    def traffic_log(self) -> Any:
        """``RUNCERT_WIRE_LOG=<path>``: every line both ways goes to that file (appended),
        prefixed ``> `` (kit to driver) or ``< `` (driver to kit); hellos included."""
        path = os.environ.get("RUNCERT_WIRE_LOG")
        if not path:
            return None
        if self._log is None:
            self._log = open(path, "ab", buffering=0)  # noqa: SIM115 - lives with the driver
        return self._log

    def stats(self) -> dict[str, Any]:
        """Sizes of the current generation's tables and traffic (for measurements)."""
        current = self._current
        if current is None:
            return {}
        codec, endpoint = current.codec, current.endpoint
        return {"own": len(codec.own), "stateful": len(codec.stateful), "peer": len(codec.peer),
                "mirrored": len(codec.mirrored), "peer_exceptions": len(codec.peer_exceptions),
                "strands": len(endpoint._strands), "sent": endpoint.messages_sent,
                "received": endpoint.messages_received, "settles": endpoint.settles,
                "calls": current.calls, "restarts": self.restarts}

    def close(self) -> None:
        if os.environ.get("RUNCERT_WIRE_STATS"):
            sys.stderr.write(f"wire stats {self.label}: {self.stats()}\n")
        current = self._current
        if current is None:
            return
        if current.lost is None:
            try:
                current.endpoint.send({"t": "bye"})
            except ConnectionLost:
                pass
            try:
                current.process.wait(2)
            except subprocess.TimeoutExpired:
                current.process.kill()
        elif current.process.poll() is None:
            current.process.kill()


def _current_test() -> object:
    """What names the test running now: the plugin sets a fresh context per test."""
    return checks.current()


def _flat_methods(codec: Codec, cid: str) -> dict[str, str]:
    """Every method of a described class, its own and inherited (nearest wins)."""
    methods: dict[str, str] = {}
    for ancestor in _ancestor_ids(codec, cid):
        for name, kind in codec.peer_classes.get(ancestor, {}).get("methods", {}).items():
            methods.setdefault(name, kind)
    return methods


def _ancestor_ids(codec: Codec, cid: str) -> list[str]:
    order: list[str] = []
    stack = [cid]
    while stack:
        current = stack.pop(0)
        if current in order:
            continue
        order.append(current)
        stack.extend(codec.peer_classes.get(current, {}).get("bases", []))
    return order


def _ancestors(codec: Codec, cid: str) -> set[str]:
    return {codec.peer_classes.get(a, {}).get("qualname", "") for a in _ancestor_ids(codec, cid)[1:]}


def _collect(stream: Any, lines: collections.deque[str]) -> None:
    for raw in iter(stream.readline, b""):
        lines.append(raw.decode("utf-8", "replace").rstrip("\n"))


def _readline(stream: Any, timeout: float) -> bytes | None:
    """One line from ``stream`` within ``timeout`` seconds (``None``: none came)."""
    result: list[bytes] = []
    reader = threading.Thread(target=lambda: result.append(stream.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return result[0] if result else None


__all__ = ["WireDriver", "Generation", "Hello", "describe_class", "qualified_name", "asyncio"]

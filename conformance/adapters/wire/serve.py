"""Serving a Python implementation over the wire: the driver side of the protocol.

``serve(adapter)`` turns any runcert :class:`~conformance.adapter.Adapter` into a driver
process: it answers the kit's hello with the adapter's name, version, capabilities and
deviations, offers its factories as *roots*, and runs the kit's requests against them
with the same engine the kit uses (:mod:`.endpoint`). The kit's objects are *stubs*
here: a kit handler is an instance of a subclass of the adapter's own handler base
class, whose overridden event methods call the kit and whose flags are the kit
handler's; a scripted source is an object whose ``__anext__`` asks the kit for the next
event; any other kit object forwards what is called on it.

This is how the kit proves the wire faithful (``--impl=wire:reference`` must give the
same outcome for every rule as ``--impl=reference``) and how a broken variant is
certified over it (``--impl=wire:python:tests.callbacks.broken.<variant>``).
"""

from __future__ import annotations

import copy
import inspect
import io
import json
import os
import sys
import threading
from collections.abc import Sequence
from typing import Any, BinaryIO

from conformance.adapter import Adapter, ProjectionSpec, entries
from conformance.adapters.wire.codec import Codec, Json, Outgoing
from conformance.adapters.wire.endpoint import Endpoint, enlarge_pipe
from conformance.adapters.wire.protocol import CALLBACK_ROOTS, PROTOCOL, STREAM_ROOTS

#: The driver's GIL switch interval, seconds (CPython's default is 0.005).
SWITCH_INTERVAL = 0.0005


class Stub:
    """Base of the stubs of kit objects that are no handlers: attribute reads go to the
    kit; a copy is a new object of this side (it is not the kit's object any more)."""

    _wire_link: DriverStandIns

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name.startswith("_wire"):
            raise AttributeError(name)
        link: DriverStandIns = self.__dict__["_wire_link"]
        return link.endpoint.request(self, "$get", (name,), {}, what=f"kit object .{name}")

    def __copy__(self) -> Any:
        return _Copy(self)

    def __deepcopy__(self, memo: Any) -> Any:
        return _Copy(self)

    def __repr__(self) -> str:
        return f"<kit {self.__dict__.get('_wire_qualname', 'object')} {self.__dict__.get('_wire_id')}>"


class _Copy:
    """What ``copy.copy`` of a kit object gives here: another object, as a copy is."""

    def __init__(self, original: Any) -> None:
        self.copied_from = repr(original)

    def __repr__(self) -> str:
        return f"<copy of {self.copied_from}>"


def _forwarder(name: str, kind: str, endpoint_of: Any) -> Any:
    if kind == "async":
        async def amethod(self: Any, *args: Any, **kwargs: Any) -> Any:
            return await endpoint_of(self).arequest(self, name, args, kwargs,
                                                    what=f"kit {name}")
        function: Any = amethod
    else:
        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            return endpoint_of(self).request(self, name, args, kwargs, what=f"kit {name}")
        function = method
    function.__name__ = function.__qualname__ = name
    return function


def _instance_forwarder(stub: Any, name: str, kind: str) -> Any:
    """An event method set on one kit handler instance (a ``Mock``): a plain function
    attribute of the stub instance, of the same kind."""
    endpoint = stub.__dict__["_wire_link"].endpoint
    if kind == "async":
        async def amethod(*args: Any, **kwargs: Any) -> Any:
            return await endpoint.arequest(stub, name, args, kwargs, what=f"kit {name}")
        function: Any = amethod
    else:
        def method(*args: Any, **kwargs: Any) -> Any:
            return endpoint.request(stub, name, args, kwargs, what=f"kit {name}")
        function = method
    function.__name__ = name
    function._wire_kind = kind
    return function


def _link_endpoint(obj: Any) -> Endpoint:
    return obj.__dict__["_wire_link"].endpoint  # type: ignore[no-any-return]


class DriverStandIns:
    """The driver's side of the codec: stubs of kit objects."""

    def __init__(self, roots: dict[str, Any], flags: dict[str, Any]) -> None:
        self.roots = roots
        self.flags = flags
        self.endpoint: Endpoint = None  # type: ignore[assignment]
        self.class_ids: dict[int, str] = {}

    def instance(self, wid: str, cls: Any, extra: dict[str, Any]) -> Any:
        obj = cls.__new__(cls)
        if getattr(cls, "_wire_handler_base", None) is not None:
            try:
                cls._wire_handler_base.__init__(obj)
            except TypeError:  # a base whose __init__ needs arguments: leave it be
                pass
            obj.__dict__["_wire_state"] = {"flags": {}, "own": {}}
        obj.__dict__["_wire_link"] = self
        obj.__dict__["_wire_id"] = wid
        obj.__dict__["_wire_qualname"] = getattr(cls, "_wire_qualname", "")
        kind = extra.get("call")
        if kind is not None:
            obj.__dict__["_wire_call"] = kind
        return obj

    def klass(self, cid: str, description: dict[str, Any]) -> Any:
        if description.get("role") == "handler":
            cls = self._handler_class(description)
        else:
            cls = self._stub_class(description)
        self.class_ids[id(cls)] = cid
        return cls

    def _handler_class(self, description: dict[str, Any]) -> type:
        base = self.roots.get(description.get("base", ""))
        if not isinstance(base, type):
            raise TypeError(f"handler class {description.get('qualname')} names no handler "
                            f"base this driver offers: {description.get('base')!r}")
        namespace: dict[str, Any] = {
            name: _forwarder(name, kind, _link_endpoint)
            for name, kind in description.get("methods", {}).items()}
        for flag, default in self.flags.items():
            namespace[flag] = _flag(flag, default)
        namespace.update({"__hash__": _stub_hash, "_wire_handler_base": base,
                          "_wire_qualname": description.get("qualname", ""),
                          "__module__": "kit", "__qualname__": description.get("name", "Handler")})
        return type(description.get("name", "KitHandler"), (base,), namespace)

    def _stub_class(self, description: dict[str, Any]) -> type:
        namespace: dict[str, Any] = {"_wire_qualname": description.get("qualname", ""),
                                     "__module__": "kit",
                                     "__qualname__": description.get("name", "Object")}
        for name, kind in description.get("methods", {}).items():
            scope, _, shape = kind.rpartition("-")
            if scope:
                continue  # class-level methods of kit classes are never called from here
            if name == "__await__":
                namespace[name] = _stub_await
            elif name == "__call__":
                namespace[name] = _stub_call
            else:
                namespace[name] = _forwarder(name, shape, _link_endpoint)
        for name in description.get("properties", []):
            namespace[name] = _stub_property(name)
        return type(description.get("name", "KitObject"), (Stub,), namespace)

    def update(self, stand_in: Any, state: dict[str, Any]) -> None:
        if "_wire_state" not in stand_in.__dict__:
            return
        previous = stand_in.__dict__["_wire_state"].get("own", {})
        stand_in.__dict__["_wire_state"] = state
        own = state.get("own", {})
        for name in previous:
            if name not in own:
                stand_in.__dict__.pop(name, None)
        for name, kind in own.items():
            current = stand_in.__dict__.get(name)
            if getattr(current, "_wire_kind", None) != kind:
                stand_in.__dict__[name] = _instance_forwarder(stand_in, name, kind)

    def own_class(self, cls: type) -> dict[str, Any] | None:
        return None

    def own_state(self, obj: Any) -> Json | None:
        return None

    def special(self, obj: Any) -> Json | None:
        if isinstance(obj, type):
            cid = self.class_ids.get(id(obj))
            if cid is not None:
                return {"$class": cid}
        return None


def _flag(name: str, default: Any) -> property:
    def get(self: Any) -> Any:
        flags = self.__dict__.get("_wire_state", {}).get("flags", {})
        return flags.get(name, default)

    def set_(self: Any, value: Any) -> None:
        self.__dict__.setdefault("_wire_state", {}).setdefault("flags", {})[name] = value

    return property(get, set_)


def _stub_hash(self: Any) -> int:
    hashed = self.__dict__.get("_wire_state", {}).get("hash")
    return hashed if isinstance(hashed, int) else object.__hash__(self)


def _stub_await(self: Any) -> Any:
    return _link_endpoint(self).arequest(self, "$await", (), {}, what="await kit object").__await__()


def _stub_call(self: Any, *args: Any, **kwargs: Any) -> Any:
    endpoint = _link_endpoint(self)
    if self.__dict__.get("_wire_call") == "async":
        return endpoint.arequest(self, "$call", args, kwargs, what="kit function")
    return endpoint.request(self, "$call", args, kwargs, what="kit function")


def _stub_property(name: str) -> property:
    def get(self: Any) -> Any:
        return _link_endpoint(self).request(self, "$get", (name,), {}, what=f"kit .{name}")

    return property(get)


# -- roots ------------------------------------------------------------------------------

def _specs(projections: Sequence[Any]) -> list[ProjectionSpec]:
    """The kit's projections, sent as plain records, as ``ProjectionSpec`` again."""
    specs = []
    for p in projections:
        namespace = p.get("namespace")
        specs.append(ProjectionSpec(name=p["name"], method=p["method"],
                                    namespace=None if namespace is None else tuple(namespace),
                                    maxlen=p.get("maxlen"), native=p.get("native", True)))
    return specs


def roots_of(adapter: Adapter) -> dict[str, Any]:
    """The factories the adapter declares, under their root names."""
    roots: dict[str, Any] = {}
    if adapter.callbacks is not None:
        for field in CALLBACK_ROOTS:
            value = getattr(adapter.callbacks, field)
            if value is not None:
                roots[f"callbacks.{field}"] = value
    streams = adapter.streams
    if streams is not None:
        def open_run(source: Any, projections: Sequence[Any]) -> Any:
            return streams.open_run(source, _specs(projections))

        roots["streams.open_run"] = open_run
        if streams.open_sync_run is not None:
            open_sync_run = streams.open_sync_run

            def sync_run(source: Any, projections: Sequence[Any]) -> Any:
                return open_sync_run(source, _specs(projections))

            roots["streams.open_sync_run"] = sync_run
        if streams.nested is not None:
            nested = streams.nested

            def nested_run(run: Any, path: Sequence[str]) -> Any:
                return nested(run, tuple(path))

            roots["streams.nested"] = nested_run
        if streams.tee is not None:
            roots["streams.tee"] = streams.tee
    assert set(r.partition(".")[2] for r in roots) <= set(CALLBACK_ROOTS + STREAM_ROOTS)
    return roots


def handler_flags(adapter: Adapter) -> dict[str, Any]:
    """The flags of the adapter's handler base class, with their defaults, as a bare
    instance reads them: what every kit handler's stub must answer."""
    factories = adapter.callbacks
    base = None if factories is None else (factories.base_handler or factories.async_handler)
    if base is None:
        return {}
    bare = base.__new__(base)
    try:
        base.__init__(bare)
    except TypeError:
        pass
    flags: dict[str, Any] = {}
    for name in dir(base):
        if name.startswith("_"):
            continue
        static = inspect.getattr_static(base, name)
        if callable(static) and not isinstance(static, property):
            continue
        try:
            value = getattr(bare, name)
        except Exception:  # noqa: BLE001 - a property a bare instance cannot answer
            continue
        if isinstance(value, (bool, int, float, str)) or value is None:
            flags[name] = value
    return flags


def deviations_of(adapter: Adapter) -> dict[str, Any]:
    return {rule: [{"reason": d.reason, "versions": d.versions} for d in entries(value)]
            for rule, value in adapter.deviations.items()}


class _Output(io.TextIOBase):
    """``sys.stdout`` of a driver: what the implementation prints goes to the kit as
    ``output`` messages, in order with everything else it does."""

    def __init__(self, endpoint: Endpoint, stream: str) -> None:
        self.endpoint = endpoint
        self.stream = stream

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if text:
            self.endpoint.send({"t": "output", "stream": self.stream, "text": text})
        return len(text)


def serve(adapter: Adapter, read: BinaryIO | None = None, write: BinaryIO | None = None) -> int:
    """Serve ``adapter`` on stdin/stdout until the kit says bye or goes away."""
    if write is None:
        write = os.fdopen(os.dup(1), "wb", buffering=0)
        os.dup2(2, 1)  # a stray write to fd 1 cannot break the protocol any more
    if read is None:
        read = sys.stdin.buffer
    enlarge_pipe(read)
    enlarge_pipe(write)
    # The implementation's threads (executors) hand work to each other and to the wire's
    # reader: a short switch interval keeps the wait for the GIL below a round trip.
    sys.setswitchinterval(SWITCH_INTERVAL)
    first = read.readline()
    try:
        hello = json.loads(first)
        if hello.get("t") != "hello" or PROTOCOL not in hello.get("accepts", [hello.get("protocol")]):
            raise ValueError(f"not a {PROTOCOL} hello")
    except ValueError as exc:
        sys.stderr.write(f"runcert driver: expected the kit's hello, got {first[:200]!r} ({exc})\n")
        return 2
    roots = roots_of(adapter)
    flags = handler_flags(adapter)
    stand_ins = DriverStandIns(roots, flags)
    codec = Codec("d", stand_ins)
    codec.roots = roots
    done = threading.Event()
    endpoint = Endpoint(codec, read, write, name=f"kit (serving {adapter.name})",
                        on_lost=lambda reason: done.set(), report_tasks=True)
    stand_ins.endpoint = endpoint
    endpoint.serve_unrelated = False
    out = Outgoing()
    encoded_roots = {name: codec.encode(value, out) for name, value in roots.items()}
    message = {"t": "hello", "protocol": PROTOCOL,
               "implementation": {"name": adapter.name, "version": adapter.version,
                                  "description": adapter.description},
               "capabilities": sorted(adapter.capabilities),
               "deviations": deviations_of(adapter), "supported": adapter.supported,
               "roots": encoded_roots, "handler_flags": flags, "classes": out.classes,
               "threads": True}
    write.write(json.dumps(message).encode() + b"\n")
    write.flush()
    sys.stdout = _Output(endpoint, "stdout")
    endpoint.start()
    done.wait()
    for hook in BEFORE_EXIT:
        hook()
    return 0


#: Called once the kit said bye, before the driver exits (a profiler's dump).
BEFORE_EXIT: list[Any] = []


__all__ = ["serve", "roots_of", "copy"]

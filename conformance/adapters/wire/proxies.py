"""The kit's stand-ins for a driver's objects, and the handler classes the suites subclass.

Everything the suites receive from a driver is an instance of a *proxy class*, built
from the driver's description of the real class: the same methods, each a plain
function or a coroutine function as the real one is (``get_sync()`` twins must not be
coroutine functions; async managers' starts must be), the same properties and the same
bases, so ``type(copy) is type(original)`` and ``isinstance(child, cb.callback_manager)``
mean what they mean in process. Proxy classes are kept by the real class's qualified
name across driver restarts, so the classes an adapter hands out stay valid.

The handler base classes are the other way round: the suites subclass them
(``recorder_class``, ``class Returning(cb.base_handler)``), instantiate them and set
flags on the instances, all in the kit. So ``cb.base_handler`` is a local class with the
driver's vocabulary of no-op event methods; an instance crosses as a kit object whose
description lists the event methods its class (or the instance itself, like a ``Mock``
set as ``on_chain_start``) overrides, and whose *state* (``raise_error``, ``run_inline``,
the ``ignore_*`` flags, its hash) goes with every message that changed it. The driver
builds a subclass of its real base class from that: the implementation reads the flags
and calls the methods as it would on a handler of its own.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from conformance.adapters.wire.codec import INTERFACES, Json, make_signature, method_kind

# The driver connection and its current process (``process.WireDriver``, ``process.Generation``)
# use the classes built here, so this module names them without importing them.
WireDriver = Any
Generation = Any


class RemoteObject:
    """Base of every proxy class: attribute reads and writes the class does not define
    go to the driver; calling the class creates an object in the driver."""

    _wire_gen: Generation
    _wire_id: str

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        return _class_request(cls, "$call", args, kwargs, f"{cls.__name__}()")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass  # the driver constructed it

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name.startswith("_wire"):
            raise AttributeError(name)
        return _request(self, "$get", (name,), {}, f"{type(self).__name__}.{name}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_wire"):
            object.__setattr__(self, name, value)
        else:
            _request(self, "$set", (name, value), {}, f"{type(self).__name__}.{name} =")

    def __repr__(self) -> str:
        wid = self.__dict__.get("_wire_id", "?")
        return f"<{type(self).__qualname__} {wid} (over the wire)>"


def _request(obj: Any, method: str, args: tuple[Any, ...], kwargs: dict[str, Any],
             what: str) -> Any:
    generation: Generation = obj.__dict__["_wire_gen"]
    return generation.request(obj, method, args, kwargs, what)


async def _arequest(obj: Any, method: str, args: tuple[Any, ...], kwargs: dict[str, Any],
                    what: str) -> Any:
    generation: Generation = obj.__dict__["_wire_gen"]
    return await generation.arequest(obj, method, args, kwargs, what)


def _class_request(cls: type, method: str, args: tuple[Any, ...], kwargs: dict[str, Any],
                   what: str) -> Any:
    driver: WireDriver = cls.__dict__.get("_wire_driver") or _driver_of(cls)
    return driver.generation().request(cls, method, args, kwargs, what)


async def _class_arequest(cls: type, method: str, args: tuple[Any, ...],
                          kwargs: dict[str, Any], what: str) -> Any:
    driver: WireDriver = _driver_of(cls)
    return await driver.generation().arequest(cls, method, args, kwargs, what)


def _driver_of(cls: type) -> WireDriver:
    for klass in cls.__mro__:
        driver = klass.__dict__.get("_wire_driver")
        if driver is not None:
            return driver  # type: ignore[no-any-return]
    raise TypeError(f"{cls.__name__} is no proxy class")


def _method(name: str, kind: str) -> Any:
    """A proxy method of ``kind`` (``sync``, ``async``, ``class-…``, ``static-…``)."""
    scope, _, shape = kind.rpartition("-")
    if name == "__await__":
        def await_(self: Any) -> Any:
            return _arequest(self, "$await", (), {}, f"await {type(self).__name__}").__await__()
        return await_
    if scope in ("class", "static"):
        if shape == "async":
            async def aclassmethod(cls: Any, *args: Any, **kwargs: Any) -> Any:
                return await _class_arequest(cls, name, args, kwargs, f"{cls.__name__}.{name}")
            function: Any = aclassmethod
        else:
            def classmethod_(cls: Any, *args: Any, **kwargs: Any) -> Any:
                return _class_request(cls, name, args, kwargs, f"{cls.__name__}.{name}")
            function = classmethod_
        function.__name__ = function.__qualname__ = name
        return classmethod(function)
    if shape == "async":
        async def amethod(self: Any, *args: Any, **kwargs: Any) -> Any:
            return await _arequest(self, name, args, kwargs, f"{type(self).__name__}.{name}")
        function = amethod
    else:
        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            return _request(self, name, args, kwargs, f"{type(self).__name__}.{name}")
        function = method
    function.__name__ = function.__qualname__ = name
    return function


def _property(name: str) -> property:
    def get(self: Any) -> Any:
        return _request(self, "$get", (name,), {}, f"{type(self).__name__}.{name}")

    def set_(self: Any, value: Any) -> None:
        _request(self, "$set", (name, value), {}, f"{type(self).__name__}.{name} =")

    return property(get, set_)


def _local_coroutine(proxy: Any) -> Any:
    """The kit-side coroutine awaiting the driver's coroutine ``proxy`` (made once).

    A task (``asyncio.create_task(run.output())``) steps its coroutine with ``send`` and
    ``throw``; sent to the driver, those would run the driver's coroutine outside any of
    its tasks and hand its futures to the kit. The proxy's ``send`` / ``throw`` /
    ``close`` / ``__await__`` are this local coroutine's instead: it awaits the driver's
    coroutine with one ``$await`` request, in the driver's own task."""
    local = proxy.__dict__.get("_wire_local")
    if local is None:
        local = _arequest(proxy, "$await", (), {}, f"await {type(proxy).__name__}")
        object.__setattr__(proxy, "_wire_local", local)
    return local


#: The coroutine protocol of a proxy of a driver coroutine (see :func:`_local_coroutine`).
COROUTINE_METHODS: dict[str, Any] = {
    "send": lambda self, value: _local_coroutine(self).send(value),
    "throw": lambda self, *args: _local_coroutine(self).throw(*args),
    "close": lambda self: _local_coroutine(self).close(),
    "__await__": lambda self: _local_coroutine(self).__await__(),
}


def build_proxy_class(driver: WireDriver, description: dict[str, Any],
                      bases: tuple[type, ...]) -> type:
    """A proxy class for the driver class ``description`` over proxy ``bases``."""
    namespace: dict[str, Any] = {
        "__module__": "wire." + description["qualname"].rpartition(".")[0],
        "__qualname__": description["qualname"].rpartition(".")[2] or description["name"],
        "__doc__": f"Proxy of the driver's {description['qualname']}.",
        "_wire_qualname": description["qualname"],
        "_wire_driver": driver,
    }
    for name in description.get("properties", []):
        namespace[name] = _property(name)
    signatures = description.get("signatures", {})
    for name, kind in description.get("methods", {}).items():
        namespace[name] = _method(name, kind)
        signature = make_signature(signatures[name]) if name in signatures else None
        if signature is not None:
            function = namespace[name]
            target = function.__func__ if isinstance(function, classmethod) else function
            target.__signature__ = signature  # inspect.signature reads what the driver's has
    if "Coroutine" in description.get("interfaces", []):
        namespace.update(COROUTINE_METHODS)
    if not any(issubclass(b, RemoteObject) for b in bases):
        bases = (*bases, RemoteObject)
    cls = type(description["name"], bases, namespace)
    for name in description.get("interfaces", []):
        interface = INTERFACES.get(name)
        if interface is not None and name != "Hashable" and not issubclass(cls, interface):
            interface.register(cls)
    return cls


def callable_proxy_class(cls: type, kind: str) -> type:
    """``cls`` with a ``__call__`` of ``kind``: a driver function (or bound method)."""
    if kind == "async":
        async def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            return await _arequest(self, "$call", args, kwargs, f"{cls.__name__}()")
    else:
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[misc]
            return _request(self, "$call", args, kwargs, f"{cls.__name__}()")
    return type(cls.__name__, (cls,), {"__call__": call, "__module__": cls.__module__,
                                       "_wire_call_kind": kind})


# -- the handler base classes -----------------------------------------------------------

class WireHandler:
    """Marker base of the kit-side handler classes built from a driver's vocabulary."""

    _wire_root: str = ""
    _wire_vocabulary: dict[str, str] = {}
    _wire_flags: dict[str, Any] = {}


def _noop(name: str, kind: str) -> Callable[..., Any]:
    if kind == "async":
        async def anoop(self: Any, *args: Any, **kwargs: Any) -> None:
            return None
        function: Any = anoop
    else:
        def noop(self: Any, *args: Any, **kwargs: Any) -> None:
            return None
        function = noop
    function.__name__ = function.__qualname__ = name
    function._wire_noop = True
    return function  # type: ignore[no-any-return]


def build_handler_base(root: str, name: str, vocabulary: dict[str, str],
                       flags: dict[str, Any], bases: tuple[type, ...]) -> type:
    """The kit-side class standing for the driver's handler base ``root``: a no-op method
    for each event of ``vocabulary`` (event -> ``sync``/``async``, as the driver's base
    class defines it) and the flags with their defaults as class attributes."""
    namespace: dict[str, Any] = {name_: _noop(name_, kind) for name_, kind in vocabulary.items()}
    namespace.update(flags)
    namespace.update({"_wire_root": root, "_wire_vocabulary": dict(vocabulary),
                      "_wire_flags": dict(flags), "__module__": "wire",
                      "__doc__": f"The driver's {name}, as the kit subclasses it."})
    return type(name, bases or (WireHandler,), namespace)


def handler_description(cls: type) -> dict[str, Any]:
    """How a kit handler class crosses: the driver root it stands on and the events its
    class overrides (with their kind)."""
    overridden: dict[str, str] = {}
    names = set(cls._wire_vocabulary) | {n for n in dir(cls) if n.startswith("on_")}  # type: ignore[attr-defined]
    for name in sorted(names):
        value = inspect.getattr_static(cls, name, None)
        if value is None or getattr(value, "_wire_noop", False):
            continue
        function = value.__func__ if isinstance(value, (classmethod, staticmethod)) else value
        if callable(function):
            overridden[name] = method_kind(function)
    return {"name": cls.__name__, "qualname": f"{cls.__module__}.{cls.__qualname__}",
            "role": "handler", "base": cls._wire_root,  # type: ignore[attr-defined]
            "methods": overridden, "properties": [], "bases": []}


_PLAIN = (bool, int, float, str)


def handler_state(handler: Any) -> Json:
    """What the driver's stand-in for ``handler`` must know now: its flags, its hash,
    and the event methods set on the instance itself."""
    cls = type(handler)
    flags: dict[str, Any] = {}
    for name in cls._wire_flags:
        try:
            value = getattr(handler, name)
        except Exception:  # noqa: BLE001 - a flag that cannot be read reads as unset
            value = None
        flags[name] = value if value is None or type(value) in _PLAIN else bool(value)
    own = {name: method_kind(value) for name, value in vars(handler).items()
           if name.startswith("on_") and callable(value)}
    try:
        hashed: int | None = hash(handler)
    except TypeError:
        hashed = None
    state: dict[str, Any] = {"flags": flags, "own": own}
    if hashed is not None and type(handler).__hash__ is not object.__hash__:
        state["hash"] = hashed
    return state

"""Values on the wire: JSON for what is plain, references for everything with an identity.

The suites compare much of what crosses an implementation by identity (``data is data``,
``error is raised``, ``got is expected``) and watch what an implementation does to the
lists and dicts it is given or gives away (a run that shares its manager's handler list,
a handler that relabels a run's tags). A by-value encoding would make every
implementation look correct on those rules. So (``specs/wire.md``, "Values"):

- scalars (``None``, bools, ints, finite floats, exact ``str``) are JSON;
- every other object is a **reference** owned by the side that created it: the owner
  keeps it in a table under a wire id (``k12`` for the kit, ``d7`` for the driver) and
  the peer holds a *stand-in*, one per id, so an object sent twice is the same
  stand-in and a stand-in sent back is the very original;
- ``list`` and ``dict`` are **mirrored**: sent with their items and an id; each side
  keeps one local container per id, updated in place whenever its contents arrive,
  and every message carries the contents of the registered containers that changed
  locally since they were last sent (``sync``), so a mutation on one side is seen by
  the other before anything else happens there;
- exceptions travel with their class names (most derived first), ``args`` and cause,
  and are materialised as real exceptions of the matching class (``BaseException``
  semantics matter to the rules) under their owner's id, so they keep their identity;
- tuples, sets, ``bytes``, UUIDs, non-finite floats and ``str`` subclasses (with their
  hash) are tagged values.

Classes of referenced objects are described once per connection (methods and whether
each is a coroutine function, properties, bases), so a stand-in class can offer the
same methods with the same sync/async shape (``inspect.iscoroutinefunction`` is what
implementations and suites look at).

Ids are released when the holder of a stand-in (or of a mirrored container) drops it:
``release`` carries how many times the releaser received the id, and the owner forgets
the object once it has received back as many as it sent.
"""

from __future__ import annotations

import base64
import builtins
import collections.abc
import inspect
import math
import sys
import threading
import types
import uuid
import weakref
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

#: Dunder methods a class description lists (others are the peer's business only).
PROTOCOL_DUNDERS = frozenset({
    "__call__", "__iter__", "__next__", "__aiter__", "__anext__", "__enter__", "__exit__",
    "__aenter__", "__aexit__", "__await__", "__len__", "__bool__", "__contains__",
    "__getitem__", "__setitem__", "__delitem__",
})
#: Method names never mirrored (object construction and identity stay local).
NEVER_MIRRORED = frozenset({"__init__", "__new__", "__init_subclass__", "__class_getitem__",
                            "__subclasshook__", "__del__", "__getattr__", "__getattribute__",
                            "__setattr__", "__delattr__", "__repr__", "__str__", "__hash__",
                            "__eq__", "__ne__", "__reduce__", "__reduce_ex__", "__dir__",
                            "__sizeof__", "__format__", "__copy__", "__deepcopy__"})

Json = Any
#: How many of the peer's exceptions one side keeps (see ``Codec.peer_exceptions``).
PEER_EXCEPTIONS = 4096
#: How many distinct strings one side remembers having sent (see ``Codec.strings``).
SENT_STRINGS = 20000


class WireValueError(ValueError):
    """A message carries a value this side cannot decode (a protocol violation)."""


def method_kind(function: Any) -> str:
    """``async`` for a coroutine function, else ``sync`` (the shape the peer mirrors)."""
    target = getattr(function, "__func__", function)
    return "async" if inspect.iscoroutinefunction(target) else "sync"


_KINDS = {inspect.Parameter.POSITIONAL_ONLY: "positional",
          inspect.Parameter.POSITIONAL_OR_KEYWORD: "either",
          inspect.Parameter.VAR_POSITIONAL: "varargs",
          inspect.Parameter.KEYWORD_ONLY: "keyword",
          inspect.Parameter.VAR_KEYWORD: "varkw"}


def signature_of(method: Any) -> list[list[Any]] | None:
    """A method's parameters as ``[name, kind, has default]`` (the function's own, ``self``
    or ``cls`` first), or ``None`` where the signature cannot be read (a builtin)."""
    function = method.__func__ if isinstance(method, (classmethod, staticmethod)) else method
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return None
    return [[p.name, _KINDS[p.kind], p.default is not inspect.Parameter.empty]
            for p in signature.parameters.values()]


_DEFAULT = type("Default", (), {"__repr__": lambda self: "<default>"})()


def make_signature(parameters: list[list[Any]]) -> inspect.Signature | None:
    """The ``inspect.Signature`` a description gives (defaults are placeholders)."""
    kinds = {v: k for k, v in _KINDS.items()}
    try:
        return inspect.Signature([
            inspect.Parameter(name, kinds[kind],
                              default=_DEFAULT if has_default else inspect.Parameter.empty)
            for name, kind, has_default in parameters])
    except (KeyError, ValueError, TypeError):
        return None


def qualified_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def describe_class(cls: type, class_ref: Callable[[type], str]) -> dict[str, Any]:
    """What the peer needs to build a stand-in class: own methods with their kind
    (``sync``/``async``, ``class-…``/``static-…`` for class and static methods), own
    properties, and the described bases (``class_ref`` names each)."""
    methods: dict[str, str] = {}
    signatures: dict[str, list[list[Any]]] = {}
    properties: list[str] = []
    for name, value in vars(cls).items():
        if name in NEVER_MIRRORED or (name.startswith("_") and name not in PROTOCOL_DUNDERS):
            continue
        if isinstance(value, classmethod):
            methods[name] = "class-" + method_kind(value.__func__)
        elif isinstance(value, staticmethod):
            methods[name] = "static-" + method_kind(value.__func__)
        elif isinstance(value, (property, types.GetSetDescriptorType,
                                types.MemberDescriptorType)):
            properties.append(name)
        elif callable(value):
            methods[name] = method_kind(value)
        if name in methods:
            signature = signature_of(value)
            if signature is not None:
                signatures[name] = signature
    bases = [class_ref(b) for b in cls.__bases__ if b is not object and describable(b)]
    description = {"name": cls.__name__, "qualname": qualified_name(cls), "methods": methods,
                   "properties": properties, "bases": bases}
    if signatures:
        description["signatures"] = signatures
    interfaces = [name for name, abc in INTERFACES.items() if issubclass(cls, abc)]
    if interfaces:
        description["interfaces"] = interfaces
    return description


#: The abstract interfaces a description names, so ``isinstance(x, Mapping)`` reads the
#: same on both sides (a read-only ``mappingproxy`` is a Mapping though not a dict).
INTERFACES: dict[str, type] = {
    name: getattr(collections.abc, name) for name in (
        "Mapping", "MutableMapping", "Sequence", "MutableSequence", "Set", "Iterable",
        "Iterator", "AsyncIterable", "AsyncIterator", "Awaitable", "Coroutine",
        "Generator", "AsyncGenerator", "Callable", "Sized", "Container", "Hashable")}


def describable(cls: type) -> bool:
    """Classes worth describing as bases (not the builtin containers and scalars, which
    travel by value)."""
    return cls not in (object, list, dict, tuple, set, frozenset, str, int, float, bool,
                       bytes, type, BaseException, Exception)


def exception_names(cls: type) -> list[str]:
    """The qualified names of an exception class's MRO, most derived first, up to
    ``BaseException``."""
    return [qualified_name(c) for c in cls.__mro__ if issubclass(c, BaseException)]


#: Exception classes known by name on every side (plus the builtins).
_KNOWN_EXCEPTIONS: dict[str, type[BaseException]] = {}


def _register_builtins() -> None:
    import asyncio
    import concurrent.futures

    for value in vars(builtins).values():
        if isinstance(value, type) and issubclass(value, BaseException):
            _KNOWN_EXCEPTIONS[qualified_name(value)] = value
            _KNOWN_EXCEPTIONS.setdefault(f"builtins.{value.__name__}", value)
    for value in (asyncio.CancelledError, asyncio.InvalidStateError,
                  asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                  concurrent.futures.CancelledError, asyncio.TimeoutError):
        _KNOWN_EXCEPTIONS.setdefault(qualified_name(value), value)
    _KNOWN_EXCEPTIONS.setdefault("asyncio.CancelledError", asyncio.CancelledError)


_register_builtins()
_synthetic: dict[tuple[str, ...], type[BaseException]] = {}
_synthetic_lock = threading.Lock()


def exception_class(names: list[str]) -> type[BaseException]:
    """The local class for an exception the peer describes by its MRO names: the class
    of that name when this side knows it, else a class of that name made once, deriving
    from the nearest class it knows (``BaseException`` at worst) so that ``except
    Exception`` and ``except BaseException`` see it as the peer's code would."""
    if not names:
        return Exception
    known = _KNOWN_EXCEPTIONS.get(names[0])
    if known is not None:
        return known
    key = tuple(names)
    with _synthetic_lock:
        if key in _synthetic:
            return _synthetic[key]
    base = exception_class(names[1:]) if len(names) > 1 else BaseException
    module, _, qualname = names[0].rpartition(".")
    cls = type(qualname.rpartition(".")[2] or "RemoteError", (base,),
               {"__module__": module or "wire", "__qualname__": qualname,
                "__wire_names__": list(names)})
    with _synthetic_lock:
        return _synthetic.setdefault(key, cls)


def register_exception_class(cls: type[BaseException]) -> None:
    """Make ``cls`` the local class for its qualified name (an exception this side
    raised, so the peer's reference to it comes back as the same class)."""
    _KNOWN_EXCEPTIONS.setdefault(qualified_name(cls), cls)


class StandIns(Protocol):
    """How one side represents the peer's objects (``proxies`` on the kit side,
    ``stubs`` in the Python driver)."""

    def instance(self, wid: str, cls: Any, extra: dict[str, Any]) -> Any: ...

    def klass(self, cid: str, description: dict[str, Any]) -> Any: ...

    def update(self, stand_in: Any, state: dict[str, Any]) -> None: ...

    def own_class(self, cls: type) -> dict[str, Any] | None: ...

    def own_state(self, obj: Any) -> dict[str, Any] | None: ...

    def special(self, obj: Any) -> Json | None:
        """The encoding of ``obj`` when it is one of this side's names for something the
        peer owns (a stand-in class, a root), else ``None``."""


@dataclass
class _Owned:
    obj: Any
    sent: int = 0
    state: Any = None  # last state sent (objects with state only)


@dataclass
class _Mirrored:
    obj: Any
    snapshot: list[Any]
    sent: int = 0
    received: int = 0


@dataclass
class Outgoing:
    """The message-level fields one encoding adds: class descriptions first sent now,
    containers and states that changed, ids released."""

    classes: dict[str, Any] = field(default_factory=dict)
    sync: list[Json] = field(default_factory=list)
    release: list[list[Any]] = field(default_factory=list)


def _snapshot(obj: Any) -> list[Any]:
    """A shallow picture of a container: its items by identity."""
    return list(obj.items()) if isinstance(obj, dict) else list(obj)


def _same(snapshot: list[Any], obj: Any) -> bool:
    current = obj.items() if isinstance(obj, dict) else obj
    if len(snapshot) != len(obj):
        return False
    if isinstance(obj, dict):
        return all(k == k2 and v is v2 for (k, v), (k2, v2) in zip(snapshot, current))
    return all(a is b for a, b in zip(snapshot, current))


def _unreferenced_count() -> int:
    """``sys.getrefcount`` of a container held by the registry only, as measured
    here (the registry entry, the loop variable and the call's argument)."""
    entry = _Mirrored([], [])
    probe = [entry]
    for item in probe:
        return sys.getrefcount(item.obj)
    return 2


_UNREFERENCED = _unreferenced_count()


class Codec:
    """The object tables of one side of one connection, and the encoding through them.

    ``side`` is this side's id prefix (``k`` or ``d``). Every method takes the lock:
    the reader thread decodes while other threads encode.
    """

    def __init__(self, side: str, stand_ins: StandIns) -> None:
        self.side = side
        self.peer_side = "d" if side == "k" else "k"
        self.stand_ins = stand_ins
        self.lock = threading.RLock()
        self._next = 0
        self.own: dict[str, _Owned] = {}
        self.own_ids: dict[int, str] = {}
        self.stateful: dict[str, _Owned] = {}
        self.peer: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()
        self.peer_ids: dict[int, str] = {}
        self.peer_received: dict[str, int] = {}
        # Builtin exceptions cannot be weakly referenced: the peer's exceptions are kept,
        # the most recent PEER_EXCEPTIONS of them (an older one sent back again arrives as
        # a new exception of the same class and message).
        self.peer_exceptions: OrderedDict[str, BaseException] = OrderedDict()
        self.mirrored: dict[str, _Mirrored] = {}
        self.mirrored_ids: dict[int, str] = {}
        self.own_classes: dict[int, str] = {}
        self.own_class_objects: dict[str, type] = {}
        self.described: set[str] = set()
        self.peer_classes: dict[str, dict[str, Any]] = {}
        self.peer_class_objects: dict[str, Any] = {}
        self._released: deque[tuple[str, int]] = deque()
        self.roots: dict[str, Any] = {}
        # The str objects this side sent last, by value: a string that comes back is the
        # very object sent (suites compare payloads by identity, and no implementation
        # makes an equal copy of an exact str without meaning to return the same text).
        self.strings: OrderedDict[str, str] = OrderedDict()

    # -- ids ---------------------------------------------------------------------------
    def new_id(self, kind: str = "") -> str:
        with self.lock:
            self._next += 1
            return f"{self.side}{kind}{self._next}"

    def is_own(self, wid: str) -> bool:
        return wid.startswith(self.side)

    def new_epoch(self) -> None:
        """Forget every object and container of the earlier epochs (the kit starts one per
        test: no test uses another's objects, and objects that refer to each other across
        the two processes would otherwise never be released). What the peer still sends
        of them arrives as :class:`Released` placeholders."""
        with self.lock:
            self.own.clear()
            self.own_ids.clear()
            self.stateful.clear()
            self.mirrored.clear()
            self.mirrored_ids.clear()
            self.strings.clear()
            for wid, exc in self.peer_exceptions.items():
                if self.peer_ids.get(id(exc)) == wid:
                    del self.peer_ids[id(exc)]
            self.peer_exceptions.clear()
            self._released.clear()

    # -- encoding ------------------------------------------------------------------------
    def encode(self, value: Any, out: Outgoing) -> Json:
        with self.lock:
            return self._encode(value, out, set())

    def outgoing(self, out: Outgoing) -> None:
        """Add to ``out`` what changed locally since the last message: containers whose
        items changed, states of stateful objects, and the ids released."""
        with self.lock:
            for wid, entry in list(self.mirrored.items()):
                if sys.getrefcount(entry.obj) <= _UNREFERENCED:
                    del self.mirrored[wid]
                    self.mirrored_ids.pop(id(entry.obj), None)
                    out.release.append([wid, entry.received])
                elif not _same(entry.snapshot, entry.obj):
                    out.sync.append(self._encode(entry.obj, out, set()))
            for wid, owned in list(self.stateful.items()):
                state = self.stand_ins.own_state(owned.obj)
                if state is not None and state != owned.state:
                    owned.state = state
                    out.sync.append({"$obj": wid, "state": self._encode_plain(state, out)})
            while self._released:
                wid, count = self._released.popleft()
                out.release.append([wid, count])

    def _encode_plain(self, value: Any, out: Outgoing) -> Json:
        """A state: plain JSON already (``StandIns.own_state``), sent as it is."""
        return value

    def _encode(self, value: Any, out: Outgoing, active: set[int]) -> Json:
        kind = type(value)
        if kind is str:
            strings = self.strings
            if strings.get(value) is not value:
                strings[value] = value
                if len(strings) > SENT_STRINGS:
                    strings.popitem(last=False)
            return value
        if value is None or kind is bool:
            return value
        if kind is int:
            return value if abs(value) < 2**53 else {"$int": str(value)}
        if kind is float:
            return value if math.isfinite(value) else {"$float": repr(value)}
        key = id(value)
        wid = self.peer_ids.get(key)
        if wid is not None:
            if self.peer.get(wid) is value:
                return {"$obj": wid}
            if self.peer_exceptions.get(wid) is value:
                return {"$exc": wid}
        if kind is list or kind is dict:
            return self._encode_container(value, out, active)
        if kind is tuple:
            return {"$tuple": [self._encode(v, out, active) for v in value]}
        if kind is set or kind is frozenset:
            return {"$set": [self._encode(v, out, active) for v in value],
                    "frozen": kind is frozenset}
        if isinstance(value, uuid.UUID):
            return {"$uuid": str(value)}
        if isinstance(value, str):
            return {"$str": str(value), "hash": hash(value)}
        if kind is bytes:
            return {"$bytes": base64.b64encode(value).decode("ascii")}
        if isinstance(value, types.TracebackType):
            return None
        if isinstance(value, BaseException):
            return self._encode_exception(value, out)
        if isinstance(value, type) and issubclass(value, BaseException):
            register_exception_class(value)
            return {"$exctype": exception_names(value)}
        special = self.stand_ins.special(value)
        if special is not None:
            return special
        if isinstance(value, type):
            return {"$class": self._class_id(value, out)}
        return self._encode_object(value, out)

    def _encode_container(self, value: Any, out: Outgoing, active: set[int]) -> Json:
        key = id(value)
        tag = "$list" if type(value) is list else "$dict"
        wid = self.mirrored_ids.get(key)
        if wid is None:
            wid = self.new_id("c")
            self.mirrored[wid] = _Mirrored(value, [])
            self.mirrored_ids[key] = wid
        entry = self.mirrored[wid]
        if key in active:  # a container inside itself: the reference alone
            return {tag: wid}
        active.add(key)
        try:
            if tag == "$list":
                items: Any = [self._encode(v, out, active) for v in value]
            else:
                items = [[self._encode(k, out, active), self._encode(v, out, active)]
                         for k, v in value.items()]
        finally:
            active.discard(key)
        entry.sent += 1
        entry.snapshot = _snapshot(value)
        return {tag: wid, "items": items}

    def _encode_exception(self, exc: BaseException, out: Outgoing) -> Json:
        key = id(exc)
        wid = self.own_ids.get(key)
        if wid is None:
            wid = self.new_id("e")
            self.own[wid] = _Owned(exc)
            self.own_ids[key] = wid
        self.own[wid].sent += 1
        register_exception_class(type(exc))
        cause = exc.__cause__
        return {"$exc": wid, "types": exception_names(type(exc)),
                "args": [self._encode(a, out, set()) for a in exc.args],
                "message": _message(exc),
                "cause": self._encode(cause, out, set()) if cause is not None else None}

    def _class_id(self, cls: type, out: Outgoing) -> str:
        cid = self.own_classes.get(id(cls))
        if cid is None:
            cid = self.new_id("C")
            self.own_classes[id(cls)] = cid
            self.own_class_objects[cid] = cls
        if cid not in self.described:
            self.described.add(cid)
            description = self.stand_ins.own_class(cls) or describe_class(
                cls, lambda base: self._class_id(base, out))
            out.classes[cid] = description
        return cid

    def _encode_object(self, value: Any, out: Outgoing) -> Json:
        key = id(value)
        wid = self.own_ids.get(key)
        fresh = wid is None
        if fresh:
            wid = self.new_id()
            self.own[wid] = _Owned(value)
            self.own_ids[key] = wid
        owned = self.own[wid]
        owned.sent += 1
        encoded: dict[str, Any] = {"$obj": wid, "class": self._class_id(type(value), out)}
        if inspect.isfunction(value) or inspect.ismethod(value) or callable(value) and \
                inspect.iscoroutinefunction(value):
            encoded["call"] = method_kind(value)
        state = self.stand_ins.own_state(value)
        if state is not None:
            self.stateful[wid] = owned
            owned.state = state
            encoded["state"] = self._encode_plain(state, out)
        return encoded

    # -- decoding ------------------------------------------------------------------------
    def learn_classes(self, classes: dict[str, Any]) -> None:
        with self.lock:
            self.peer_classes.update(classes)

    def peer_class(self, cid: str) -> Any:
        with self.lock:
            cls = self.peer_class_objects.get(cid)
            if cls is None:
                description = self.peer_classes.get(cid)
                if description is None:
                    raise WireValueError(f"class {cid} was never described")
                cls = self.stand_ins.klass(cid, description)
                self.peer_class_objects[cid] = cls
            return cls

    def decode(self, value: Json) -> Any:
        with self.lock:
            return self._decode(value)

    def apply_sync(self, items: list[Json]) -> None:
        with self.lock:
            for item in items:
                self._decode(item)

    def apply_release(self, items: list[list[Any]]) -> None:
        with self.lock:
            for wid, count in items:
                owned = self.own.get(wid)
                if owned is not None:
                    owned.sent -= count
                    if owned.sent <= 0:
                        del self.own[wid]
                        self.stateful.pop(wid, None)
                        if self.own_ids.get(id(owned.obj)) == wid:
                            del self.own_ids[id(owned.obj)]
                    continue
                mirrored = self.mirrored.get(wid)
                if mirrored is not None:
                    mirrored.sent -= count
                    if mirrored.sent <= 0:
                        del self.mirrored[wid]
                        self.mirrored_ids.pop(id(mirrored.obj), None)

    def _decode(self, value: Json) -> Any:
        if isinstance(value, str):
            return self.strings.get(value, value)
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if isinstance(value, list):
            raise WireValueError("a bare JSON array is no value (lists are {\"$list\": ...})")
        if not isinstance(value, dict) or not value:
            raise WireValueError(f"not a value: {value!r}")
        tag = next(iter(value))
        if tag == "$list" or tag == "$dict":
            return self._decode_container(tag, value)
        if tag == "$obj":
            return self._decode_object(value)
        if tag == "$exc":
            return self._decode_exception(value)
        if tag == "$root":
            try:
                return self.roots[value["$root"]]
            except KeyError:
                raise WireValueError(f"unknown root {value['$root']!r}") from None
        if tag == "$class":
            cid = value["$class"]
            if self.is_own(cid):
                try:
                    return self.own_class_objects[cid]
                except KeyError:
                    raise WireValueError(f"unknown class {cid}") from None
            return self.peer_class(cid)
        if tag == "$uuid":
            return uuid.UUID(value["$uuid"])
        if tag == "$tuple":
            return tuple(self._decode(v) for v in value["$tuple"])
        if tag == "$set":
            items = [self._decode(v) for v in value["$set"]]
            return frozenset(items) if value.get("frozen") else set(items)
        if tag == "$int":
            return int(value["$int"])
        if tag == "$float":
            return float(value["$float"])
        if tag == "$str":
            return _hashed_str(value["$str"], value.get("hash"))
        if tag == "$bytes":
            return base64.b64decode(value["$bytes"])
        if tag == "$exctype":
            return exception_class(list(value["$exctype"]))
        raise WireValueError(f"unknown value tag {tag!r}")

    def _decode_container(self, tag: str, value: dict[str, Any]) -> Any:
        wid = value[tag]
        entry = self.mirrored.get(wid)
        if "items" not in value:
            if entry is None:
                return Released(wid)
            return entry.obj
        if entry is None:
            obj: Any = [] if tag == "$list" else {}
            entry = _Mirrored(obj, [])
            self.mirrored[wid] = entry
            self.mirrored_ids[id(obj)] = wid
        obj = entry.obj
        if tag == "$list":
            items = [self._decode(v) for v in value["items"]]
            if len(items) != len(obj) or any(a is not b for a, b in zip(items, obj)):
                obj[:] = items
        else:
            pairs = [(self._decode(k), self._decode(v)) for k, v in value["items"]]
            if not _same(pairs, obj):
                obj.clear()
                obj.update(pairs)
        entry.received += 1
        entry.snapshot = _snapshot(obj)
        return obj

    def _decode_object(self, value: dict[str, Any]) -> Any:
        wid = value["$obj"]
        if self.is_own(wid):
            owned = self.own.get(wid)
            if owned is None:
                return Released(wid)
            return owned.obj
        stand_in = self.peer.get(wid)
        if stand_in is None:
            cid = value.get("class")
            if cid is None:
                raise WireValueError(f"object {wid} arrived without its class")
            stand_in = self.stand_ins.instance(wid, self.peer_class(cid), value)
            self._adopt(wid, stand_in)
        self.peer_received[wid] = self.peer_received.get(wid, 0) + 1
        if "state" in value:
            self.stand_ins.update(stand_in, value["state"])
        return stand_in

    def _adopt(self, wid: str, stand_in: Any) -> None:
        self.peer[wid] = stand_in
        self.peer_ids[id(stand_in)] = wid
        weakref.finalize(stand_in, self._drop_peer, wid, id(stand_in))

    def _drop_peer(self, wid: str, key: int) -> None:
        """A stand-in was collected (any thread, maybe inside the lock: append only)."""
        count = self.peer_received.pop(wid, 0)
        if self.peer_ids.get(key) == wid:
            self.peer_ids.pop(key, None)
        self._released.append((wid, count))

    def _decode_exception(self, value: dict[str, Any]) -> BaseException:
        wid = value["$exc"]
        if self.is_own(wid):
            owned = self.own.get(wid)
            if owned is None:
                return Released(wid)  # type: ignore[return-value]
            return owned.obj  # type: ignore[no-any-return]
        exc = self.peer_exceptions.get(wid)
        if exc is None:
            if "types" not in value:
                raise WireValueError(f"exception {wid} is unknown here")
            cls = exception_class(list(value.get("types") or []))
            exc = cls.__new__(cls)
            exc.args = tuple(self._decode(a) for a in value.get("args") or [])
            if value.get("message") is not None and not exc.args:
                exc.args = (value["message"],)
            if isinstance(exc, StopIteration):  # its C field ``value`` is set by __init__
                StopIteration.__init__(exc, *exc.args)  # only (NULL crashes a task's step)
            self.peer_exceptions[wid] = exc
            self.peer_ids[id(exc)] = wid
            if len(self.peer_exceptions) > PEER_EXCEPTIONS:
                old, dropped = self.peer_exceptions.popitem(last=False)
                if self.peer_ids.get(id(dropped)) == old:
                    del self.peer_ids[id(dropped)]
                self._released.append((old, self.peer_received.pop(old, 0)))
        else:
            self.peer_exceptions.move_to_end(wid)
        self.peer_received[wid] = self.peer_received.get(wid, 0) + 1
        cause = value.get("cause")
        if cause is not None:
            exc.__cause__ = self._decode(cause)
        return exc

    def peer_wid(self, obj: Any) -> str | None:
        """The peer's id of ``obj`` when ``obj`` stands for a peer object."""
        with self.lock:
            wid = self.peer_ids.get(id(obj))
            if wid is not None and (self.peer.get(wid) is obj
                                    or self.peer_exceptions.get(wid) is obj):
                return wid
            return None


class Released(Exception):
    """What an id of an earlier epoch (or one released) decodes to: any use of it fails
    with this message. An exception, so that it can also be raised where one is due."""

    def __init__(self, wid: str) -> None:
        super().__init__(f"object {wid} belongs to an earlier test and was released")
        self.wid = wid

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise self

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise self


def _message(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # noqa: BLE001 - a broken __str__ is still an exception to carry
        return f"<{type(exc).__name__}: unprintable>"


_hashed: dict[int, type] = {}


def _hashed_str(text: str, hash_value: int | None) -> str:
    """A ``str`` subclass instance that hashes as the peer's did (set orders depend on it)."""
    if hash_value is None:
        return text
    cls = _hashed.get(hash_value)
    if cls is None:
        cls = _hashed.setdefault(hash_value, type(
            "WireStr", (str,), {"__hash__": lambda self, _h=hash_value: _h,
                                "__eq__": str.__eq__}))
    return cls(text)

"""Lane-neutral mux logic: projections, protocol events, routing, results."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, Generic, Literal, NotRequired, Self, TypedDict, TypeVar

from reference import arguments
from ._core import ChannelBase

C = TypeVar("C", bound=ChannelBase[Any])


@dataclass(frozen=True)
class Projection:
    """A projection of a run: the ``data`` of every event with this ``method``
    and ``namespace`` (None: any namespace).

    ``maxlen`` bounds its log; ``native`` projections are also attributes of
    the run stream. The fields are checked here, ``maxlen`` by the log it bounds
    (RS-BP-4); a namespace given as a list is kept as a tuple.
    """

    name: str
    method: str
    namespace: tuple[str, ...] | None = ()
    maxlen: int | None = None
    native: bool = True

    def __post_init__(self) -> None:
        arguments.text("name", self.name)
        arguments.text("method", self.method)
        if self.namespace is not None:
            namespace = tuple(arguments.strings("namespace", self.namespace))
            object.__setattr__(self, "namespace", namespace)  # frozen
        arguments.instance("native", self.native, bool)

    def matches(self, event: ProtocolEvent) -> bool:
        if event["method"] != self.method:
            return False
        return self.namespace is None or event["params"]["namespace"] == self._namespace_list

    @cached_property
    def _namespace_list(self) -> list[str] | None:
        """``namespace`` as events carry it, built once."""
        return None if self.namespace is None else list(self.namespace)


class EventParams(TypedDict):
    namespace: list[str]
    data: Any
    interrupts: NotRequired[list[Any]]


class ProtocolEvent(TypedDict):
    """One entry of the main log."""

    type: Literal["event"]
    method: str
    params: EventParams
    seq: NotRequired[int]


SOURCE_EVENT_KEYS = ("method", "namespace", "data")


def to_protocol_event(event: Mapping[str, Any]) -> ProtocolEvent:
    """Convert a source event ``{"method", "namespace", "data", "interrupts"?}``.

    A malformed event raises ``TypeError`` (not a mapping, a field of the wrong type) or
    ``ValueError`` (a key missing), naming what is wrong, before it is routed anywhere.
    """
    if not isinstance(event, Mapping):
        arguments.refuse("event", "a mapping", event)
    missing = [key for key in SOURCE_EVENT_KEYS if key not in event]
    if missing:
        raise ValueError(f"event lacks {', '.join(map(repr, missing))}: a source event has "
                         f"'method', 'namespace', 'data' and optionally 'interrupts'")
    params: EventParams = {
        "namespace": arguments.strings("event['namespace']", event["namespace"]),
        "data": event["data"]}
    if "interrupts" in event:
        params["interrupts"] = arguments.sequence("event['interrupts']", event["interrupts"])
    method = arguments.text("event['method']", event["method"])
    return {"type": "event", "method": method, "params": params}


@dataclass
class RunResult:
    """What the result methods report, kept up to date as events are routed."""

    latest: Any = None
    interrupted: bool = False
    interrupts: list[Any] = field(default_factory=list)

    def observe(self, params: EventParams) -> None:
        """Record one ``values`` event of the run's own namespace (RS-RES-1..3)."""
        self.latest = params["data"]
        for interrupt in params.get("interrupts", ()):
            self.interrupted = True
            if interrupt not in self.interrupts:  # each distinct interrupt once (RS-RES-7)
                self.interrupts.append(interrupt)


class MuxCore(Generic[C]):
    """Routes events to the main log, the projections and child muxes.

    ``scope`` is the namespace this mux stands for: its built-in ``values``
    projection and its results follow ``values`` events of exactly that
    namespace (RS-DELIV-4). A child mux (see ``child``) receives the events
    inside its scope from its parent.
    """

    def __init__(self, projections: Sequence[Projection] = (), *,
                 scope: Sequence[str] = ()) -> None:
        declared = arguments.items("projections", projections, Projection,
                                   "a list of Projection")
        self.scope: tuple[str, ...] = tuple(arguments.strings("scope", scope))
        self._scope_list = list(self.scope)  # the scope as events carry namespaces
        self.result = RunResult()
        self._seq = 0
        self._closed = False
        self._error: BaseException | None = None
        self._parent: Self | None = None
        self._children: list[Self] = []
        if all(p.name != "values" for p in declared):
            declared.insert(0, Projection("values", "values", self.scope))
        names = [p.name for p in declared]
        if len(set(names)) != len(names):
            raise ValueError(f"projection names must be unique, got {names}")
        self._routes = [(p, self._new_channel(p.name, p.maxlen)) for p in declared]
        self.main_log: C = self._new_channel(None, None)
        self.extensions: Mapping[str, C] = MappingProxyType(
            {p.name: channel for p, channel in self._routes})
        self.native_keys = frozenset(p.name for p in declared if p.native)

    def _new_channel(self, name: str | None, maxlen: int | None) -> C:
        raise NotImplementedError

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def error(self) -> BaseException | None:
        """The run's failure, once the mux has failed."""
        return self._error

    def child(self, path: Sequence[str], projections: Sequence[Projection] = ()) -> Self:
        """A mux for the nested namespace ``path``, fed by this one."""
        scope = tuple(arguments.strings("path", path))
        if len(scope) <= len(self.scope) or scope[:len(self.scope)] != self.scope:
            raise ValueError(f"path {scope!r} is not nested in scope {self.scope!r}")
        child = type(self)(projections, scope=scope)
        child._parent = self
        if self._error is not None:
            child.fail(self._error)
        elif self._closed:
            child.close()
        self._children.append(child)
        return child

    def _stamp(self, event: ProtocolEvent) -> None:
        """Give ``event`` the next sequence number (RS-DELIV-2)."""
        self._seq += 1
        event["seq"] = self._seq

    def _observe(self, event: ProtocolEvent) -> None:
        """Update the results of this mux and of the children ``event`` is in."""
        if event["method"] == "values" and event["params"]["namespace"] == self._scope_list:
            self.result.observe(event["params"])
        for child in self._children_of(event):
            child._observe(event)

    def _deliveries(self, event: ProtocolEvent) -> list[tuple[C, Any]]:
        """Each (channel, item) the event goes to, in delivery order."""
        out: list[tuple[C, Any]] = [(self.main_log, event)]
        out += [(ch, event["params"]["data"]) for p, ch in self._routes if p.matches(event)]
        for child in self._children_of(event):
            out += child._deliveries(event)
        return out

    def _children_of(self, event: ProtocolEvent) -> list[Self]:
        if not self._children:
            return []
        namespace = tuple(event["params"]["namespace"])
        return [c for c in self._children
                if not c._closed and namespace[:len(c.scope)] == c.scope]

    def _channels(self) -> list[C]:
        return [channel for _, channel in self._routes] + [self.main_log]

    def close(self) -> None:
        """End the run cleanly: every reader finishes after its buffer."""
        if self._closed:
            return
        self._closed = True
        for channel in self._channels():
            channel.close()
        for child in self._children:
            child.close()

    def fail(self, error: BaseException) -> None:
        """End the run with ``error``: every reader raises it after its buffer."""
        if self._closed:
            return
        self._closed, self._error = True, error
        for channel in self._channels():
            channel.fail(error)
        for child in self._children:
            child.fail(error)

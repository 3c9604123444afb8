"""The adapter contract: what an implementation gives runcert to be certified.

An adapter is one module-level :class:`Adapter` object. It names the implementation,
declares its capabilities, lists its known deviations (rule ID -> reason) and hands
over the factories the suites drive. The full contract is documented in
``specs/adapter.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Capabilities an adapter may declare. A suite that needs an undeclared capability
# reports its rules as "not applicable", never as a pass.
CB_SYNC = "callbacks.sync"  # sync CallbackManager and run managers
CB_ASYNC = "callbacks.async"  # AsyncCallbackManager and async run managers
CB_TRACE_GROUP = "callbacks.trace_group"  # trace_as_chain_group / atrace_as_chain_group
CB_VERBOSE = "callbacks.verbose"  # configure(verbose=True) adds a stdout handler
RS_ASYNC = "streams.async"  # async run streams
RS_SYNC = "streams.sync"  # the sync run-stream lane
RS_NESTED = "streams.nested"  # nested run streams driven by an outer pump
RS_GRAPH_E2E = "streams.graph_e2e"  # run streams of real compiled graphs (LangGraph only)

KNOWN_CAPABILITIES = frozenset(
    {CB_SYNC, CB_ASYNC, CB_TRACE_GROUP, CB_VERBOSE, RS_ASYNC, RS_SYNC, RS_NESTED, RS_GRAPH_E2E}
)


@dataclass(frozen=True)
class CallbackFactories:
    """The callback-manager half of an implementation.

    The kit only ever uses the public, documented API of these classes
    (``configure``, ``on_*_start``, run-manager event methods, ``get_child`` ...).
    """

    callback_manager: type  # sync manager class with a ``configure`` classmethod
    async_callback_manager: type | None  # async manager class, or None
    base_handler: type  # sync handler base class the kit subclasses to record
    async_handler: type | None  # async handler base class (coroutine event methods)
    stdout_handler: type | None = None  # the class ``verbose=True`` adds
    trace_as_chain_group: Callable[..., Any] | None = None
    atrace_as_chain_group: Callable[..., Any] | None = None


@dataclass(frozen=True)
class ProjectionSpec:
    """A projection the kit declares on a run stream, by name.

    It receives the ``data`` of every event whose ``method`` equals ``method`` and whose
    namespace equals ``namespace`` (``None``: any namespace). ``maxlen`` bounds its log
    (``None``: unbounded). ``native`` projections are also attributes of the run.
    """

    name: str
    method: str
    namespace: tuple[str, ...] | None = ()
    maxlen: int | None = None
    native: bool = True


#: Scripted events the kit's sources yield (implementation-neutral protocol events):
#: ``{"method": str, "namespace": list[str], "data": Any}`` plus optional
#: ``"interrupts": list``. Adapters convert them to what their run stream consumes.
ScriptEvent = dict[str, Any]


@dataclass(frozen=True)
class StreamFactories:
    """The run-stream half of an implementation (see ``specs/adapter.md``).

    ``open_run(source, projections)`` builds an async run stream over ``source`` (an
    async iterator of ScriptEvents, which the kit instruments) with the built-in
    ``values`` projection plus ``projections``; it must not pull the source.
    ``tee(projection, n)`` fans a projection out (default: ``projection.tee(n)``, the
    spelling the contract requires, which RS-PROJ-5 checks separately).
    ``open_sync_run`` and ``nested`` serve the optional sync and nested lanes.
    """

    open_run: Callable[[Any, Sequence[ProjectionSpec]], Any]
    tee: Callable[[Any, int], Any] | None = None
    open_sync_run: Callable[[Any, Sequence[ProjectionSpec]], Any] | None = None
    nested: Callable[[Any, tuple[str, ...]], Any] | None = None

    def fan_out(self, projection: Any, n: int) -> Any:
        return self.tee(projection, n) if self.tee else projection.tee(n)


@dataclass(frozen=True)
class Adapter:
    """An implementation under test, as runcert sees it."""

    name: str
    version: str
    capabilities: frozenset[str]
    deviations: Mapping[str, str] = field(default_factory=dict)
    callbacks: CallbackFactories | None = None
    streams: StreamFactories | None = None
    description: str = ""

    def has(self, capability: str) -> bool:
        return capability in self.capabilities


class AdapterError(ValueError):
    """An adapter object that does not satisfy the contract."""


def validate_adapter(obj: object, origin: str) -> Adapter:
    """Check ``obj`` is a usable :class:`Adapter`; raise AdapterError naming what is wrong."""
    if not isinstance(obj, Adapter):
        raise AdapterError(
            f"{origin} is a {type(obj).__name__}, not a conformance.adapter.Adapter"
        )
    unknown = set(obj.capabilities) - KNOWN_CAPABILITIES
    if unknown:
        raise AdapterError(
            f"{origin} declares unknown capabilities {sorted(unknown)}; "
            f"known: {sorted(KNOWN_CAPABILITIES)}"
        )
    if any(c.startswith("callbacks.") for c in obj.capabilities) and obj.callbacks is None:
        raise AdapterError(f"{origin} declares callback capabilities but has no `callbacks`")
    if any(c.startswith("streams.") for c in obj.capabilities) and obj.streams is None:
        raise AdapterError(f"{origin} declares stream capabilities but has no `streams`")
    for rule, reason in obj.deviations.items():
        if not isinstance(reason, str) or not reason.strip():
            raise AdapterError(f"{origin}: deviation {rule} needs a one-line reason")
    return obj

"""The adapter contract: what an implementation gives runcert to be certified.

An adapter is one module-level :class:`Adapter` object. It names the implementation,
declares its capabilities, lists its known deviations (rule ID -> reason, or
:class:`Deviation` entries that hold for a range of versions) and hands over the
factories the suites drive. The full contract is documented in ``specs/adapter.md``.
"""

from __future__ import annotations

import importlib.metadata
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Union

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

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


#: The callback lanes, by the capability that declares each.
CALLBACK_LANES = {"sync": CB_SYNC, "async": CB_ASYNC}


@dataclass(frozen=True)
class CallbackFactories:
    """The callback-manager half of an implementation.

    The kit only ever uses the public, documented API of these classes
    (``configure``, ``on_*_start``, run-manager event methods, ``get_child`` ...).
    Every factory is optional: an implementation may have one lane only (sync, or async
    like LangChain.js). A declared capability needs the factories listed for it in
    :data:`FACTORIES_NEEDED`; the factories of an undeclared lane are never used.
    """

    callback_manager: type | None = None  # sync manager class with a ``configure`` classmethod
    async_callback_manager: type | None = None  # async manager class
    base_handler: type | None = None  # sync handler base class the kit subclasses to record
    async_handler: type | None = None  # async handler base class (coroutine event methods)
    stdout_handler: type | None = None  # the class ``verbose=True`` adds
    trace_as_chain_group: Callable[..., Any] | None = None
    atrace_as_chain_group: Callable[..., Any] | None = None

    def missing_for(self, capabilities: frozenset[str]) -> dict[str, list[str]]:
        """Declared capability -> the factories it needs that are ``None`` (empty: none)."""
        missing: dict[str, list[str]] = {}
        for needs, names in FACTORIES_NEEDED.items():
            if needs <= capabilities:
                absent = [n for n in names if getattr(self, n) is None]
                if absent:
                    missing.setdefault(" with ".join(sorted(needs)), []).extend(absent)
        return missing

    def of_lanes(self, capabilities: frozenset[str]) -> CallbackFactories:
        """These factories without those of the lanes ``capabilities`` leave undeclared.

        The capability is the declaration: a lane not declared is not certified, so the
        kit must not drive its classes either (an async handler in a sync-lane test
        would certify part of a lane the adapter does not claim).
        """
        dropped = {name: None for lane, names in LANE_FACTORIES.items()
                   if lane not in capabilities for name in names}
        return replace(self, **dropped) if dropped else self


#: The factories of each lane: what its capability needs, and what the kit ignores
#: when the lane is not declared.
LANE_FACTORIES: dict[str, tuple[str, ...]] = {
    CB_SYNC: ("callback_manager", "base_handler", "trace_as_chain_group"),
    CB_ASYNC: ("async_callback_manager", "async_handler", "atrace_as_chain_group"),
}
#: Capabilities declared together -> the callback factories they need.
FACTORIES_NEEDED: dict[frozenset[str], tuple[str, ...]] = {
    frozenset({CB_SYNC}): ("callback_manager", "base_handler"),
    frozenset({CB_ASYNC}): ("async_callback_manager", "async_handler"),
    frozenset({CB_SYNC, CB_TRACE_GROUP}): ("trace_as_chain_group",),
    frozenset({CB_ASYNC, CB_TRACE_GROUP}): ("atrace_as_chain_group",),
    frozenset({CB_VERBOSE}): ("stdout_handler",),
}


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
class Deviation:
    """A known deviation and the versions of the implementation it holds for.

    ``versions`` is a PEP 440 specifier set (``">=0.3,<1.2.5"``), like web-platform-tests'
    conditional expectations: the same manifest describes every release, and a release
    outside the range is expected to meet the rule. ``""`` holds for every version.
    """

    reason: str
    versions: str = ""

    def holds_for(self, version: str) -> bool:
        if not self.versions:
            return True
        return parse_version(version) in SpecifierSet(self.versions)


#: What a manifest maps a rule ID to: a reason (every version), one entry or several.
ManifestEntry = Union[str, Deviation, Sequence[Deviation]]


def entries(value: ManifestEntry) -> list[Deviation]:
    """A manifest value as its list of :class:`Deviation` entries."""
    if isinstance(value, str):
        return [Deviation(value)]
    if isinstance(value, Deviation):
        return [value]
    return list(value)


def parse_version(version: str) -> Version:
    try:
        return Version(version)
    except InvalidVersion:
        raise AdapterError(f"version {version!r} is not a PEP 440 version, so version "
                           "ranges cannot be evaluated for it") from None


@dataclass(frozen=True)
class Adapter:
    """An implementation under test, as runcert sees it.

    ``deviations`` is the manifest, for every version the adapter supports;
    :attr:`known_deviations` is the part that holds for ``version``, the one certified.
    ``supported`` (a PEP 440 specifier set, ``""``: any) is the range of versions the
    manifest was established for; certifying another version is a usage error.
    """

    name: str
    version: str
    capabilities: frozenset[str]
    deviations: Mapping[str, ManifestEntry] = field(default_factory=dict)
    callbacks: CallbackFactories | None = None
    streams: StreamFactories | None = None
    description: str = ""
    supported: str = ""

    def has(self, capability: str) -> bool:
        return capability in self.capabilities

    @cached_property
    def known_deviations(self) -> dict[str, str]:
        """Rule ID -> reason, for the entries that hold for this adapter's version."""
        known: dict[str, str] = {}
        for rule, value in self.deviations.items():
            holding = [d.reason for d in entries(value) if d.holds_for(self.version)]
            if holding:
                known[rule] = holding[0]
        return known

    def manifest(self) -> dict[str, list[Deviation]]:
        """Rule ID -> every entry, whichever versions they hold for."""
        return {rule: entries(value) for rule, value in self.deviations.items()}


class AdapterError(ValueError):
    """An adapter object that does not satisfy the contract."""


def validate_adapter(obj: object, origin: str) -> Adapter:
    """Check ``obj`` is a usable :class:`Adapter`; raise AdapterError naming what is wrong.

    Returns the adapter the kit certifies: ``obj`` with the callback factories of its
    undeclared lanes dropped (:meth:`CallbackFactories.of_lanes`), so that a test needing
    such a lane finds it absent and is not applicable, whatever the adapter handed over.
    """
    if not isinstance(obj, Adapter):
        raise AdapterError(
            f"{origin} is a {type(obj).__name__}, not a conformance.adapter.Adapter"
        )
    _validate_shapes(obj, origin)
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
    _validate_factories(obj, origin)
    _validate_versions(obj, origin)
    _validate_manifest(obj, origin)
    validate_signatures(obj, origin)
    if obj.callbacks is not None:
        obj = replace(obj, callbacks=obj.callbacks.of_lanes(obj.capabilities))
    return obj


def _validate_factories(obj: Adapter, origin: str) -> None:
    """A declared capability whose factories are missing is one usage error before any
    test runs, not hundreds of failures that blame the implementation for the adapter."""
    if obj.callbacks is None:
        return
    if not isinstance(obj.callbacks, CallbackFactories):
        raise AdapterError(f"{origin}: `callbacks` is a {type(obj.callbacks).__name__}, "
                           "not a conformance.adapter.CallbackFactories")
    missing = obj.callbacks.missing_for(frozenset(obj.capabilities))
    if missing:
        raise AdapterError(f"{origin} declares " + "; ".join(
            f"{needs} but its CallbackFactories has no {', '.join(names)}"
            for needs, names in missing.items()) + " (a declared capability needs its "
            "factories; leave the capability out to certify without that lane)")


def _validate_shapes(obj: Adapter, origin: str) -> None:
    """Fields whose type would otherwise be misread: one capability string iterated as
    characters, a manifest keyed by something other than rule IDs."""
    if isinstance(obj.capabilities, (str, bytes)) or not isinstance(
            obj.capabilities, (set, frozenset, list, tuple)):
        raise AdapterError(f"{origin}: capabilities must be a set of capability names, not "
                           f"{type(obj.capabilities).__name__} {obj.capabilities!r}")
    if not isinstance(obj.deviations, Mapping):
        raise AdapterError(f"{origin}: deviations must be a mapping of rule IDs to reasons, "
                           f"not {type(obj.deviations).__name__}")
    bad = [key for key in obj.deviations if not isinstance(key, str)]
    if bad:
        raise AdapterError(f"{origin}: deviation keys must be rule IDs (strings), not "
                           f"{bad[0]!r} ({type(bad[0]).__name__})")


#: Factory field -> the arguments the kit calls it with (a sample of each, for
#: ``inspect.Signature.bind``), so that a factory of the wrong shape is one error naming
#: the field instead of one TypeError per test.
_CALLS: dict[str, tuple[str, tuple[Any, ...], dict[str, Any]]] = {
    "streams.open_run": ("(source, projections)", (None, ()), {}),
    "streams.open_sync_run": ("(source, projections)", (None, ()), {}),
    "streams.tee": ("(projection, n)", (None, 2), {}),
    "streams.nested": ("(run, path)", (None, ()), {}),
    "callbacks.trace_as_chain_group": (
        "(name, callback_manager=, inputs=, tags=, metadata=)", ("group",),
        {"callback_manager": None, "inputs": None, "tags": None, "metadata": None}),
    "callbacks.atrace_as_chain_group": (
        "(name, callback_manager=, inputs=, tags=, metadata=)", ("group",),
        {"callback_manager": None, "inputs": None, "tags": None, "metadata": None}),
    "callbacks.callback_manager.configure": (
        "(inheritable_callbacks=, local_callbacks=, verbose=, inheritable_tags=, "
        "local_tags=, inheritable_metadata=, local_metadata=)", (),
        dict.fromkeys(("inheritable_callbacks", "local_callbacks", "verbose",
                       "inheritable_tags", "local_tags", "inheritable_metadata",
                       "local_metadata"))),
}
_CALLS["callbacks.async_callback_manager.configure"] = _CALLS[
    "callbacks.callback_manager.configure"]
_CLASSES = ("callback_manager", "async_callback_manager", "base_handler", "async_handler",
            "stdout_handler")


def validate_signatures(obj: Adapter, origin: str) -> None:
    """Each factory the adapter hands over accepts the arguments the kit passes it (where
    its signature can be read); the handler and manager fields are classes."""
    for name in _CLASSES:
        value = getattr(obj.callbacks, name, None) if obj.callbacks is not None else None
        if value is not None and not isinstance(value, type):
            raise AdapterError(f"{origin}: callbacks.{name} must be a class, not "
                               f"{type(value).__name__} {value!r}")
    for field_name, (shape, args, kwargs) in _CALLS.items():
        value: Any = obj
        for part in field_name.split("."):
            value = getattr(value, part, None)
        if value is None:
            continue
        if not callable(value):
            raise AdapterError(f"{origin}: {field_name} must be callable as {shape}, not "
                               f"{type(value).__name__}")
        try:
            signature = inspect.signature(value)
        except (TypeError, ValueError):
            continue  # a builtin or C callable: nothing to read
        try:
            signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise AdapterError(f"{origin}: {field_name} must accept {shape}: {exc}") from None


def _validate_versions(obj: Adapter, origin: str) -> None:
    if not obj.supported:
        return
    try:
        supported = SpecifierSet(obj.supported)
    except InvalidSpecifier:
        raise AdapterError(f"{origin}: supported={obj.supported!r} is not a PEP 440 "
                           "specifier set") from None
    try:
        inside = parse_version(obj.version) in supported
    except AdapterError as exc:
        raise AdapterError(f"{origin}: {exc}") from None
    if not inside:
        raise UnsupportedVersion(obj.name, obj.version, obj.supported)


def _validate_manifest(obj: Adapter, origin: str) -> None:
    for rule, value in obj.deviations.items():
        if not isinstance(value, (str, Deviation, Sequence)) or (
                not isinstance(value, (str, Deviation))
                and not all(isinstance(d, Deviation) for d in value)):
            raise AdapterError(f"{origin}: deviation {rule} must be a reason, a Deviation or "
                               f"a list of Deviations, not {type(value).__name__}")
        for entry in entries(value):
            if not isinstance(entry.reason, str) or not entry.reason.strip():
                raise AdapterError(f"{origin}: deviation {rule} needs a one-line reason")
            try:
                SpecifierSet(entry.versions)
                if entry.versions:
                    parse_version(obj.version)
            except InvalidSpecifier:
                raise AdapterError(f"{origin}: deviation {rule}: versions="
                                   f"{entry.versions!r} is not a PEP 440 specifier set") from None
            except AdapterError as exc:
                raise AdapterError(f"{origin}: deviation {rule}: {exc}") from None


class UnsupportedVersion(AdapterError):
    """The installed version of an implementation is outside its adapter's range."""

    def __init__(self, name: str, version: str, supported: str) -> None:
        super().__init__(f"{name} {version} is outside the versions this adapter supports "
                         f"({supported}); install a version in that range")
        self.name, self.version, self.supported = name, version, supported


def require_version(distribution: str, supported: str, name: str | None = None) -> str:
    """The installed version of ``distribution``, if it lies in ``supported``.

    Built-in adapters call it before importing their library, so that an unsupported
    release is one clear error naming the range, not an ImportError from deep inside.
    """
    installed = importlib.metadata.version(distribution)
    if parse_version(installed) not in SpecifierSet(supported):
        raise UnsupportedVersion(name or distribution, installed, supported)
    return installed

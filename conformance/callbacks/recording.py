"""Recording handlers: subclasses of the implementation's own handler base classes.

``make_handler(adapter, label, ...)`` returns an instance of a subclass of the
adapter's ``base_handler`` (``is_async=False``) or ``async_handler`` (``is_async=True``;
``None``, the default: whichever the implementation has, sync first) whose every
event method appends an :class:`Event` to a shared :class:`Log`. Flags
(``raise_error``, ``run_inline``, ``ignore_*``) are set per instance, so the kit tests
the implementation's own reading of them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from conformance.adapter import CB_ASYNC, CB_SYNC, Adapter
from conformance.callbacks.lanes import not_applicable

# Event name -> names of its positional payload arguments (LangChain's signatures).
EVENTS: dict[str, tuple[str, ...]] = {
    "on_llm_start": ("serialized", "prompts"),
    "on_chat_model_start": ("serialized", "messages"),
    "on_llm_new_token": ("token",),
    "on_llm_end": ("response",),
    "on_llm_error": ("error",),
    "on_chain_start": ("serialized", "inputs"),
    "on_chain_end": ("outputs",),
    "on_chain_error": ("error",),
    "on_agent_action": ("action",),
    "on_agent_finish": ("finish",),
    "on_tool_start": ("serialized", "input_str"),
    "on_tool_end": ("output",),
    "on_tool_error": ("error",),
    "on_retriever_start": ("serialized", "query"),
    "on_retriever_end": ("documents",),
    "on_retriever_error": ("error",),
    "on_text": ("text",),
    "on_retry": ("retry_state",),
    "on_custom_event": ("name", "data"),
}
START_EVENTS = frozenset(e for e in EVENTS if e.endswith("_start"))
END_EVENTS = frozenset(e for e in EVENTS if e.endswith("_end") or e.endswith("_error"))
IGNORE_FLAGS = ("llm", "retry", "chain", "agent", "retriever", "chat_model", "custom_event")


@dataclass
class Event:
    """One handler call, as the handler saw it."""

    handler: str
    name: str
    args: dict[str, Any]
    run_id: UUID | None
    parent_run_id: UUID | None
    tags: list[str] | None
    metadata: dict[str, Any] | None
    kwargs: dict[str, Any]
    thread: int
    raw_tags: Any = None  # the very object received (identity checks)
    raw_metadata: Any = None


@dataclass
class Log:
    """Every event every recording handler received, in arrival order (thread-safe)."""

    events: list[Event] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, event: Event) -> None:
        with self.lock:
            self.events.append(event)

    def of(self, handler: str) -> list[Event]:
        return [e for e in self.events if e.handler == handler]

    def named(self, name: str, handler: str | None = None) -> list[Event]:
        return [e for e in self.events if e.name == name and handler in (None, e.handler)]

    def for_run(self, run_id: UUID, handler: str | None = None) -> list[Event]:
        return [e for e in self.events if e.run_id == run_id and handler in (None, e.handler)]


Hook = Callable[[Event], Any]


def _record(self: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Event:
    payload = dict(zip(EVENTS[name], args))
    rest = dict(kwargs)
    for arg in EVENTS[name][len(args):]:  # payload passed by keyword (e.g. token=...)
        if arg in rest:
            payload[arg] = rest.pop(arg)
    tags, metadata = rest.pop("tags", None), rest.pop("metadata", None)
    event = Event(
        handler=self.label,
        name=name,
        args=payload,
        run_id=rest.pop("run_id", None),
        parent_run_id=rest.pop("parent_run_id", None),
        tags=list(tags) if tags is not None else None,
        metadata=dict(metadata) if metadata is not None else None,
        kwargs=rest,
        thread=threading.get_ident(),
        raw_tags=tags,
        raw_metadata=metadata,
    )
    self.log.add(event)
    return event


def _sync_method(name: str) -> Callable[..., Any]:
    def method(self: Any, *args: Any, **kwargs: Any) -> None:
        event = _record(self, name, args, kwargs)
        hook = self.hooks.get(name) or self.hooks.get("*")
        if hook is not None:
            hook(event)
        if name in self.fail_on:
            raise RuntimeError(f"handler {self.label} fails on {name}")

    method.__name__ = name
    return method


def _async_method(name: str) -> Callable[..., Any]:
    async def method(self: Any, *args: Any, **kwargs: Any) -> None:
        event = _record(self, name, args, kwargs)
        hook = self.hooks.get(name) or self.hooks.get("*")
        if hook is not None:
            result = hook(event)
            if hasattr(result, "__await__"):
                await result
        if name in self.fail_on:
            raise RuntimeError(f"handler {self.label} fails on {name}")

    method.__name__ = name
    return method


def _flag(flag: str) -> property:
    return property(lambda self: flag in self.ignored)


_classes: dict[tuple[type, bool], type] = {}


def recorder_class(base: type, is_async: bool) -> type:
    """A subclass of ``base`` that records every event (cached per base class)."""
    key = (base, is_async)
    if key not in _classes:
        make = _async_method if is_async else _sync_method
        namespace: dict[str, Any] = {name: make(name) for name in EVENTS}
        namespace.update({f"ignore_{flag}": _flag(flag) for flag in IGNORE_FLAGS})
        namespace["__repr__"] = lambda self: f"<{type(self).__name__} {self.label}>"
        kind = "Async" if is_async else "Sync"
        _classes[key] = type(f"Recording{kind}Handler", (base,), namespace)
    return _classes[key]


def handler_kinds(adapter: Adapter) -> list[bool]:
    """The kinds of handler (``is_async``) the implementation has: those of its lanes."""
    factories = adapter.callbacks
    if factories is None:
        return []
    return [kind for kind, base in ((False, factories.base_handler),
                                    (True, factories.async_handler)) if base is not None]


def handler_kind(adapter: Adapter, is_async: bool | None) -> bool:
    """``is_async`` as asked, or for ``None`` (a test indifferent to the kind) the sync
    kind when the implementation has it, else the async one: so a scenario that merely
    needs *a* handler also runs on an implementation with the async lane only."""
    if is_async is not None:
        return is_async
    kinds = handler_kinds(adapter)
    return kinds[0] if kinds else False


def make_handler(
    adapter: Adapter,
    label: str,
    log: Log,
    *,
    is_async: bool | None = None,
    raise_error: bool = False,
    run_inline: bool = False,
    ignore: Iterable[str] = (),
    fail_on: Iterable[str] = (),
    hooks: dict[str, Hook] | None = None,
) -> Any:
    """A recording handler of the implementation's own handler class.

    A kind the implementation lacks (its lane is not declared) makes the test that
    asked for it *not applicable*: the scenario cannot be played without it.
    """
    factories = adapter.callbacks
    assert factories is not None, "adapter has no callback factories"
    is_async = handler_kind(adapter, is_async)
    base = factories.async_handler if is_async else factories.base_handler
    if base is None:
        not_applicable(CB_ASYNC if is_async else CB_SYNC,
                       f"{'an async' if is_async else 'a sync'} handler", adapter.name)
    handler = recorder_class(base, is_async).__new__(recorder_class(base, is_async))
    try:
        base.__init__(handler)
    except TypeError:  # a base class whose __init__ needs arguments: leave it be
        pass
    handler.label = label
    handler.log = log
    handler.raise_error = raise_error
    handler.run_inline = run_inline
    handler.ignored = frozenset(ignore)
    handler.fail_on = frozenset(fail_on)
    handler.hooks = dict(hooks or {})
    unknown = set(handler.ignored) - set(IGNORE_FLAGS)
    if unknown:
        raise ValueError(f"unknown ignore flags {sorted(unknown)}")
    return handler

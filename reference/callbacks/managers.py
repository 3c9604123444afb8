"""Callback managers: they hold handlers, tags and metadata, and start runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeAlias, TypeVar
from uuid import UUID, uuid4

from reference import arguments
from .base import BaseCallbackHandler
from .dispatch import ahandle_event, handle_event
from .run_managers import (
    AsyncCallbackManagerForChainRun,
    AsyncCallbackManagerForChatModelRun,
    AsyncCallbackManagerForLLMRun,
    AsyncCallbackManagerForRetrieverRun,
    AsyncCallbackManagerForToolRun,
    BaseRunManager,
    CallbackManagerForChainRun,
    CallbackManagerForChatModelRun,
    CallbackManagerForLLMRun,
    CallbackManagerForRetrieverRun,
    CallbackManagerForToolRun,
)
from .stdout import StdOutCallbackHandler

R = TypeVar("R", bound=BaseRunManager)
T = TypeVar("T")


class BaseCallbackManager:
    """Handlers, tags and metadata, each split into local and inheritable.

    Local entries apply to runs started here; inheritable ones also reach
    sub-runs through ``get_child``. Every list and dict is copied on
    construction, never shared with the caller.

    Every argument is checked where it is given, before anything changes (see
    ``reference.arguments``): handlers are ``BaseCallbackHandler`` instances,
    tags and prompts lists of str (never a str), metadata a mapping with str
    keys, run ids ``uuid.UUID``; a bad one raises ``TypeError`` naming it and
    leaves the manager as it was. Flags (``inherit``, ``verbose``) are read for
    their truth, as Python reads flags.
    """

    def __init__(self, handlers: list[BaseCallbackHandler],
                 inheritable_handlers: list[BaseCallbackHandler] | None = None,
                 parent_run_id: UUID | None = None, *, tags: list[str] | None = None,
                 inheritable_tags: list[str] | None = None,
                 metadata: dict[str, Any] | None = None,
                 inheritable_metadata: dict[str, Any] | None = None) -> None:
        """Hold checked copies of the given fields; ``None`` becomes empty (CB-CONS-1)."""
        self._hold(
            handlers=handler_list("handlers", handlers),
            inheritable_handlers=([] if inheritable_handlers is None
                                  else handler_list("inheritable_handlers", inheritable_handlers)),
            parent_run_id=arguments.optional_uuid("parent_run_id", parent_run_id),
            tags=arguments.optional_strings("tags", tags),
            inheritable_tags=arguments.optional_strings("inheritable_tags", inheritable_tags),
            metadata=arguments.optional_mapping("metadata", metadata),
            inheritable_metadata=arguments.optional_mapping(
                "inheritable_metadata", inheritable_metadata))

    @classmethod
    def _of(cls, **fields: Any) -> Self:
        """A manager over fields this package holds already (a manager's or a run's):
        they were checked where they were given, and are not checked again for every
        child, copy or merge."""
        manager = cls.__new__(cls)
        manager._hold(**fields)
        return manager

    def _hold(self, *, handlers: list[BaseCallbackHandler],
              inheritable_handlers: list[BaseCallbackHandler], parent_run_id: UUID | None,
              tags: list[str], inheritable_tags: list[str], metadata: dict[str, Any],
              inheritable_metadata: dict[str, Any]) -> None:
        """Keep copies of the fields, never the caller's own lists and dicts."""
        self.handlers: list[BaseCallbackHandler] = list(handlers)
        self.inheritable_handlers: list[BaseCallbackHandler] = list(inheritable_handlers)
        self.parent_run_id: UUID | None = parent_run_id
        self.tags: list[str] = list(tags)
        self.inheritable_tags: list[str] = list(inheritable_tags)
        self.metadata: dict[str, Any] = dict(metadata)
        self.inheritable_metadata: dict[str, Any] = dict(inheritable_metadata)

    @property
    def is_async(self) -> bool:
        """Whether the run-starting methods are coroutines."""
        return False

    def add_handler(self, handler: BaseCallbackHandler, inherit: bool = True) -> None:
        """Add a handler unless present; ``inherit`` also makes it inheritable.

        A handler reaching a manager twice is still called once (CB-SCOPE-4).
        """
        arguments.instance("handler", handler, BaseCallbackHandler)
        _append_new(self.handlers, [handler])
        if inherit:
            _append_new(self.inheritable_handlers, [handler])

    def remove_handler(self, handler: BaseCallbackHandler) -> None:
        """Remove a handler, local and inheritable."""
        arguments.instance("handler", handler, BaseCallbackHandler)
        _remove_all(self.handlers, [handler])
        _remove_all(self.inheritable_handlers, [handler])

    def set_handlers(self, handlers: list[BaseCallbackHandler], inherit: bool = True) -> None:
        """Replace every handler with ``handlers`` (checked before any is dropped)."""
        handlers = handler_list("handlers", handlers)
        self.handlers, self.inheritable_handlers = [], []
        for handler in handlers:
            self.add_handler(handler, inherit)

    def set_handler(self, handler: BaseCallbackHandler, inherit: bool = True) -> None:
        """Replace every handler with ``handler``."""
        arguments.instance("handler", handler, BaseCallbackHandler)
        self.set_handlers([handler], inherit)

    def add_tags(self, tags: list[str], inherit: bool = True) -> None:
        """Add the tags not yet present; ``inherit`` also makes them inheritable.

        A tag already present keeps its place and stays inheritable if it was
        (CB-TAG-4).
        """
        tags = arguments.strings("tags", tags)
        _append_new(self.tags, tags)
        if inherit:
            _append_new(self.inheritable_tags, tags)

    def remove_tags(self, tags: list[str]) -> None:
        """Remove tags, local and inheritable."""
        tags = arguments.strings("tags", tags)
        _remove_all(self.tags, tags)
        _remove_all(self.inheritable_tags, tags)

    def add_metadata(self, metadata: dict[str, Any], inherit: bool = True) -> None:
        """Add metadata; for a key already present the new value wins."""
        metadata = arguments.mapping("metadata", metadata)
        self.metadata.update(metadata)
        if inherit:
            self.inheritable_metadata.update(metadata)

    def remove_metadata(self, keys: list[str]) -> None:
        """Remove metadata keys, local and inheritable."""
        keys = arguments.strings("keys", keys)
        for key in keys:
            self.metadata.pop(key, None)
            self.inheritable_metadata.pop(key, None)

    def copy(self) -> Self:
        """An independent manager of the same class with the same fields."""
        return self._spawn(
            handlers=self.handlers, inheritable_handlers=self.inheritable_handlers,
            parent_run_id=self.parent_run_id, tags=self.tags,
            inheritable_tags=self.inheritable_tags, metadata=self.metadata,
            inheritable_metadata=self.inheritable_metadata)

    def merge(self, other: BaseCallbackManager) -> Self:
        """A new manager of this class combining both; ``other`` wins metadata ties.

        Handlers and tags keep order: self's first, then other's new ones
        (CB-MERGE-2, CB-MERGE-3).
        """
        arguments.instance("other", other, BaseCallbackManager)
        return self._spawn(
            handlers=_union(self.handlers, other.handlers),
            inheritable_handlers=_union(self.inheritable_handlers, other.inheritable_handlers),
            parent_run_id=(self.parent_run_id if self.parent_run_id is not None
                           else other.parent_run_id),
            tags=_union(self.tags, other.tags),
            inheritable_tags=_union(self.inheritable_tags, other.inheritable_tags),
            metadata={**self.metadata, **other.metadata},
            inheritable_metadata={**self.inheritable_metadata, **other.inheritable_metadata})

    @classmethod
    def configure(cls, inheritable_callbacks: Callbacks = None,
                  local_callbacks: Callbacks = None, verbose: bool = False,
                  inheritable_tags: list[str] | None = None, local_tags: list[str] | None = None,
                  inheritable_metadata: dict[str, Any] | None = None,
                  local_metadata: dict[str, Any] | None = None) -> Self:
        """Build a manager for one call from request and constructor settings.

        Inheritable entries reach sub-runs, local ones only runs started by the
        result. A manager passed in is copied, never changed. ``verbose`` only
        adds a local ``StdOutCallbackHandler`` if there is none yet.
        (CB-SCOPE-1..3, CB-VERB-1..4)
        """
        _check_callbacks("inheritable_callbacks", inheritable_callbacks)
        _check_callbacks("local_callbacks", local_callbacks)
        inheritable_tags = arguments.optional_strings("inheritable_tags", inheritable_tags)
        local_tags = arguments.optional_strings("local_tags", local_tags)
        inheritable_metadata = arguments.optional_mapping(
            "inheritable_metadata", inheritable_metadata)
        local_metadata = arguments.optional_mapping("local_metadata", local_metadata)
        if isinstance(inheritable_callbacks, BaseCallbackManager):
            given = inheritable_callbacks
            manager = cls._of(handlers=given.handlers,
                              inheritable_handlers=given.inheritable_handlers,
                              parent_run_id=given.parent_run_id, tags=given.tags,
                              inheritable_tags=given.inheritable_tags, metadata=given.metadata,
                              inheritable_metadata=given.inheritable_metadata)
        else:
            manager = cls([])
            manager.set_handlers(inheritable_callbacks or [], inherit=True)
        local = (local_callbacks.handlers if isinstance(local_callbacks, BaseCallbackManager)
                 else local_callbacks or [])
        for handler in local:
            manager.add_handler(handler, inherit=False)
        # Local after inheritable: a local metadata value wins on this run (CB-META-3).
        manager.add_tags(inheritable_tags, inherit=True)
        manager.add_tags(local_tags, inherit=False)
        manager.add_metadata(inheritable_metadata, inherit=True)
        manager.add_metadata(local_metadata, inherit=False)
        if verbose and not any(isinstance(h, StdOutCallbackHandler) for h in manager.handlers):
            manager.add_handler(StdOutCallbackHandler(), inherit=False)
        return manager

    def _spawn(self, **fields: Any) -> Self:
        """A new manager of this class from ``fields`` (copied by ``_hold``)."""
        return type(self)._of(**fields)

    def _begin(self, cls: type[R], run_id: UUID | None) -> R:
        """A run manager snapshotting this manager's fields, for a new run."""
        return cls._snapshot(run_id=run_id if run_id is not None else uuid4(),
                   handlers=self.handlers, inheritable_handlers=self.inheritable_handlers,
                   parent_run_id=self.parent_run_id, tags=self.tags,
                   inheritable_tags=self.inheritable_tags, metadata=self.metadata,
                   inheritable_metadata=self.inheritable_metadata)

    def _custom_event_kwargs(self, run_id: UUID | None,
                             extra: dict[str, Any]) -> dict[str, Any]:
        """Check a custom event's arguments, even with no handlers (CB-CUSTOM-3)."""
        arguments.optional_uuid("run_id", run_id)
        if extra:
            raise ValueError(
                "on_custom_event() takes no extra keyword arguments; put them in "
                f"data instead (got {', '.join(sorted(extra))})")
        return {"run_id": run_id if run_id is not None else uuid4(),
                "tags": self.tags, "metadata": self.metadata}


Callbacks: TypeAlias = list[BaseCallbackHandler] | BaseCallbackManager | None
"""What may be passed as callbacks: handlers, a manager, or nothing."""


class CallbackManager(BaseCallbackManager):
    """Starts runs from sync code; handlers are called in the caller's thread."""

    def on_chain_start(self, serialized: dict[str, Any] | None, inputs: dict[str, Any] | Any,
                       run_id: UUID | None = None, **kwargs: Any) -> CallbackManagerForChainRun:
        """Start a chain run."""
        _check_start(serialized, run_id, kwargs)
        run = self._begin(CallbackManagerForChainRun, run_id)
        _start(run, "on_chain_start", "ignore_chain", (serialized, inputs), kwargs)
        return run

    def on_tool_start(self, serialized: dict[str, Any] | None, input_str: str,
                      run_id: UUID | None = None, parent_run_id: UUID | None = None,
                      inputs: dict[str, Any] | None = None,
                      **kwargs: Any) -> CallbackManagerForToolRun:
        """Start a tool run; an explicit ``parent_run_id`` is its parent (CB-ID-7)."""
        _check_start(serialized, run_id, {"parent_run_id": parent_run_id})
        arguments.text("input_str", input_str)
        run = self._begin(CallbackManagerForToolRun, run_id)
        kwargs.update(inputs=inputs, parent_run_id=parent_run_id)
        _start(run, "on_tool_start", "ignore_agent", (serialized, input_str), kwargs)
        return run

    def on_retriever_start(self, serialized: dict[str, Any] | None, query: str,
                           run_id: UUID | None = None, parent_run_id: UUID | None = None,
                           **kwargs: Any) -> CallbackManagerForRetrieverRun:
        """Start a retriever run; an explicit ``parent_run_id`` is its parent (CB-ID-7)."""
        _check_start(serialized, run_id, {"parent_run_id": parent_run_id})
        arguments.text("query", query)
        run = self._begin(CallbackManagerForRetrieverRun, run_id)
        kwargs["parent_run_id"] = parent_run_id
        _start(run, "on_retriever_start", "ignore_retriever", (serialized, query), kwargs)
        return run

    def on_llm_start(self, serialized: dict[str, Any] | None, prompts: list[str],
                     run_id: UUID | None = None,
                     **kwargs: Any) -> list[CallbackManagerForLLMRun]:
        """Start one LLM run per prompt; ``run_id`` names the first only (CB-ID-3)."""
        _check_start(serialized, run_id, kwargs)
        prompts = arguments.strings("prompts", prompts)
        runs = []
        for index, prompt in enumerate(prompts):
            run = self._begin(CallbackManagerForLLMRun, run_id if index == 0 else None)
            _start(run, "on_llm_start", run.run_flag, (serialized, [prompt]), dict(kwargs))
            runs.append(run)
        return runs

    def on_chat_model_start(self, serialized: dict[str, Any] | None,
                            messages: list[list[Any]], run_id: UUID | None = None,
                            **kwargs: Any) -> list[CallbackManagerForChatModelRun]:
        """Start one chat-model run per message list; ``run_id`` names the first only."""
        _check_start(serialized, run_id, kwargs)
        messages = arguments.items("messages", messages, list, "a list of message lists")
        runs = []
        for index, message_list in enumerate(messages):
            run = self._begin(CallbackManagerForChatModelRun, run_id if index == 0 else None)
            _start(run, "on_chat_model_start", run.run_flag, (serialized, [message_list]),
                   dict(kwargs))
            runs.append(run)
        return runs

    def on_custom_event(self, name: str, data: Any, run_id: UUID | None = None,
                        **kwargs: Any) -> None:
        """Dispatch a user-defined event; extra keywords raise ``ValueError``."""
        arguments.text("name", name)
        event_kwargs = self._custom_event_kwargs(run_id, kwargs)
        handle_event(self.handlers, "on_custom_event", "ignore_custom_event", (name, data),
                     event_kwargs)


class AsyncCallbackManager(BaseCallbackManager):
    """Starts runs from async code without blocking the event loop."""

    @property
    def is_async(self) -> bool:
        """Whether the run-starting methods are coroutines."""
        return True

    async def on_chain_start(self, serialized: dict[str, Any] | None,
                             inputs: dict[str, Any] | Any, run_id: UUID | None = None,
                             **kwargs: Any) -> AsyncCallbackManagerForChainRun:
        """Start a chain run."""
        _check_start(serialized, run_id, kwargs)
        run = self._begin(AsyncCallbackManagerForChainRun, run_id)
        await _astart(run, "on_chain_start", "ignore_chain", (serialized, inputs), kwargs)
        return run

    async def on_tool_start(self, serialized: dict[str, Any] | None, input_str: str,
                            run_id: UUID | None = None, parent_run_id: UUID | None = None,
                            inputs: dict[str, Any] | None = None,
                            **kwargs: Any) -> AsyncCallbackManagerForToolRun:
        """Start a tool run; an explicit ``parent_run_id`` is its parent (CB-ID-7)."""
        _check_start(serialized, run_id, {"parent_run_id": parent_run_id})
        arguments.text("input_str", input_str)
        run = self._begin(AsyncCallbackManagerForToolRun, run_id)
        kwargs.update(inputs=inputs, parent_run_id=parent_run_id)
        await _astart(run, "on_tool_start", "ignore_agent", (serialized, input_str), kwargs)
        return run

    async def on_retriever_start(self, serialized: dict[str, Any] | None, query: str,
                                 run_id: UUID | None = None, parent_run_id: UUID | None = None,
                                 **kwargs: Any) -> AsyncCallbackManagerForRetrieverRun:
        """Start a retriever run; an explicit ``parent_run_id`` is its parent (CB-ID-7)."""
        _check_start(serialized, run_id, {"parent_run_id": parent_run_id})
        arguments.text("query", query)
        run = self._begin(AsyncCallbackManagerForRetrieverRun, run_id)
        kwargs["parent_run_id"] = parent_run_id
        await _astart(run, "on_retriever_start", "ignore_retriever", (serialized, query),
                      kwargs)
        return run

    async def on_llm_start(self, serialized: dict[str, Any] | None, prompts: list[str],
                           run_id: UUID | None = None,
                           **kwargs: Any) -> list[AsyncCallbackManagerForLLMRun]:
        """Start one LLM run per prompt, in order; ``run_id`` names the first only."""
        _check_start(serialized, run_id, kwargs)
        prompts = arguments.strings("prompts", prompts)
        runs = []
        for index, prompt in enumerate(prompts):
            run = self._begin(AsyncCallbackManagerForLLMRun, run_id if index == 0 else None)
            await _astart(run, "on_llm_start", run.run_flag, (serialized, [prompt]), dict(kwargs))
            runs.append(run)
        return runs

    async def on_chat_model_start(self, serialized: dict[str, Any] | None,
                                  messages: list[list[Any]], run_id: UUID | None = None,
                                  **kwargs: Any) -> list[AsyncCallbackManagerForChatModelRun]:
        """Start one chat-model run per message list, in order; ``run_id`` names the first."""
        _check_start(serialized, run_id, kwargs)
        messages = arguments.items("messages", messages, list, "a list of message lists")
        runs = []
        for index, message_list in enumerate(messages):
            run = self._begin(AsyncCallbackManagerForChatModelRun,
                              run_id if index == 0 else None)
            await _astart(run, "on_chat_model_start", run.run_flag, (serialized, [message_list]),
                          dict(kwargs))
            runs.append(run)
        return runs

    async def on_custom_event(self, name: str, data: Any, run_id: UUID | None = None,
                              **kwargs: Any) -> None:
        """Dispatch a user-defined event; extra keywords raise ``ValueError``."""
        arguments.text("name", name)
        event_kwargs = self._custom_event_kwargs(run_id, kwargs)
        await ahandle_event(self.handlers, "on_custom_event", "ignore_custom_event",
                            (name, data), event_kwargs)


def handler_list(name: str, handlers: object) -> list[BaseCallbackHandler]:
    """A list of handlers, copied. An object that is no handler would fail only when an
    event reaches it, deep in a dispatch, so it is refused here."""
    return arguments.items(name, handlers, BaseCallbackHandler, "a list of handlers")


def _check_callbacks(name: str, callbacks: object) -> None:
    """What ``configure`` takes as callbacks: a list of handlers, a manager or None."""
    if callbacks is not None and not isinstance(callbacks, BaseCallbackManager):
        arguments.items(name, callbacks, BaseCallbackHandler,
                        "a list of handlers, a callback manager or None")


def _check_start(serialized: object, run_id: object, kwargs: Mapping[str, Any]) -> None:
    """Check what every run start is given, before its first run exists."""
    if serialized is not None and not isinstance(serialized, Mapping):
        arguments.refuse("serialized", "a mapping or None", serialized)
    arguments.optional_uuid("run_id", run_id)
    arguments.optional_uuid("parent_run_id", kwargs.get("parent_run_id"))


def _start(run: BaseRunManager, event_name: str, ignore_flag: str, args: tuple[Any, ...],
           kwargs: dict[str, Any]) -> None:
    """Dispatch a run's start event to the handlers snapshotted in ``run``."""
    handle_event(run.handlers, event_name, ignore_flag, args, _start_kwargs(run, kwargs))


async def _astart(run: BaseRunManager, event_name: str, ignore_flag: str,
                  args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Async twin of ``_start``."""
    await ahandle_event(run.handlers, event_name, ignore_flag, args, _start_kwargs(run, kwargs))


def _start_kwargs(run: BaseRunManager, kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` plus what a start event carries: the run's identity, tags and metadata.

    An explicit ``parent_run_id`` among ``kwargs`` becomes the run's parent (CB-ID-7).
    """
    parent_run_id = kwargs.pop("parent_run_id", None)
    if parent_run_id is not None:
        run.parent_run_id = parent_run_id
    kwargs.update(run_id=run.run_id, parent_run_id=run.parent_run_id, tags=run.tags,
                  metadata=run.metadata)
    return kwargs


def _append_new(items: list[T], new: list[T]) -> None:
    """Append each new item not already present, keeping order."""
    for item in new:
        if item not in items:
            items.append(item)


def _remove_all(items: list[T], gone: list[T]) -> None:
    """Remove every occurrence of the given items."""
    items[:] = [item for item in items if item not in gone]


def _union(first: list[T], second: list[T]) -> list[T]:
    """Items of both lists, each once, first list first."""
    combined: list[T] = []
    _append_new(combined, first + second)
    return combined

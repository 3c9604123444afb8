"""Run managers: handles bound to one run that dispatch that run's events."""

from __future__ import annotations

from collections.abc import Coroutine, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar
from uuid import UUID, uuid4

from reference import arguments
from .base import BaseCallbackHandler
from .dispatch import ahandle_event, ahandle_event_shielded, handle_event

if TYPE_CHECKING:
    from .managers import AsyncCallbackManager, BaseCallbackManager, CallbackManager

R = TypeVar("R", bound="BaseRunManager")
M = TypeVar("M", bound="BaseCallbackManager")


class BaseRunManager:
    """The fields of one run: its id, its parent and what it inherited.

    Every list and dict is copied on construction, so a run manager is a
    snapshot: later changes to the manager that started it do not reach it
    (CB-PAIR-5).
    """

    def __init__(self, *, run_id: UUID, handlers: list[BaseCallbackHandler],
                 inheritable_handlers: list[BaseCallbackHandler],
                 parent_run_id: UUID | None = None, tags: list[str] | None = None,
                 inheritable_tags: list[str] | None = None,
                 metadata: dict[str, Any] | None = None,
                 inheritable_metadata: dict[str, Any] | None = None) -> None:
        """Bind the run ``run_id``; ``None`` collections become empty ones.

        Each field is checked like a manager's (see ``BaseCallbackManager``);
        ``run_id`` must be a ``uuid.UUID``.
        """
        from .managers import handler_list  # late: managers imports this module

        self._hold(
            run_id=arguments.uuid("run_id", run_id),
            handlers=handler_list("handlers", handlers),
            inheritable_handlers=handler_list("inheritable_handlers", inheritable_handlers),
            parent_run_id=arguments.optional_uuid("parent_run_id", parent_run_id),
            tags=arguments.optional_strings("tags", tags),
            inheritable_tags=arguments.optional_strings("inheritable_tags", inheritable_tags),
            metadata=arguments.optional_mapping("metadata", metadata),
            inheritable_metadata=arguments.optional_mapping(
                "inheritable_metadata", inheritable_metadata))

    @classmethod
    def _snapshot(cls, *, run_id: UUID, handlers: list[BaseCallbackHandler],
                  inheritable_handlers: list[BaseCallbackHandler], parent_run_id: UUID | None,
                  tags: list[str], inheritable_tags: list[str], metadata: dict[str, Any],
                  inheritable_metadata: dict[str, Any]) -> Self:
        """A run manager over fields this package holds already (a manager's, a run's):
        they were checked when given, and are not checked again at every run start."""
        run = cls.__new__(cls)
        run._hold(run_id=run_id, handlers=handlers, inheritable_handlers=inheritable_handlers,
                  parent_run_id=parent_run_id, tags=tags, inheritable_tags=inheritable_tags,
                  metadata=metadata, inheritable_metadata=inheritable_metadata)
        return run

    def _hold(self, *, run_id: UUID, handlers: list[BaseCallbackHandler],
              inheritable_handlers: list[BaseCallbackHandler], parent_run_id: UUID | None,
              tags: list[str], inheritable_tags: list[str], metadata: dict[str, Any],
              inheritable_metadata: dict[str, Any]) -> None:
        """Keep copies of the fields (CB-PAIR-5)."""
        self.run_id: UUID = run_id
        self.handlers: list[BaseCallbackHandler] = list(handlers)
        self.inheritable_handlers: list[BaseCallbackHandler] = list(inheritable_handlers)
        self.parent_run_id: UUID | None = parent_run_id
        self.tags: list[str] = list(tags)
        self.inheritable_tags: list[str] = list(inheritable_tags)
        self.metadata: dict[str, Any] = dict(metadata)
        self.inheritable_metadata: dict[str, Any] = dict(inheritable_metadata)

    @classmethod
    def get_noop_manager(cls) -> Self:
        """A manager of this class with a fresh run id and nothing to notify."""
        return cls(run_id=uuid4(), handlers=[], inheritable_handlers=[])

    def _as(self, cls: type[R]) -> R:
        """The same run, fields copied, as a run manager of class ``cls``."""
        return cls._snapshot(run_id=self.run_id, handlers=self.handlers,
                   inheritable_handlers=self.inheritable_handlers,
                   parent_run_id=self.parent_run_id, tags=self.tags,
                   inheritable_tags=self.inheritable_tags, metadata=self.metadata,
                   inheritable_metadata=self.inheritable_metadata)

    def _child(self, cls: type[M], tag: str | None) -> M:
        """A manager for sub-runs: parented here, holding only what is inheritable.

        (CB-ID-5, CB-CHILD-2, CB-CHILD-4)
        """
        child = cls._of(handlers=self.inheritable_handlers,
                        inheritable_handlers=self.inheritable_handlers,
                        parent_run_id=self.run_id, tags=self.inheritable_tags,
                        inheritable_tags=self.inheritable_tags,
                        metadata=self.inheritable_metadata,
                        inheritable_metadata=self.inheritable_metadata)
        if tag is not None:
            child.add_tags([tag], inherit=False)  # for this child only (CB-CHILD-3)
        return child

    def _event_kwargs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """``kwargs`` plus what every in-run event carries (no metadata); the run's own
        identity wins over a caller's keyword of the same name."""
        kwargs.update(run_id=self.run_id, parent_run_id=self.parent_run_id, tags=self.tags)
        return kwargs


class RunManager(BaseRunManager):
    """A run manager for sync code."""

    def _emit(self, event_name: str, ignore_flag: str | None, args: tuple[Any, ...],
              kwargs: dict[str, Any]) -> None:
        handle_event(self.handlers, event_name, ignore_flag, args, self._event_kwargs(kwargs))

    def on_text(self, text: str, **kwargs: Any) -> None:
        """Emit text; no handler flag silences it."""
        self._emit("on_text", None, (text,), kwargs)

    def on_retry(self, retry_state: Any, **kwargs: Any) -> None:
        """Report a retry of this run."""
        self._emit("on_retry", "ignore_retry", (retry_state,), kwargs)


class ParentRunManager(RunManager):
    """A sync run manager whose run can have sub-runs."""

    def get_child(self, tag: str | None = None) -> CallbackManager:
        """A new manager for sub-runs of this run, with ``tag`` added for it alone."""
        from .managers import CallbackManager  # late: managers imports this module

        arguments.optional_text("tag", tag)
        return self._child(CallbackManager, tag)


class AsyncRunManager(BaseRunManager):
    """A run manager for async code."""

    def _emit(self, event_name: str, ignore_flag: str | None, args: tuple[Any, ...],
              kwargs: dict[str, Any]) -> Coroutine[Any, Any, None]:
        """The dispatch of one event, for the event method to await."""
        return ahandle_event(self.handlers, event_name, ignore_flag, args,
                             self._event_kwargs(kwargs))

    def _emit_final(self, event_name: str, ignore_flag: str, args: tuple[Any, ...],
                    kwargs: dict[str, Any]) -> Coroutine[Any, Any, None]:
        """Emit an end or error event; cancelling the caller does not cut it short."""
        return ahandle_event_shielded(self.handlers, event_name, ignore_flag, args,
                                      self._event_kwargs(kwargs))

    def get_sync(self) -> RunManager:
        """The equivalent sync run manager: same run, same fields."""
        return self._as(RunManager)

    async def on_text(self, text: str, **kwargs: Any) -> None:
        """Emit text; no handler flag silences it."""
        await self._emit("on_text", None, (text,), kwargs)

    async def on_retry(self, retry_state: Any, **kwargs: Any) -> None:
        """Report a retry of this run."""
        await self._emit("on_retry", "ignore_retry", (retry_state,), kwargs)


class AsyncParentRunManager(AsyncRunManager):
    """An async run manager whose run can have sub-runs."""

    def get_sync(self) -> ParentRunManager:
        """The equivalent sync run manager: same run, same fields."""
        return self._as(ParentRunManager)

    def get_child(self, tag: str | None = None) -> AsyncCallbackManager:
        """A new async manager for sub-runs of this run, with ``tag`` for it alone."""
        from .managers import AsyncCallbackManager  # late: managers imports this module

        arguments.optional_text("tag", tag)
        return self._child(AsyncCallbackManager, tag)


# Chain runs: chain events obey ignore_chain, agent steps obey ignore_agent.

class CallbackManagerForChainRun(ParentRunManager):
    """Sync manager of a chain run."""

    def on_chain_end(self, outputs: dict[str, Any] | Any, **kwargs: Any) -> None:
        """End the chain run."""
        self._emit("on_chain_end", "ignore_chain", (outputs,), kwargs)

    def on_chain_error(self, error: BaseException, **kwargs: Any) -> None:
        """Fail the chain run."""
        self._emit("on_chain_error", "ignore_chain", (error,), kwargs)

    def on_agent_action(self, action: Any, **kwargs: Any) -> None:
        """Report an agent action."""
        self._emit("on_agent_action", "ignore_agent", (action,), kwargs)

    def on_agent_finish(self, finish: Any, **kwargs: Any) -> None:
        """Report that the agent finished."""
        self._emit("on_agent_finish", "ignore_agent", (finish,), kwargs)


class AsyncCallbackManagerForChainRun(AsyncParentRunManager):
    """Async manager of a chain run."""

    def get_sync(self) -> CallbackManagerForChainRun:
        """The equivalent sync run manager."""
        return self._as(CallbackManagerForChainRun)

    async def on_chain_end(self, outputs: dict[str, Any] | Any, **kwargs: Any) -> None:
        """End the chain run."""
        await self._emit_final("on_chain_end", "ignore_chain", (outputs,), kwargs)

    async def on_chain_error(self, error: BaseException, **kwargs: Any) -> None:
        """Fail the chain run."""
        await self._emit_final("on_chain_error", "ignore_chain", (error,), kwargs)

    async def on_agent_action(self, action: Any, **kwargs: Any) -> None:
        """Report an agent action."""
        await self._emit("on_agent_action", "ignore_agent", (action,), kwargs)

    async def on_agent_finish(self, finish: Any, **kwargs: Any) -> None:
        """Report that the agent finished."""
        await self._emit("on_agent_finish", "ignore_agent", (finish,), kwargs)


# Tool runs obey ignore_agent: there is no ignore_tool flag (CB-IGN-4).

class CallbackManagerForToolRun(ParentRunManager):
    """Sync manager of a tool run."""

    def on_tool_end(self, output: Any, **kwargs: Any) -> None:
        """End the tool run."""
        self._emit("on_tool_end", "ignore_agent", (output,), kwargs)

    def on_tool_error(self, error: BaseException, **kwargs: Any) -> None:
        """Fail the tool run."""
        self._emit("on_tool_error", "ignore_agent", (error,), kwargs)


class AsyncCallbackManagerForToolRun(AsyncParentRunManager):
    """Async manager of a tool run."""

    def get_sync(self) -> CallbackManagerForToolRun:
        """The equivalent sync run manager."""
        return self._as(CallbackManagerForToolRun)

    async def on_tool_end(self, output: Any, **kwargs: Any) -> None:
        """End the tool run."""
        await self._emit_final("on_tool_end", "ignore_agent", (output,), kwargs)

    async def on_tool_error(self, error: BaseException, **kwargs: Any) -> None:
        """Fail the tool run."""
        await self._emit_final("on_tool_error", "ignore_agent", (error,), kwargs)


class CallbackManagerForRetrieverRun(ParentRunManager):
    """Sync manager of a retriever run."""

    def on_retriever_end(self, documents: Sequence[Any], **kwargs: Any) -> None:
        """End the retriever run."""
        self._emit("on_retriever_end", "ignore_retriever", (documents,), kwargs)

    def on_retriever_error(self, error: BaseException, **kwargs: Any) -> None:
        """Fail the retriever run."""
        self._emit("on_retriever_error", "ignore_retriever", (error,), kwargs)


class AsyncCallbackManagerForRetrieverRun(AsyncParentRunManager):
    """Async manager of a retriever run."""

    def get_sync(self) -> CallbackManagerForRetrieverRun:
        """The equivalent sync run manager."""
        return self._as(CallbackManagerForRetrieverRun)

    async def on_retriever_end(self, documents: Sequence[Any], **kwargs: Any) -> None:
        """End the retriever run."""
        await self._emit_final("on_retriever_end", "ignore_retriever", (documents,), kwargs)

    async def on_retriever_error(self, error: BaseException, **kwargs: Any) -> None:
        """Fail the retriever run."""
        await self._emit_final("on_retriever_error", "ignore_retriever", (error,), kwargs)


# LLM runs: one flag governs every event of the run, start included, so no
# handler gets an end for a start it ignored (CB-IGN-3, CB-PAIR-2).

class CallbackManagerForLLMRun(RunManager):
    """Sync manager of an LLM run."""

    run_flag: ClassVar[str] = "ignore_llm"

    def on_llm_new_token(self, token: str, *, chunk: Any | None = None, **kwargs: Any) -> None:
        """Report a generated token."""
        kwargs["chunk"] = chunk
        self._emit("on_llm_new_token", self.run_flag, (token,), kwargs)

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        """End the LLM run."""
        self._emit("on_llm_end", self.run_flag, (response,), kwargs)

    def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        """Fail the LLM run."""
        self._emit("on_llm_error", self.run_flag, (error,), kwargs)


class CallbackManagerForChatModelRun(CallbackManagerForLLMRun):
    """Sync manager of a chat-model run: all its events obey ignore_chat_model."""

    run_flag: ClassVar[str] = "ignore_chat_model"


class AsyncCallbackManagerForLLMRun(AsyncRunManager):
    """Async manager of an LLM run."""

    run_flag: ClassVar[str] = "ignore_llm"

    def get_sync(self) -> CallbackManagerForLLMRun:
        """The equivalent sync run manager."""
        return self._as(CallbackManagerForLLMRun)

    async def on_llm_new_token(self, token: str, *, chunk: Any | None = None,
                               **kwargs: Any) -> None:
        """Report a generated token."""
        kwargs["chunk"] = chunk
        await self._emit("on_llm_new_token", self.run_flag, (token,), kwargs)

    async def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        """End the LLM run."""
        await self._emit_final("on_llm_end", self.run_flag, (response,), kwargs)

    async def on_llm_error(self, error: BaseException, **kwargs: Any) -> None:
        """Fail the LLM run."""
        await self._emit_final("on_llm_error", self.run_flag, (error,), kwargs)


class AsyncCallbackManagerForChatModelRun(AsyncCallbackManagerForLLMRun):
    """Async manager of a chat-model run: all its events obey ignore_chat_model."""

    run_flag: ClassVar[str] = "ignore_chat_model"

    def get_sync(self) -> CallbackManagerForChatModelRun:
        """The equivalent sync run manager."""
        return self._as(CallbackManagerForChatModelRun)

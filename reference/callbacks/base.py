"""Handler base classes: every event is a no-op until a subclass overrides it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID


class BaseCallbackHandler:
    """Base class for handlers whose event methods are plain functions.

    The ``ignore_*`` flags are read-only properties here; a subclass may
    override one with its own property or with a plain class attribute.
    """

    raise_error: bool = False
    """Let an exception from this handler propagate to the caller."""

    run_inline: bool = False
    """Under the async manager, call this handler first and in list order."""

    @property
    def ignore_llm(self) -> bool:
        """Skip LLM run events."""
        return False

    @property
    def ignore_retry(self) -> bool:
        """Skip retry events."""
        return False

    @property
    def ignore_chain(self) -> bool:
        """Skip chain run events."""
        return False

    @property
    def ignore_agent(self) -> bool:
        """Skip agent events and tool run events."""
        return False

    @property
    def ignore_retriever(self) -> bool:
        """Skip retriever run events."""
        return False

    @property
    def ignore_chat_model(self) -> bool:
        """Skip chat-model run events."""
        return False

    @property
    def ignore_custom_event(self) -> bool:
        """Skip custom events."""
        return False

    # Run starts.

    def on_llm_start(self, serialized: dict[str, Any], prompts: list[str], *, run_id: UUID,
                     parent_run_id: UUID | None = None, tags: list[str] | None = None,
                     metadata: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """An LLM run started."""

    def on_chat_model_start(self, serialized: dict[str, Any], messages: list[list[Any]], *,
                            run_id: UUID, parent_run_id: UUID | None = None,
                            tags: list[str] | None = None,
                            metadata: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """A chat-model run started."""

    def on_chain_start(self, serialized: dict[str, Any], inputs: dict[str, Any], *,
                       run_id: UUID, parent_run_id: UUID | None = None,
                       tags: list[str] | None = None, metadata: dict[str, Any] | None = None,
                       **kwargs: Any) -> Any:
        """A chain run started."""

    def on_tool_start(self, serialized: dict[str, Any], input_str: str, *, run_id: UUID,
                      parent_run_id: UUID | None = None, tags: list[str] | None = None,
                      metadata: dict[str, Any] | None = None,
                      inputs: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """A tool run started."""

    def on_retriever_start(self, serialized: dict[str, Any], query: str, *, run_id: UUID,
                           parent_run_id: UUID | None = None, tags: list[str] | None = None,
                           metadata: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """A retriever run started."""

    # LLM and chat-model runs.

    def on_llm_new_token(self, token: str, *, chunk: Any | None = None, run_id: UUID,
                         parent_run_id: UUID | None = None, tags: list[str] | None = None,
                         **kwargs: Any) -> Any:
        """An LLM run produced a token."""

    def on_llm_end(self, response: Any, *, run_id: UUID, parent_run_id: UUID | None = None,
                   tags: list[str] | None = None, **kwargs: Any) -> Any:
        """An LLM run ended."""

    def on_llm_error(self, error: BaseException, *, run_id: UUID,
                     parent_run_id: UUID | None = None, tags: list[str] | None = None,
                     **kwargs: Any) -> Any:
        """An LLM run failed."""

    # Chain runs and agent steps.

    def on_chain_end(self, outputs: dict[str, Any] | Any, *, run_id: UUID,
                     parent_run_id: UUID | None = None, tags: list[str] | None = None,
                     **kwargs: Any) -> Any:
        """A chain run ended."""

    def on_chain_error(self, error: BaseException, *, run_id: UUID,
                       parent_run_id: UUID | None = None, tags: list[str] | None = None,
                       **kwargs: Any) -> Any:
        """A chain run failed."""

    def on_agent_action(self, action: Any, *, run_id: UUID, parent_run_id: UUID | None = None,
                        tags: list[str] | None = None, **kwargs: Any) -> Any:
        """An agent chose an action."""

    def on_agent_finish(self, finish: Any, *, run_id: UUID, parent_run_id: UUID | None = None,
                        tags: list[str] | None = None, **kwargs: Any) -> Any:
        """An agent finished."""

    # Tool runs.

    def on_tool_end(self, output: Any, *, run_id: UUID, parent_run_id: UUID | None = None,
                    tags: list[str] | None = None, **kwargs: Any) -> Any:
        """A tool run ended."""

    def on_tool_error(self, error: BaseException, *, run_id: UUID,
                      parent_run_id: UUID | None = None, tags: list[str] | None = None,
                      **kwargs: Any) -> Any:
        """A tool run failed."""

    # Retriever runs.

    def on_retriever_end(self, documents: Sequence[Any], *, run_id: UUID,
                         parent_run_id: UUID | None = None, tags: list[str] | None = None,
                         **kwargs: Any) -> Any:
        """A retriever run ended."""

    def on_retriever_error(self, error: BaseException, *, run_id: UUID,
                           parent_run_id: UUID | None = None, tags: list[str] | None = None,
                           **kwargs: Any) -> Any:
        """A retriever run failed."""

    # Events of any run.

    def on_text(self, text: str, *, run_id: UUID, parent_run_id: UUID | None = None,
                tags: list[str] | None = None, **kwargs: Any) -> Any:
        """A run emitted text."""

    def on_retry(self, retry_state: Any, *, run_id: UUID, parent_run_id: UUID | None = None,
                 tags: list[str] | None = None, **kwargs: Any) -> Any:
        """A run is retrying."""

    def on_custom_event(self, name: str, data: Any, *, run_id: UUID,
                        tags: list[str] | None = None, metadata: dict[str, Any] | None = None,
                        **kwargs: Any) -> Any:
        """A user-defined event was dispatched."""


class AsyncCallbackHandler(BaseCallbackHandler):
    """Base class for handlers whose event methods are coroutines."""

    async def on_llm_start(self, serialized: dict[str, Any], prompts: list[str], *,
                           run_id: UUID, parent_run_id: UUID | None = None,
                           tags: list[str] | None = None,
                           metadata: dict[str, Any] | None = None, **kwargs: Any) -> None:
        """An LLM run started."""

    async def on_chat_model_start(self, serialized: dict[str, Any],
                                  messages: list[list[Any]], *, run_id: UUID,
                                  parent_run_id: UUID | None = None,
                                  tags: list[str] | None = None,
                                  metadata: dict[str, Any] | None = None,
                                  **kwargs: Any) -> None:
        """A chat-model run started."""

    async def on_chain_start(self, serialized: dict[str, Any], inputs: dict[str, Any], *,
                             run_id: UUID, parent_run_id: UUID | None = None,
                             tags: list[str] | None = None,
                             metadata: dict[str, Any] | None = None, **kwargs: Any) -> None:
        """A chain run started."""

    async def on_tool_start(self, serialized: dict[str, Any], input_str: str, *,
                            run_id: UUID, parent_run_id: UUID | None = None,
                            tags: list[str] | None = None,
                            metadata: dict[str, Any] | None = None,
                            inputs: dict[str, Any] | None = None, **kwargs: Any) -> None:
        """A tool run started."""

    async def on_retriever_start(self, serialized: dict[str, Any], query: str, *,
                                 run_id: UUID, parent_run_id: UUID | None = None,
                                 tags: list[str] | None = None,
                                 metadata: dict[str, Any] | None = None,
                                 **kwargs: Any) -> None:
        """A retriever run started."""

    async def on_llm_new_token(self, token: str, *, chunk: Any | None = None, run_id: UUID,
                               parent_run_id: UUID | None = None,
                               tags: list[str] | None = None, **kwargs: Any) -> None:
        """An LLM run produced a token."""

    async def on_llm_end(self, response: Any, *, run_id: UUID,
                         parent_run_id: UUID | None = None, tags: list[str] | None = None,
                         **kwargs: Any) -> None:
        """An LLM run ended."""

    async def on_llm_error(self, error: BaseException, *, run_id: UUID,
                           parent_run_id: UUID | None = None, tags: list[str] | None = None,
                           **kwargs: Any) -> None:
        """An LLM run failed."""

    async def on_chain_end(self, outputs: dict[str, Any] | Any, *, run_id: UUID,
                           parent_run_id: UUID | None = None, tags: list[str] | None = None,
                           **kwargs: Any) -> None:
        """A chain run ended."""

    async def on_chain_error(self, error: BaseException, *, run_id: UUID,
                             parent_run_id: UUID | None = None,
                             tags: list[str] | None = None, **kwargs: Any) -> None:
        """A chain run failed."""

    async def on_agent_action(self, action: Any, *, run_id: UUID,
                              parent_run_id: UUID | None = None,
                              tags: list[str] | None = None, **kwargs: Any) -> None:
        """An agent chose an action."""

    async def on_agent_finish(self, finish: Any, *, run_id: UUID,
                              parent_run_id: UUID | None = None,
                              tags: list[str] | None = None, **kwargs: Any) -> None:
        """An agent finished."""

    async def on_tool_end(self, output: Any, *, run_id: UUID,
                          parent_run_id: UUID | None = None, tags: list[str] | None = None,
                          **kwargs: Any) -> None:
        """A tool run ended."""

    async def on_tool_error(self, error: BaseException, *, run_id: UUID,
                            parent_run_id: UUID | None = None, tags: list[str] | None = None,
                            **kwargs: Any) -> None:
        """A tool run failed."""

    async def on_retriever_end(self, documents: Sequence[Any], *, run_id: UUID,
                               parent_run_id: UUID | None = None,
                               tags: list[str] | None = None, **kwargs: Any) -> None:
        """A retriever run ended."""

    async def on_retriever_error(self, error: BaseException, *, run_id: UUID,
                                 parent_run_id: UUID | None = None,
                                 tags: list[str] | None = None, **kwargs: Any) -> None:
        """A retriever run failed."""

    async def on_text(self, text: str, *, run_id: UUID, parent_run_id: UUID | None = None,
                      tags: list[str] | None = None, **kwargs: Any) -> None:
        """A run emitted text."""

    async def on_retry(self, retry_state: Any, *, run_id: UUID,
                       parent_run_id: UUID | None = None, tags: list[str] | None = None,
                       **kwargs: Any) -> None:
        """A run is retrying."""

    async def on_custom_event(self, name: str, data: Any, *, run_id: UUID,
                              tags: list[str] | None = None,
                              metadata: dict[str, Any] | None = None,
                              **kwargs: Any) -> None:
        """A user-defined event was dispatched."""

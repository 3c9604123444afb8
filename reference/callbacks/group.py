"""Trace groups: one chain run wrapping calls that are not composed in a chain."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any, Self
from uuid import UUID

from reference import arguments
from .base import BaseCallbackHandler
from .managers import AsyncCallbackManager, BaseCallbackManager, CallbackManager
from .run_managers import AsyncCallbackManagerForChainRun, CallbackManagerForChainRun


@dataclass
class _GroupState:
    """Whether the group run has ended; shared by a group manager and its copies."""

    ended: bool = False


class _GroupMember:
    """What both group managers share: the group's run manager and whether it ended."""

    def __init__(self, handlers: list[BaseCallbackHandler],
                 inheritable_handlers: list[BaseCallbackHandler] | None = None,
                 parent_run_id: UUID | None = None, *, parent_run_manager: Any,
                 **kwargs: Any) -> None:
        """Hold the fields of a manager plus the group's own run manager."""
        super().__init__(handlers, inheritable_handlers, parent_run_id, **kwargs)  # type: ignore[call-arg]
        self.parent_run_manager = parent_run_manager
        self._state = _GroupState()

    @property
    def ended(self) -> bool:
        """Whether the group run has ended (through this manager or a copy)."""
        return self._state.ended

    @classmethod
    def _for_run(cls, run: Any) -> Self:
        """The manager of the calls inside the group whose run is ``run``: its fields are
        those of ``run.get_child()``, and ending it ends ``run``, once."""
        child = run.get_child()
        group = cls._of(  # type: ignore[attr-defined]
            handlers=child.handlers, inheritable_handlers=child.inheritable_handlers,
            parent_run_id=child.parent_run_id, tags=child.tags,
            inheritable_tags=child.inheritable_tags, metadata=child.metadata,
            inheritable_metadata=child.inheritable_metadata)
        group.parent_run_manager = run
        group._state = _GroupState()
        return group

    def _spawn(self, **fields: Any) -> Self:
        spawned = type(self)._of(**fields)  # type: ignore[attr-defined]
        spawned.parent_run_manager = self.parent_run_manager
        spawned._state = self._state  # copies and merges end the same run
        return spawned

    def _claim_end(self) -> bool:
        """True for the one call that ends the group run (CB-GROUP-2)."""
        first = not self._state.ended
        self._state.ended = True
        return first


class CallbackManagerForChainGroup(_GroupMember, CallbackManager):
    """Manager for calls inside a group; ending it ends the group run, once."""

    parent_run_manager: CallbackManagerForChainRun

    def on_chain_end(self, outputs: dict[str, Any] | Any, **kwargs: Any) -> None:
        """End the group run with ``outputs``, unless it has ended already."""
        if self._claim_end():
            self.parent_run_manager.on_chain_end(outputs, **kwargs)

    def on_chain_error(self, error: BaseException, **kwargs: Any) -> None:
        """Fail the group run, unless it has ended already."""
        if self._claim_end():
            self.parent_run_manager.on_chain_error(error, **kwargs)


class AsyncCallbackManagerForChainGroup(_GroupMember, AsyncCallbackManager):
    """Async manager for calls inside a group; ending it ends the group run, once."""

    parent_run_manager: AsyncCallbackManagerForChainRun

    async def on_chain_end(self, outputs: dict[str, Any] | Any, **kwargs: Any) -> None:
        """End the group run with ``outputs``, unless it has ended already."""
        if self._claim_end():
            await self.parent_run_manager.on_chain_end(outputs, **kwargs)

    async def on_chain_error(self, error: BaseException, **kwargs: Any) -> None:
        """Fail the group run, unless it has ended already."""
        if self._claim_end():
            await self.parent_run_manager.on_chain_error(error, **kwargs)


def _check_group(group_name: object, callback_manager: object, tags: object,
                 metadata: object) -> None:
    """Check a group's arguments under their own names (``configure`` would name its
    own parameters) before the group run starts; ``run_id`` is checked by the start."""
    arguments.text("group_name", group_name)
    if callback_manager is not None:
        arguments.instance("callback_manager", callback_manager, BaseCallbackManager)
    arguments.optional_strings("tags", tags)
    arguments.optional_mapping("metadata", metadata)


@contextmanager
def trace_as_chain_group(group_name: str, callback_manager: CallbackManager | None = None, *,
                         inputs: dict[str, Any] | None = None, run_id: UUID | None = None,
                         tags: list[str] | None = None,
                         metadata: dict[str, Any] | None = None,
                         ) -> Iterator[CallbackManagerForChainGroup]:
    """Run the block as one chain run named ``group_name`` (CB-GROUP-1).

    The group run ends on leaving the block, with ``{}`` or with the
    exception, unless the yielded manager ended it already. Its arguments are
    checked before the group run starts (see ``BaseCallbackManager``).
    """
    _check_group(group_name, callback_manager, tags, metadata)
    manager = CallbackManager.configure(inheritable_callbacks=callback_manager,
                                        inheritable_tags=tags, inheritable_metadata=metadata)
    run = manager.on_chain_start({"name": group_name}, inputs or {}, run_id=run_id)
    group = CallbackManagerForChainGroup._for_run(run)
    try:
        yield group
    except BaseException as exc:  # even on interrupts (CB-GROUP-3, CB-PAIR-3)
        group.on_chain_error(exc)
        raise
    group.on_chain_end({})


@asynccontextmanager
async def atrace_as_chain_group(group_name: str,
                                callback_manager: AsyncCallbackManager | None = None, *,
                                inputs: dict[str, Any] | None = None,
                                run_id: UUID | None = None, tags: list[str] | None = None,
                                metadata: dict[str, Any] | None = None,
                                ) -> AsyncIterator[AsyncCallbackManagerForChainGroup]:
    """Async twin of ``trace_as_chain_group``."""
    _check_group(group_name, callback_manager, tags, metadata)
    manager = AsyncCallbackManager.configure(inheritable_callbacks=callback_manager,
                                             inheritable_tags=tags,
                                             inheritable_metadata=metadata)
    run = await manager.on_chain_start({"name": group_name}, inputs or {}, run_id=run_id)
    group = AsyncCallbackManagerForChainGroup._for_run(run)
    try:
        yield group
    except BaseException as exc:  # even on cancellation (CB-GROUP-3, CB-PAIR-3)
        await group.on_chain_error(exc)
        raise
    await group.on_chain_end({})

"""Breaks CB-GROUP-5: an async trace group closes its run on an Exception only.

``atrace_as_chain_group`` guards its block with ``except Exception``; since Python 3.8
``asyncio.CancelledError`` is not an ``Exception``, so a cancelled task (or an async
generator holding the group closed early) leaves the block without any end event and
the group run stays open. The sync group is the reference's.
"""

from contextlib import asynccontextmanager

from tests._variant import adapter, private_reference

BREAKS = "CB-GROUP-5"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
group = ref.group


@asynccontextmanager
async def atrace_as_chain_group(group_name, callback_manager=None, *, inputs=None,
                                run_id=None, tags=None, metadata=None):
    manager = ref.AsyncCallbackManager.configure(inheritable_callbacks=callback_manager,
                                                 inheritable_tags=tags,
                                                 inheritable_metadata=metadata)
    run = await manager.on_chain_start({"name": group_name}, inputs or {}, run_id=run_id)
    child = run.get_child()
    group_manager = group.AsyncCallbackManagerForChainGroup(
        child.handlers, child.inheritable_handlers, child.parent_run_id,
        parent_run_manager=run, tags=child.tags, inheritable_tags=child.inheritable_tags,
        metadata=child.metadata, inheritable_metadata=child.inheritable_metadata)
    try:
        yield group_manager
    except Exception as exc:  # BROKEN: BaseException (cancellation, early stop) too
        await group_manager.on_chain_error(exc)
        raise
    await group_manager.on_chain_end({})


group.atrace_as_chain_group = ref.atrace_as_chain_group = atrace_as_chain_group
runcert_adapter = adapter(ref, "async_group_catches_exception_only", __doc__.splitlines()[0])

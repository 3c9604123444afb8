"""Breaks CB-GROUP-3: a sync trace group closes its run on an Exception only.

``trace_as_chain_group`` guards its block with ``except Exception``: a
``KeyboardInterrupt`` or ``GeneratorExit`` (a generator holding the group closed early)
leaves the block without any end event, so the group run stays open. The async group
is the reference's.
"""

from contextlib import contextmanager

from tests._variant import adapter, private_reference

BREAKS = "CB-GROUP-3"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
group = ref.group


@contextmanager
def trace_as_chain_group(group_name, callback_manager=None, *, inputs=None, run_id=None,
                         tags=None, metadata=None):
    manager = ref.CallbackManager.configure(inheritable_callbacks=callback_manager,
                                            inheritable_tags=tags,
                                            inheritable_metadata=metadata)
    run = manager.on_chain_start({"name": group_name}, inputs or {}, run_id=run_id)
    child = run.get_child()
    group_manager = group.CallbackManagerForChainGroup(
        child.handlers, child.inheritable_handlers, child.parent_run_id,
        parent_run_manager=run, tags=child.tags, inheritable_tags=child.inheritable_tags,
        metadata=child.metadata, inheritable_metadata=child.inheritable_metadata)
    try:
        yield group_manager
    except Exception as exc:  # BROKEN: BaseException (interrupts, early stop) too
        group_manager.on_chain_error(exc)
        raise
    group_manager.on_chain_end({})


group.trace_as_chain_group = ref.trace_as_chain_group = trace_as_chain_group
runcert_adapter = adapter(ref, "group_catches_exception_only", __doc__.splitlines()[0])

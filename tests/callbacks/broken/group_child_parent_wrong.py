"""Breaks CB-GROUP-1: runs inside a sync trace group are not children of the group run.

``trace_as_chain_group`` builds the manager it yields from the manager it configured
(whose ``parent_run_id`` is the group run's *parent*) instead of from the group run's
``get_child()``: the group start reaches the handlers, but runs started inside the
block are siblings of the group run, not its children.
"""

from contextlib import contextmanager

from tests._variant import adapter, private_reference

BREAKS = "CB-GROUP-1"
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
    group_manager = group.CallbackManagerForChainGroup(  # BROKEN: should be run.get_child()
        manager.inheritable_handlers, manager.inheritable_handlers, manager.parent_run_id,
        parent_run_manager=run, tags=manager.inheritable_tags,
        inheritable_tags=manager.inheritable_tags, metadata=manager.inheritable_metadata,
        inheritable_metadata=manager.inheritable_metadata)
    try:
        yield group_manager
    except BaseException as exc:
        group_manager.on_chain_error(exc)
        raise
    group_manager.on_chain_end({})


group.trace_as_chain_group = ref.trace_as_chain_group = trace_as_chain_group
runcert_adapter = adapter(ref, "group_child_parent_wrong", __doc__.splitlines()[0])

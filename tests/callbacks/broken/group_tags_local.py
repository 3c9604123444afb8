"""Breaks CB-GROUP-4: a sync trace group's tags label the group run only.

``trace_as_chain_group`` passes its ``tags`` to ``configure`` as ``local_tags``
instead of ``inheritable_tags``: they are on the group's start event, but no run
inside the group carries them. Metadata and the async group are the reference's.
"""

from contextlib import contextmanager

from tests._variant import adapter, private_reference

BREAKS = "CB-GROUP-4"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
group = ref.group


@contextmanager
def trace_as_chain_group(group_name, callback_manager=None, *, inputs=None, run_id=None,
                         tags=None, metadata=None):
    manager = ref.CallbackManager.configure(inheritable_callbacks=callback_manager,
                                            local_tags=tags,  # BROKEN: inheritable_tags
                                            inheritable_metadata=metadata)
    run = manager.on_chain_start({"name": group_name}, inputs or {}, run_id=run_id)
    child = run.get_child()
    group_manager = group.CallbackManagerForChainGroup(
        child.handlers, child.inheritable_handlers, child.parent_run_id,
        parent_run_manager=run, tags=child.tags, inheritable_tags=child.inheritable_tags,
        metadata=child.metadata, inheritable_metadata=child.inheritable_metadata)
    try:
        yield group_manager
    except BaseException as exc:
        group_manager.on_chain_error(exc)
        raise
    group_manager.on_chain_end({})


group.trace_as_chain_group = ref.trace_as_chain_group = trace_as_chain_group
runcert_adapter = adapter(ref, "group_tags_local", __doc__.splitlines()[0])

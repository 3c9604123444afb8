"""Breaks CB-ID-4: ``on_retry`` events carry no parent_run_id.

Every other event is correct; the retry event builds its keywords by hand and forgets the
parent, so a handler cannot place a sub-run's retry in the tree (the pattern of an event
method added later than the others, which does not go through the shared helper).
"""

from typing import Any

from tests._variant import adapter, private_reference

BREAKS = "CB-ID-4"
ALSO = {
    "CB-ID-5": "a sub-run's retry no longer names its parent: the tree has a loose end",
    "CB-ID-6": "the retry of a run under an explicit parent does not carry it",
    "CB-ID-7": "the retry of a run started with parent_run_id=P does not carry P",
}

ref = private_reference(__name__.rpartition(".")[2])
run_managers = ref.run_managers


def _without_parent(kwargs: dict[str, Any], manager: Any) -> dict[str, Any]:
    kwargs.update(run_id=manager.run_id, parent_run_id=None,  # BROKEN: manager.parent_run_id
                  tags=manager.tags)
    return kwargs


def on_retry(self, retry_state, **kwargs):
    run_managers.handle_event(self.handlers, "on_retry", "ignore_retry", (retry_state,),
                              _without_parent(kwargs, self))


async def aon_retry(self, retry_state, **kwargs):
    await run_managers.ahandle_event(self.handlers, "on_retry", "ignore_retry", (retry_state,),
                                     _without_parent(kwargs, self))


run_managers.RunManager.on_retry = on_retry
run_managers.AsyncRunManager.on_retry = aon_retry
runcert_adapter = adapter(ref, "events_drop_parent", __doc__.splitlines()[0])

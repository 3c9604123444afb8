"""Breaks CB-TAG-1: on_retriever_error is dispatched without the run's tags.

The reference sends every event of a run with the run's ``tags``; this variant's
retriever error event, written apart from the others, passes the run and parent ids
only, so handlers see the failure of a retriever run untagged.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-TAG-1"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
dispatch = ref.dispatch


def on_retriever_error(self, error, **kwargs):
    kwargs.update(run_id=self.run_id, parent_run_id=self.parent_run_id)  # BROKEN: no tags
    dispatch.handle_event(self.handlers, "on_retriever_error", "ignore_retriever", (error,),
                          kwargs)


async def aon_retriever_error(self, error, **kwargs):
    kwargs.update(run_id=self.run_id, parent_run_id=self.parent_run_id)  # BROKEN: no tags
    await dispatch.ahandle_event_shielded(self.handlers, "on_retriever_error",
                                          "ignore_retriever", (error,), kwargs)


ref.CallbackManagerForRetrieverRun.on_retriever_error = on_retriever_error
ref.AsyncCallbackManagerForRetrieverRun.on_retriever_error = aon_retriever_error
runcert_adapter = adapter(ref, "retriever_error_drops_tags", __doc__.splitlines()[0])

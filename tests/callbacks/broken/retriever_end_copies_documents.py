"""Breaks CB-EV-3: on_retriever_end hands handlers a copy of the documents.

The retriever run managers pass ``list(documents)`` ("so that a handler cannot change
the retriever's result"): handlers get a new list, not the documents object given.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-EV-3"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])
rm = ref.run_managers


def on_retriever_end(self, documents, **kwargs):
    self._emit("on_retriever_end", "ignore_retriever", (list(documents),), kwargs)  # BROKEN


async def aon_retriever_end(self, documents, **kwargs):
    await self._emit_final("on_retriever_end", "ignore_retriever", (list(documents),),  # BROKEN
                           kwargs)


rm.CallbackManagerForRetrieverRun.on_retriever_end = on_retriever_end
rm.AsyncCallbackManagerForRetrieverRun.on_retriever_end = aon_retriever_end
runcert_adapter = adapter(ref, "retriever_end_copies_documents", __doc__.splitlines()[0])

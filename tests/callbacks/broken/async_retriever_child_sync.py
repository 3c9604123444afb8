"""Breaks CB-CHILD-1: get_child() of an async retriever run returns a sync callback manager.

The reference's async run managers return an ``AsyncCallbackManager``; this variant's
async retriever run manager keeps a ``get_child`` copied from the sync one, so what an
async retriever calls is traced through a sync manager.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-CHILD-1"
ALSO: dict[str, str] = {}

ref = private_reference(__name__.rpartition(".")[2])


def get_child(self, tag=None):
    return self._child(ref.CallbackManager, tag)  # BROKEN: should be AsyncCallbackManager


ref.AsyncCallbackManagerForRetrieverRun.get_child = get_child
runcert_adapter = adapter(ref, "async_retriever_child_sync", __doc__.splitlines()[0])

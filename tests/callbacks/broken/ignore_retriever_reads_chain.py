"""Breaks CB-IGN-5: retriever events are filtered by ignore_chain, not ignore_retriever.

The dispatcher reads the wrong flag for the retriever family: a handler with
``ignore_retriever`` still gets retriever events (and one with ``ignore_chain`` loses
them, which CB-IGN-7 also forbids).
"""

from tests._variant import adapter, private_reference, replace_function

BREAKS = "CB-IGN-5"
ALSO = {
    "CB-IGN-1": "a handler with ignore_chain also loses retriever events",
    "CB-IGN-7": "the flag families are no longer independent",
}

ref = private_reference(__name__.rpartition(".")[2])


def _ignores(handler, ignore_flag):
    if ignore_flag == "ignore_retriever":
        ignore_flag = "ignore_chain"  # BROKEN: wrong family
    return ignore_flag is not None and bool(getattr(handler, ignore_flag))


replace_function(ref, "_ignores", _ignores)
runcert_adapter = adapter(ref, "ignore_retriever_reads_chain", __doc__.splitlines()[0])

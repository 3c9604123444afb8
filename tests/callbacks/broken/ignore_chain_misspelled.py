"""Breaks CB-IGN-1: the chain family's flag is looked up as ``ignore_chains``.

The dispatcher reads a misspelled attribute with a default (``getattr(handler,
"ignore_chains", False)``), so ``ignore_chain`` never silences a chain event.
"""

from tests._variant import adapter, private_reference, replace_function

BREAKS = "CB-IGN-1"
ALSO: dict[str, str] = {
    "CB-SCOPE-2": (
        "not a violation of CB-SCOPE-2: the async_handler_flags_parity golden "
        "transcript cites CB-PARITY-2 only, so conformance.callbacks.programs falls back to "
        "CB-SCOPE-2 for the extra on_chain_start its ignore_chain handler gets"
    ),
}

ref = private_reference(__name__.rpartition(".")[2])


def _ignores(handler, ignore_flag):
    if ignore_flag == "ignore_chain":
        return bool(getattr(handler, "ignore_chains", False))  # BROKEN: misspelled
    return ignore_flag is not None and bool(getattr(handler, ignore_flag))


replace_function(ref, "_ignores", _ignores)
runcert_adapter = adapter(ref, "ignore_chain_misspelled", __doc__.splitlines()[0])

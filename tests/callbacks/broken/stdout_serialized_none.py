"""Breaks CB-VERB-3: the stdout handler fails on a chain start whose serialized is None.

The reference falls back to ``<unknown>`` when there is no serialized component; this
variant reads ``serialized.get("name")`` unguarded, so the handler raises
``AttributeError`` (logged and swallowed by the manager) and a chain started with
``serialized=None`` prints nothing under ``verbose=True``.
"""

from tests._variant import adapter, private_reference, replace_function

BREAKS = "CB-VERB-3"
ALSO: dict[str, str] = {
    "CB-VERB-5": "the chain-start line for serialized=None (`> Entering new <unknown> "
                 "chain...`) is never printed, since the handler raises before printing",
}

ref = private_reference(__name__.rpartition(".")[2])


def _chain_name(serialized, kwargs):
    if "name" in kwargs:
        return str(kwargs["name"])
    # BROKEN: no guard for serialized=None
    return str(serialized.get("name") or (serialized.get("id") or ["<unknown>"])[-1])


replace_function(ref, "_chain_name", _chain_name)
runcert_adapter = adapter(ref, "stdout_serialized_none", __doc__.splitlines()[0])

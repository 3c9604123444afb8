"""Breaks CB-EV-1: a chain ended with empty outputs reports None instead of them.

The chain run managers normalise "no outputs" with ``outputs or None``, so
``on_chain_end({})`` (a chain that legitimately returns an empty dict) reaches the
handlers as ``on_chain_end(None)``: the payload is not the object the caller gave.
"""

from tests._variant import adapter, private_reference

BREAKS = "CB-EV-1"
ALSO: dict[str, str] = {
    "CB-GROUP-1": (
        "not a violation of CB-GROUP-1: the trace_group golden transcript ends its "
        "group with on_chain_end({}), and conformance.callbacks.programs attributes that payload "
        "difference to the first rule the transcript cites (CB-GROUP-1)"
    ),
}

ref = private_reference(__name__.rpartition(".")[2])
rm = ref.run_managers


def on_chain_end(self, outputs, **kwargs):
    self._emit("on_chain_end", "ignore_chain", (outputs or None,), kwargs)  # BROKEN: `or None`


async def aon_chain_end(self, outputs, **kwargs):
    await self._emit_final("on_chain_end", "ignore_chain", (outputs or None,), kwargs)  # BROKEN


rm.CallbackManagerForChainRun.on_chain_end = on_chain_end
rm.AsyncCallbackManagerForChainRun.on_chain_end = aon_chain_end
runcert_adapter = adapter(ref, "chain_end_empty_outputs_none", __doc__.splitlines()[0])

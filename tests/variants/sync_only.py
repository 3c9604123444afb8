"""The reference with its sync callback lane only: no async manager, no async handler.

It must certify (MEETS the contract): every rule that needs the async lane is not
applicable, the rules of the sync lane pass, and nothing fails for want of the lane.
"""

from dataclasses import replace

from conformance.adapter import CB_ASYNC
from conformance.adapters.reference import runcert_adapter as _reference

assert _reference.callbacks is not None
runcert_adapter = replace(
    _reference, name="sync_only", description="the reference without the async callback lane",
    capabilities=_reference.capabilities - {CB_ASYNC},
    callbacks=replace(_reference.callbacks, async_callback_manager=None, async_handler=None,
                      atrace_as_chain_group=None))

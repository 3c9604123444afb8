"""The reference with its async callback lane only, like LangChain.js: no sync manager,
no sync handler base class.

It must certify (MEETS the contract): every rule that needs the sync lane is not
applicable, the rules of the async lane pass, and nothing fails for want of the lane.
"""

from dataclasses import replace

from conformance.adapter import CB_SYNC
from conformance.adapters.reference import runcert_adapter as _reference

assert _reference.callbacks is not None
runcert_adapter = replace(
    _reference, name="async_only", description="the reference without the sync callback lane",
    capabilities=_reference.capabilities - {CB_SYNC},
    callbacks=replace(_reference.callbacks, callback_manager=None, base_handler=None,
                      trace_as_chain_group=None))

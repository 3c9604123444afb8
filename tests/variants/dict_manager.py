"""An "implementation" whose sync callback manager is ``dict``: it meets no rule.

A certification must say so: no pass at all, and in particular none for the TR- rules
of the transcript format, which say nothing about an implementation.
"""

from conformance.adapter import CB_SYNC, Adapter, CallbackFactories

runcert_adapter = Adapter(
    name="dict_manager",
    version="0",
    description="dict as the callback manager",
    capabilities=frozenset({CB_SYNC}),
    deviations={},
    callbacks=CallbackFactories(callback_manager=dict, async_callback_manager=None,
                                base_handler=object, async_handler=None),
)

"""Built-in adapter: runcert's own reference implementation."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import reference.callbacks as cb

from ..adapter import CB_ASYNC, CB_SYNC, CB_TRACE_GROUP, CB_VERBOSE, Adapter, CallbackFactories

try:
    _VERSION = version("runcert")
except PackageNotFoundError:  # running from a checkout that is not installed
    _VERSION = "0+checkout"

runcert_adapter = Adapter(
    name="reference",
    version=_VERSION,
    description="runcert reference implementation",
    capabilities=frozenset({CB_SYNC, CB_ASYNC, CB_TRACE_GROUP, CB_VERBOSE}),
    deviations={},
    callbacks=CallbackFactories(
        callback_manager=cb.CallbackManager,
        async_callback_manager=cb.AsyncCallbackManager,
        base_handler=cb.BaseCallbackHandler,
        async_handler=cb.AsyncCallbackHandler,
        stdout_handler=cb.StdOutCallbackHandler,
        trace_as_chain_group=cb.trace_as_chain_group,
        atrace_as_chain_group=cb.atrace_as_chain_group,
    ),
)

"""Built-in adapter: the real ``langchain_core`` callback classes.

Everything the suites drive is the library's own code: ``CallbackManager.configure``,
``AsyncCallbackManager.configure``, the run managers they return, the handler base
classes (the kit's recorders subclass them), ``StdOutCallbackHandler`` and the
trace-group context managers. Nothing is re-implemented or patched here.

The deviation manifest below lists every rule the certified version fails, with the
reason; each one is confirmed by the suites on every run (strict: a fixed deviation
fails the run) and reproduced by a transcript in ``conformance/transcripts/deviations``.
"""

from __future__ import annotations

from importlib.metadata import version

from langchain_core.callbacks import (
    AsyncCallbackHandler,
    AsyncCallbackManager,
    BaseCallbackHandler,
    CallbackManager,
    StdOutCallbackHandler,
)
from langchain_core.callbacks.manager import atrace_as_chain_group, trace_as_chain_group

from ..adapter import CB_ASYNC, CB_SYNC, CB_TRACE_GROUP, CB_VERBOSE, Adapter, CallbackFactories

DEVIATIONS: dict[str, str] = {}

runcert_adapter = Adapter(
    name="langchain_core",
    version=version("langchain-core"),
    description="langchain_core.callbacks (real library)",
    capabilities=frozenset({CB_SYNC, CB_ASYNC, CB_TRACE_GROUP, CB_VERBOSE}),
    deviations=DEVIATIONS,
    callbacks=CallbackFactories(
        callback_manager=CallbackManager,
        async_callback_manager=AsyncCallbackManager,
        base_handler=BaseCallbackHandler,
        async_handler=AsyncCallbackHandler,
        stdout_handler=StdOutCallbackHandler,
        trace_as_chain_group=trace_as_chain_group,
        atrace_as_chain_group=atrace_as_chain_group,
    ),
)

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

from ..adapter import (
    CB_ASYNC, CB_SYNC, CB_TRACE_GROUP, CB_VERBOSE, Adapter, CallbackFactories, Deviation,
    require_version,
)

#: The releases this adapter and its manifest were established for (by the release sweep,
#: reports/sweep.toml). Checked before the library is imported, so another release is one
#: usage error naming the range.
SUPPORTED = ">=0.2.43,<1.8"
VERSION = require_version("langchain-core", SUPPORTED, "langchain_core")

from langchain_core.callbacks import (  # noqa: E402 - after the version check
    AsyncCallbackHandler,
    AsyncCallbackManager,
    BaseCallbackHandler,
    CallbackManager,
    StdOutCallbackHandler,
)
from langchain_core.callbacks.manager import (  # noqa: E402
    atrace_as_chain_group, trace_as_chain_group,
)

# Rule -> reason. Line numbers refer to langchain_core 1.7.2, callbacks/manager.py unless named.
DEVIATIONS: dict[str, str] = {
    # MUST rules
    "CB-SCOPE-4": "configure(inheritable_callbacks=[h, h]) copies the list as given: h gets every "
                  "event twice (no de-duplication of list callbacks, manager.py:2461)",
    "CB-CUSTOM-3": "on_custom_event returns before its keyword check when the manager has no "
                   "handlers, so extra keywords raise nothing (manager.py:1670, async 2151)",
    "CB-DISP-1": "the sync manager calls async handlers after every sync handler (coroutines are "
                 "collected and run in handle_event's finally), not in list order",
    "CB-DISP-2": "AsyncCallbackManager.on_llm_start dispatches only to run_inline handlers when any "
                 "exists: the others never get on_llm_start (manager.py:1912)",
    "CB-DISP-3": "an async handler's exception under the sync manager is logged and swallowed even "
                 "with raise_error=True (_run_coros, manager.py:381)",
    "CB-IGN-3": "chat-model runs use the LLM run manager: their token/end/error events are gated by "
                "ignore_llm, not ignore_chat_model",
    "CB-IGN-7": "a handler with ignore_llm receives on_chat_model_start but not that run's "
                "token/end/error (flag families differ between start and end of chat runs)",
    "CB-PAIR-1": "a handler with ignore_llm receives a chat-model run's on_chat_model_start but "
                 "never its end or error (chat ends are gated by ignore_llm, starts by "
                 "ignore_chat_model)",
    "CB-PAIR-2": "handlers receive token/end events of runs whose start they never got (ignore_chat_"
                 "model gates only the chat start; async on_llm_start skips non-inline handlers)",
    "CB-GROUP-1": "trace_as_chain_group ignores callback_manager unless LangSmith tracing is enabled "
                  "(_get_trace_callbacks returns None, tracers/context.py:120): its handlers see nothing",
    "CB-GROUP-2": "no group event reaches the given callback_manager's handlers (cause: CB-GROUP-1)",
    "CB-GROUP-3": "no group error event reaches the given callback_manager's handlers "
                  "(cause: CB-GROUP-1); the exception itself is re-raised",
    "CB-GROUP-4": "the group's tags and metadata cannot be observed: no event reaches the given "
                  "callback_manager's handlers (cause: CB-GROUP-1)",
    "CB-GROUP-5": "atrace_as_chain_group ignores callback_manager the same way (cause: CB-GROUP-1)",
    "CB-PARITY-1": "the same program gives different events on the two managers: the async "
                   "on_llm_start drops non-inline handlers when an inline one exists (CB-DISP-2)",
    "CB-PARITY-2": "raise_error on an async handler propagates under the async manager but is "
                   "swallowed under the sync manager (CB-DISP-3); exactly-once differs too "
                   "(async on_llm_start, CB-DISP-2)",
    "CB-PARITY-3": "AsyncCallbackManager.on_tool_start has no `inputs` parameter, unlike the sync "
                   "on_tool_start (manager.py:2083 vs 1542)",
    # SHOULD rules (listed so the reason is on record; strict like the others)
    "CB-TAG-5": "handlers receive the manager's own tags list: a handler appending to it relabels "
                "the manager and later events (tags=self.tags)",
    "CB-META-4": "handlers receive the manager's own metadata dict: a handler mutating it changes "
                 "the manager and later events (metadata=self.metadata)",
    "CB-PAIR-4": "the async tool run manager's on_tool_end/on_tool_error are not @shielded, unlike "
                 "chain, retriever and LLM ends: cancellation loses delivery (manager.py:1212)",
    "CB-PAIR-5": "run managers share the starting manager's handler list: handlers added later get "
                 "the run's end, removed ones miss it",
    "CB-ASYNC-6": "ahandle_event gathers the non-inline handlers without return_exceptions: the "
                  "first raise_error failure propagates while the others still run (manager.py:486)",
    "CB-MERGE-3": "merge() de-duplicates handlers and tags through set(): order depends on hashing "
                  "(base.py:1085)",
}

runcert_adapter = Adapter(
    name="langchain_core",
    version=VERSION,
    supported=SUPPORTED,
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

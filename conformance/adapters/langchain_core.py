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

from conformance.adapter import (
    CB_ASYNC, CB_SYNC, CB_TRACE_GROUP, CB_VERBOSE, Adapter, CallbackFactories, Deviation,
    ManifestEntry, require_version,
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

# Rule -> reason, and the releases it holds for (every release of the supported range
# unless a range is given). Established by certifying every release 0.2.43-1.7.7 (see
# README, "Supported versions and the release sweep"). Line numbers refer to
# langchain_core 1.7.2, callbacks/manager.py, unless another file or release is named.
SINCE_INLINE_SPLIT = ">=0.3.10"  # 0.3.10: async on_llm_start dispatches inline handlers apart
BEFORE_INLINE_SPLIT = "<0.3.10"
SINCE_SHIELDED_ENDS = ">=0.3.60"  # 0.3.60: ends @shielded, custom-event check reordered
BEFORE_MERGE_FIX = "<1.2.6"  # 1.2.6: BaseCallbackManager.merge keeps the two handler lists
SINCE_MERGE_FIX = ">=1.2.6"
BEFORE_STDOUT_FIX = "<0.3.6"  # 0.3.6: the stdout handler reads the name keyword first

DEVIATIONS: dict[str, ManifestEntry] = {
    # MUST rules
    "CB-SCOPE-4": "configure(inheritable_callbacks=[h, h]) copies the list as given: h gets every "
                  "event twice (no de-duplication of list callbacks, manager.py:2461)",
    "CB-CUSTOM-3": Deviation(
        "on_custom_event returns before its keyword check when the manager has no handlers, so "
        "extra keywords raise nothing (manager.py:1670, async 2151)", SINCE_SHIELDED_ENDS),
    "CB-CONS-5": Deviation(
        "remove_handler of a handler held in handlers only raises ValueError: it removes from "
        "both lists unconditionally (0.2.43 base.py:1001)", "<0.3.52"),
    "CB-CONS-6": Deviation(
        "remove_tags/remove_metadata of an entry held on one side only raise ValueError/KeyError: "
        "they remove from both sides unconditionally (0.2.43 base.py:1048, 1069)", "<0.3.66"),
    "CB-ID-7": "an explicit parent_run_id is ignored by on_tool_start/on_retriever_start (they "
               "take the parameter, then pass self.parent_run_id, manager.py:1583, 1632) and makes "
               "on_chain_start/on_llm_start/on_chat_model_start raise TypeError (it reaches "
               "handle_event through **kwargs next to parent_run_id=self.parent_run_id)",
    "CB-EV-5": "a handler not overriding on_chat_model_start (the base classes raise "
               "NotImplementedError) gets on_llm_start with the messages rendered by "
               "get_buffer_string, which raises ValueError for a message that is not a "
               "BaseMessage; with raise_error it reaches the caller (manager.py:284, 436)",
    "CB-DISP-1": "the sync manager calls async handlers after every sync handler (coroutines are "
                 "collected and run in handle_event's finally), not in list order",
    "CB-DISP-2": Deviation(
        "AsyncCallbackManager.on_llm_start dispatches only to run_inline handlers when any "
        "exists: the others never get on_llm_start (manager.py:1912)", SINCE_INLINE_SPLIT),
    "CB-DISP-3": "an async handler's exception under the sync manager is logged and swallowed even "
                 "with raise_error=True (_run_coros, manager.py:381)",
    "CB-DISP-6": Deviation(
        "AsyncCallbackManager.on_llm_start/on_chat_model_start gather the starts of all prompts "
        "at once: inline handlers get the next prompt's start before finishing the previous "
        "one's (0.3.9 manager.py:1770)", BEFORE_INLINE_SPLIT),
    "CB-IGN-3": "chat-model runs use the LLM run manager: their token/end/error events are gated by "
                "ignore_llm, not ignore_chat_model",
    "CB-IGN-7": "a handler with ignore_llm receives on_chat_model_start but not that run's "
                "token/end/error (flag families differ between start and end of chat runs)",
    "CB-PAIR-1": "a handler with ignore_llm receives a chat-model run's on_chat_model_start but "
                 "never its end or error (chat ends are gated by ignore_llm, starts by "
                 "ignore_chat_model)",
    "CB-PAIR-2": "handlers receive token/end events of runs whose start they never got (ignore_chat_"
                 "model gates only the chat start; from 0.3.10 the async on_llm_start also skips "
                 "non-inline handlers, CB-DISP-2)",
    "CB-GROUP-1": "trace_as_chain_group ignores callback_manager unless LangSmith tracing is enabled "
                  "(_get_trace_callbacks returns None, tracers/context.py:120): its handlers see nothing",
    "CB-GROUP-2": "no group event reaches the given callback_manager's handlers (cause: CB-GROUP-1)",
    "CB-GROUP-3": "no group error event reaches the given callback_manager's handlers "
                  "(cause: CB-GROUP-1); the exception itself is re-raised",
    "CB-GROUP-4": "the group's tags and metadata cannot be observed: no event reaches the given "
                  "callback_manager's handlers (cause: CB-GROUP-1)",
    "CB-GROUP-5": "atrace_as_chain_group ignores callback_manager the same way (cause: CB-GROUP-1)",
    "CB-MERGE-2": [
        Deviation("merge() adds every handler of both managers as inheritable (local ones too) "
                  "and drops inheritable_metadata (1.2.5 base.py:932); the trace-group managers' "
                  "merge does the same", BEFORE_MERGE_FIX),
        Deviation("the trace-group managers' merge (CallbackManagerForChainGroup.merge, "
                  "manager.py:1783, async 2311) adds every handler as inheritable (local ones "
                  "too) and drops inheritable_metadata", SINCE_MERGE_FIX),
    ],
    "CB-PARITY-1": Deviation(
        "the same program gives different events on the two managers: the async on_llm_start "
        "drops non-inline handlers when an inline one exists (CB-DISP-2)", SINCE_INLINE_SPLIT),
    "CB-PARITY-2": "raise_error on an async handler propagates under the async manager but is "
                   "swallowed under the sync manager (CB-DISP-3); from 0.3.10 exactly-once differs "
                   "too (async on_llm_start, CB-DISP-2)",
    "CB-PARITY-3": "AsyncCallbackManager.on_tool_start has no `inputs` parameter, unlike the sync "
                   "on_tool_start (manager.py:2083 vs 1542)",
    "CB-VERB-3": Deviation(
        "the stdout handler reads serialized.get('name') unguarded: with serialized=None it raises "
        "AttributeError, which is logged, and nothing is printed (0.3.5 callbacks/stdout.py:35)",
        BEFORE_STDOUT_FIX),
    # SHOULD rules (listed so the reason is on record; strict like the others)
    "CB-VERB-5": Deviation(
        "the stdout handler prints serialized['name'] and ignores the name keyword (0.3.5 "
        "callbacks/stdout.py:35)", BEFORE_STDOUT_FIX),
    "CB-TAG-5": "handlers receive the manager's own tags list: a handler appending to it relabels "
                "the manager and later events (tags=self.tags)",
    "CB-META-4": "handlers receive the manager's own metadata dict: a handler mutating it changes "
                 "the manager and later events (metadata=self.metadata)",
    "CB-PAIR-4": Deviation(
        "the async tool run manager's on_tool_end/on_tool_error are not @shielded, unlike chain, "
        "retriever and LLM ends: cancellation loses delivery (manager.py:1212)",
        SINCE_SHIELDED_ENDS),
    "CB-PAIR-5": "run managers share the starting manager's handler list: handlers added later get "
                 "the run's end, removed ones miss it",
    "CB-ASYNC-6": "ahandle_event gathers the non-inline handlers without return_exceptions: the "
                  "first raise_error failure propagates while the others still run (manager.py:486)",
    "CB-MERGE-3": [
        Deviation("merge() de-duplicates tags through set(): their order depends on hashing "
                  "(1.2.5 base.py:932); handlers keep a's then b's order", BEFORE_MERGE_FIX),
        Deviation("merge() de-duplicates handlers and tags through set(): order depends on "
                  "hashing (base.py:1085)", SINCE_MERGE_FIX),
    ],
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

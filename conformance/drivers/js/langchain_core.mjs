// runcert-wire/1 driver for LangChain.js: serves @langchain/core's real CallbackManager,
// its run managers and BaseCallbackHandler to the kit (specs/wire.md, "Drivers").
//
//   node conformance/drivers/js/langchain_core.mjs        (what --impl=langchain_js starts)
//
// The kit speaks the contract's Python vocabulary (configure(inheritable_callbacks=...),
// on_chain_start, get_child, run_id, inheritable_handlers ...). The facades below map each
// name onto the library's own method or field (CallbackManager.configure(...),
// handleChainStart, getChild, runId, inheritableHandlers ...) and nothing more: every
// decision (which handler gets what, flags, inheritance, ids) is the library's.
//
// The kit's handlers become instances of a subclass of the library's BaseCallbackHandler
// whose handle* methods forward to the kit (with the contract's names and keywords) and
// whose raiseError / ignore* flags read the kit handler's flags. What the kit's handler
// raises is thrown here, so raiseError works across the wire.
//
// LangChain.js has no sync manager: the hello declares the async lane only
// (callbacks.async). LANGCHAIN_CALLBACKS_BACKGROUND=false is set before the library is
// loaded: BaseCallbackHandler.awaitHandlers then defaults to true, so consumeCallback
// awaits each handler call instead of putting it on its background queue (the documented
// setting for serverless environments), and a manager's promise settles only once its
// handlers have run. Tracing is switched off (no LangSmith calls).

process.env.LANGCHAIN_CALLBACKS_BACKGROUND = "false";
process.env.LANGCHAIN_TRACING_V2 = "false";
process.env.LANGSMITH_TRACING = "false";
delete process.env.LANGCHAIN_VERBOSE;

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import {
  Connection, Facade, FacadeClass, KitError, KitObject, PyError, Uuid, claimStdout, facadeOf,
  parseParams,
} from "./wire.mjs";

const protocolOut = claimStdout();

const { CallbackManager } = await import("@langchain/core/callbacks/manager");
const { BaseCallbackHandler } = await import("@langchain/core/callbacks/base");

const require = createRequire(import.meta.url);
const corePackage = JSON.parse(readFileSync(
  require.resolve("@langchain/core/package.json"), "utf8"));
const VERSION = corePackage.version;

// -- helpers --------------------------------------------------------------------------------

const MODULE = "@langchain/core/callbacks/manager";

/** A run id as the kit expects it (uuid.UUID): the library's ids are strings. */
function asUuid(value) {
  if (value === undefined || value === null) return null;
  if (value instanceof Uuid) return value;
  return new Uuid(String(value));
}

/** None (null) and "not given" are both `undefined` for the library's optional
 * parameters (its defaults apply to `undefined` only). */
function opt(value) {
  return value === null ? undefined : value;
}

/** The library object behind a facade (a manager passed as callbacks). */
function unwrap(value) {
  return value instanceof Facade ? value.target : value;
}

function rest(kwargs) {
  return kwargs && Object.keys(kwargs).length ? kwargs : undefined;
}

function managerFacade(manager) {
  return facadeOf(CALLBACK_MANAGER, manager);
}

const RUN_CLASSES = new Map();
function runFacade(run) {
  const cls = RUN_CLASSES.get(run?.constructor);
  if (!cls) return run;
  return facadeOf(cls, run);
}

const field = (name, wrap = (v) => v) => ({
  get: (self) => wrap(self.target[name]),
  set: (self, value) => { self.target[name] = value; },
});

// -- the kit's handlers, as the library's handlers -----------------------------------------

// Contract flag -> BaseCallbackHandler field.
const FLAGS = {
  raise_error: "raiseError",
  ignore_llm: "ignoreLLM",
  ignore_chain: "ignoreChain",
  ignore_agent: "ignoreAgent",
  ignore_retriever: "ignoreRetriever",
  ignore_custom_event: "ignoreCustomEvent",
};
const bare = new (class extends BaseCallbackHandler { name = "bare"; })();
const HANDLER_FLAGS = Object.fromEntries(Object.entries(FLAGS).map(([py, js]) => [py, bare[js]]));

const kw = (params) => Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));

// Library event -> [contract event, (library arguments) -> [args, kwargs]].
const EVENTS = {
  handleLLMStart: ["on_llm_start", (llm, prompts, runId, parentRunId, extraParams, tags, metadata, runName) =>
    [[llm, prompts], { ...extraParams, ...kw({ run_id: asUuid(runId), parent_run_id: asUuid(parentRunId), tags, metadata, name: runName }) }]],
  handleChatModelStart: ["on_chat_model_start", (llm, messages, runId, parentRunId, extraParams, tags, metadata, runName) =>
    [[llm, messages], { ...extraParams, ...kw({ run_id: asUuid(runId), parent_run_id: asUuid(parentRunId), tags, metadata, name: runName }) }]],
  handleLLMNewToken: ["on_llm_new_token", (token, idx, runId, parentRunId, tags, fields) =>
    [[token], { ...fields, ...kw({ run_id: asUuid(runId), parent_run_id: asUuid(parentRunId), tags }) }]],
  handleLLMEnd: ["on_llm_end", (output, runId, parentRunId, tags, extraParams) =>
    [[output], { ...extraParams, ...kw({ run_id: asUuid(runId), parent_run_id: asUuid(parentRunId), tags }) }]],
  handleLLMError: ["on_llm_error", (error, runId, parentRunId, tags, extraParams) =>
    [[error], { ...extraParams, ...kw({ run_id: asUuid(runId), parent_run_id: asUuid(parentRunId), tags }) }]],
  handleChainStart: ["on_chain_start", (chain, inputs, runId, parentRunId, tags, metadata, runType, runName, extra) =>
    [[chain, inputs], { ...extra, ...kw({ run_id: asUuid(runId), parent_run_id: asUuid(parentRunId), tags, metadata, run_type: runType, name: runName }) }]],
  handleChainEnd: ["on_chain_end", (outputs, runId, parentRunId, tags, kwargs) =>
    [[outputs], { ...kwargs, ...kw({ run_id: asUuid(runId), parent_run_id: asUuid(parentRunId), tags }) }]],
  handleChainError: ["on_chain_error", (error, runId, parentRunId, tags, kwargs) =>
    [[error], { ...kwargs, ...kw({ run_id: asUuid(runId), parent_run_id: asUuid(parentRunId), tags }) }]],
  handleToolStart: ["on_tool_start", (tool, input, runId, parentRunId, tags, metadata, runName, toolCallId) =>
    [[tool, input], kw({ run_id: asUuid(runId), parent_run_id: asUuid(parentRunId), tags, metadata, name: runName, tool_call_id: toolCallId })]],
  handleToolEnd: ["on_tool_end", (output, runId, parentRunId, tags) =>
    [[output], kw({ run_id: asUuid(runId), parent_run_id: asUuid(parentRunId), tags })]],
  handleToolError: ["on_tool_error", (error, runId, parentRunId, tags) =>
    [[error], kw({ run_id: asUuid(runId), parent_run_id: asUuid(parentRunId), tags })]],
  handleText: ["on_text", (text, runId, parentRunId, tags) =>
    [[text], kw({ run_id: asUuid(runId), parent_run_id: asUuid(parentRunId), tags })]],
  handleAgentAction: ["on_agent_action", (action, runId, parentRunId, tags) =>
    [[action], kw({ run_id: asUuid(runId), parent_run_id: asUuid(parentRunId), tags })]],
  handleAgentEnd: ["on_agent_finish", (finish, runId, parentRunId, tags) =>
    [[finish], kw({ run_id: asUuid(runId), parent_run_id: asUuid(parentRunId), tags })]],
  handleRetrieverStart: ["on_retriever_start", (retriever, query, runId, parentRunId, tags, metadata, name) =>
    [[retriever, query], kw({ run_id: asUuid(runId), parent_run_id: asUuid(parentRunId), tags, metadata, name })]],
  handleRetrieverEnd: ["on_retriever_end", (documents, runId, parentRunId, tags) =>
    [[documents], kw({ run_id: asUuid(runId), parent_run_id: asUuid(parentRunId), tags })]],
  handleRetrieverError: ["on_retriever_error", (error, runId, parentRunId, tags) =>
    [[error], kw({ run_id: asUuid(runId), parent_run_id: asUuid(parentRunId), tags })]],
  handleCustomEvent: ["on_custom_event", (name, data, runId, tags, metadata) =>
    [[name, data], kw({ run_id: asUuid(runId), tags, metadata })]],
};
const CONTRACT_EVENTS = Object.fromEntries(Object.entries(EVENTS).map(([js, [py]]) => [py, js]));

function forwarder(pyName, kind, translate) {
  return function (...jsArgs) {
    const [args, kwargs] = translate(...jsArgs);
    return this.wireConnection.request(this, pyName, args, kwargs, kind === "async");
  };
}

const STATE = Symbol("kit handler state");

/** The class of stand-ins for one kit handler class: the library's BaseCallbackHandler
 * with a handle* method for each event the kit's class overrides. */
function makeHandlerClass(description) {
  class KitHandler extends BaseCallbackHandler {
    constructor(conn, wid) {
      super();
      for (const jsName of Object.values(FLAGS)) delete this[jsName]; // read the kit's
      this.wireConnection = conn;
      this.wid = wid;
      this.name = `kit:${description.name}:${wid}`;
      this[STATE] = { flags: {}, own: {} };
    }

    wireUpdate(state) {
      const previous = this[STATE].own ?? {};
      this[STATE] = state;
      for (const py of Object.keys(previous)) {
        const js = CONTRACT_EVENTS[py];
        if (js && !(py in (state.own ?? {}))) delete this[js];
      }
      for (const [py, kind] of Object.entries(state.own ?? {})) {
        const js = CONTRACT_EVENTS[py];
        if (js) this[js] = forwarder(py, kind, EVENTS[js][1]);
      }
    }
  }
  Object.defineProperty(KitHandler, "name", { value: description.name });
  for (const [py, js] of Object.entries(FLAGS)) {
    Object.defineProperty(KitHandler.prototype, js, {
      get() {
        const value = this[STATE]?.flags?.[py];
        return value === undefined || value === null ? HANDLER_FLAGS[py] : Boolean(value);
      },
      set(value) { this[STATE].flags[py] = value; },
      configurable: true,
    });
  }
  for (const [py, kind] of Object.entries(description.methods ?? {})) {
    const js = CONTRACT_EVENTS[py];
    if (js) KitHandler.prototype[js] = forwarder(py, kind, EVENTS[js][1]);
  }
  return KitHandler;
}

// -- facades: the contract's names on the library's classes ---------------------------------

const handlerList = (value) => (value === undefined || value === null ? value : value);

const MANAGER_FIELDS = {
  handlers: field("handlers"),
  inheritable_handlers: field("inheritableHandlers"),
  tags: field("tags"),
  inheritable_tags: field("inheritableTags"),
  metadata: field("metadata"),
  inheritable_metadata: field("inheritableMetadata"),
};

const CALLBACK_MANAGER = new FacadeClass({
  name: "CallbackManager",
  qualname: `${MODULE}.CallbackManager`,
  constructParams: "handlers, inheritable_handlers=, parent_run_id=, *, tags=, inheritable_tags=, metadata=, inheritable_metadata=",
  construct: (b) => managerFacade(new CallbackManager(opt(b.parent_run_id), {
    handlers: opt(b.handlers), inheritableHandlers: opt(b.inheritable_handlers),
    tags: opt(b.tags), inheritableTags: opt(b.inheritable_tags),
    metadata: opt(b.metadata), inheritableMetadata: opt(b.inheritable_metadata),
  })),
  properties: {
    ...MANAGER_FIELDS,
    parent_run_id: { get: (self) => asUuid(self.target.getParentRunId()),
                     set: (self, value) => { self.target._parentRunId = opt(value); } },
    is_async: { get: () => true },
  },
  methods: {
    configure: {
      kind: "class-sync",
      params: "inheritable_callbacks=, local_callbacks=, verbose=, inheritable_tags=, local_tags=, inheritable_metadata=, local_metadata=",
      fn: (b) => managerFacade(CallbackManager.configure(
        unwrap(opt(b.inheritable_callbacks)), unwrap(opt(b.local_callbacks)),
        opt(b.inheritable_tags), opt(b.local_tags),
        opt(b.inheritable_metadata), opt(b.local_metadata),
        b.verbose ? { verbose: true } : undefined)),
    },
    on_chain_start: {
      kind: "async", params: "serialized, inputs, run_id=, **kwargs",
      fn: async (b, self) => {
        const { run_type, name, tags, metadata, parent_run_id, ...extra } = b.kwargs;
        return runFacade(await self.target.handleChainStart(
          b.serialized, b.inputs, opt(b.run_id), opt(run_type), opt(tags), opt(metadata),
          opt(name), opt(parent_run_id), rest(extra)));
      },
    },
    on_tool_start: {
      kind: "async", params: "serialized, input_str, run_id=, parent_run_id=, **kwargs",
      fn: async (b, self) => {
        const { tags, metadata, name, tool_call_id } = b.kwargs;
        return runFacade(await self.target.handleToolStart(
          b.serialized, b.input_str, opt(b.run_id), opt(b.parent_run_id), opt(tags),
          opt(metadata), opt(name), opt(tool_call_id)));
      },
    },
    on_retriever_start: {
      kind: "async", params: "serialized, query, run_id=, parent_run_id=, **kwargs",
      fn: async (b, self) => {
        const { tags, metadata, name } = b.kwargs;
        return runFacade(await self.target.handleRetrieverStart(
          b.serialized, b.query, opt(b.run_id), opt(b.parent_run_id), opt(tags),
          opt(metadata), opt(name)));
      },
    },
    on_llm_start: {
      kind: "async", params: "serialized, prompts, run_id=, **kwargs",
      fn: async (b, self) => {
        const { parent_run_id, tags, metadata, name, ...extra } = b.kwargs;
        const runs = await self.target.handleLLMStart(
          b.serialized, b.prompts, opt(b.run_id), opt(parent_run_id), rest(extra),
          opt(tags), opt(metadata), opt(name));
        return runs.map(runFacade);
      },
    },
    on_chat_model_start: {
      kind: "async", params: "serialized, messages, run_id=, **kwargs",
      fn: async (b, self) => {
        const { parent_run_id, tags, metadata, name, ...extra } = b.kwargs;
        const runs = await self.target.handleChatModelStart(
          b.serialized, b.messages, opt(b.run_id), opt(parent_run_id), rest(extra),
          opt(tags), opt(metadata), opt(name));
        return runs.map(runFacade);
      },
    },
    on_custom_event: {
      kind: "async", params: "name, data, run_id=, **kwargs",
      fn: async (b, self) => {
        const { tags, metadata } = b.kwargs;
        await self.target.handleCustomEvent(b.name, b.data, opt(b.run_id), opt(tags), opt(metadata));
        return null;
      },
    },
    add_handler: {
      kind: "sync", params: "handler, inherit=",
      fn: (b, self) => { self.target.addHandler(b.handler, b.inherit ?? true); return null; },
    },
    remove_handler: {
      kind: "sync", params: "handler",
      fn: (b, self) => { self.target.removeHandler(b.handler); return null; },
    },
    set_handlers: {
      kind: "sync", params: "handlers, inherit=",
      fn: (b, self) => { self.target.setHandlers(handlerList(b.handlers), b.inherit ?? true); return null; },
    },
    set_handler: {
      // BaseCallbackManager.setHandler(handler) takes no inherit flag: it is dropped.
      kind: "sync", params: "handler, inherit=",
      fn: (b, self) => { self.target.setHandler(b.handler); return null; },
    },
    add_tags: {
      kind: "sync", params: "tags, inherit=",
      fn: (b, self) => { self.target.addTags(b.tags, b.inherit ?? true); return null; },
    },
    remove_tags: {
      kind: "sync", params: "tags",
      fn: (b, self) => { self.target.removeTags(b.tags); return null; },
    },
    add_metadata: {
      kind: "sync", params: "metadata, inherit=",
      fn: (b, self) => { self.target.addMetadata(b.metadata, b.inherit ?? true); return null; },
    },
    remove_metadata: {
      // The contract passes the keys; removeMetadata(metadata) reads the keys of an object.
      kind: "sync", params: "keys",
      fn: (b, self) => {
        const keys = Array.isArray(b.keys) ? b.keys : Object.keys(b.keys ?? {});
        self.target.removeMetadata(Object.fromEntries(keys.map((k) => [k, undefined])));
        return null;
      },
    },
    copy: {
      kind: "sync", params: "",
      fn: (b, self) => managerFacade(self.target.copy()),
    },
  },
});

const getChild = {
  kind: "sync", params: "tag=",
  fn: (b, self) => managerFacade(self.target.getChild(opt(b.tag))),
};

const BASE_RUN_MANAGER = new FacadeClass({
  name: "BaseRunManager",
  qualname: `${MODULE}.BaseRunManager`,
  properties: {
    ...MANAGER_FIELDS,
    run_id: { get: (self) => asUuid(self.target.runId) },
    parent_run_id: { get: (self) => asUuid(self.target.parentRunId) },
  },
  methods: {
    on_text: {
      kind: "async", params: "text, **kwargs",
      fn: async (b, self) => { await self.target.handleText(b.text); return null; },
    },
  },
});

function runClass(name, jsClass, methods, parent = true) {
  const cls = new FacadeClass({
    name, qualname: `${MODULE}.${name}`, bases: [BASE_RUN_MANAGER],
    methods: parent ? { get_child: getChild, ...methods } : methods,
  });
  RUN_CLASSES.set(jsClass, cls);
  return cls;
}

const manager = await import("@langchain/core/callbacks/manager");

runClass("CallbackManagerForChainRun", manager.CallbackManagerForChainRun, {
  on_chain_end: {
    kind: "async", params: "outputs, **kwargs",
    fn: async (b, self) => { await self.target.handleChainEnd(b.outputs, undefined, undefined, undefined, rest(b.kwargs)); return null; },
  },
  on_chain_error: {
    kind: "async", params: "error, **kwargs",
    fn: async (b, self) => { await self.target.handleChainError(b.error, undefined, undefined, undefined, rest(b.kwargs)); return null; },
  },
  on_agent_action: {
    kind: "async", params: "action, **kwargs",
    fn: async (b, self) => { await self.target.handleAgentAction(b.action); return null; },
  },
  on_agent_finish: {
    kind: "async", params: "finish, **kwargs",
    fn: async (b, self) => { await self.target.handleAgentEnd(b.finish); return null; },
  },
});

runClass("CallbackManagerForToolRun", manager.CallbackManagerForToolRun, {
  on_tool_end: {
    kind: "async", params: "output, **kwargs",
    fn: async (b, self) => { await self.target.handleToolEnd(b.output); return null; },
  },
  on_tool_error: {
    kind: "async", params: "error, **kwargs",
    fn: async (b, self) => { await self.target.handleToolError(b.error); return null; },
  },
});

runClass("CallbackManagerForRetrieverRun", manager.CallbackManagerForRetrieverRun, {
  on_retriever_end: {
    kind: "async", params: "documents, **kwargs",
    fn: async (b, self) => { await self.target.handleRetrieverEnd(b.documents); return null; },
  },
  on_retriever_error: {
    kind: "async", params: "error, **kwargs",
    fn: async (b, self) => { await self.target.handleRetrieverError(b.error); return null; },
  },
});

runClass("CallbackManagerForLLMRun", manager.CallbackManagerForLLMRun, {
  on_llm_new_token: {
    kind: "async", params: "token, *, chunk=, **kwargs",
    fn: async (b, self) => {
      const fields = { ...b.kwargs };
      if (b.chunk !== undefined) fields.chunk = b.chunk;
      await self.target.handleLLMNewToken(b.token, undefined, undefined, undefined, undefined, rest(fields));
      return null;
    },
  },
  on_llm_end: {
    kind: "async", params: "response, **kwargs",
    fn: async (b, self) => { await self.target.handleLLMEnd(b.response, undefined, undefined, undefined, rest(b.kwargs)); return null; },
  },
  on_llm_error: {
    kind: "async", params: "error, **kwargs",
    fn: async (b, self) => { await self.target.handleLLMError(b.error, undefined, undefined, undefined, rest(b.kwargs)); return null; },
  },
}, false);

// The handler base the kit's handlers subclass: its events, all async (the library awaits
// every handle* call), under the contract's names.
const BASE_HANDLER = new FacadeClass({
  name: "BaseCallbackHandler",
  qualname: "@langchain/core/callbacks/base.BaseCallbackHandler",
  methods: Object.fromEntries(Object.keys(CONTRACT_EVENTS).map((py) => [py, {
    kind: "async", params: "*args, **kwargs", fn: async () => null,
  }])),
});

// -- known deviations ------------------------------------------------------------------------
// Each is confirmed on every run by its rule's own check (strict), for the releases named.
// Line numbers: @langchain/core 1.4.0, dist/callbacks/manager.js unless said otherwise.

const RANGE = ">=1.4.0,<1.5";
const deviation = (reason) => [{ reason, versions: RANGE }];
const DEVIATIONS = {
  // MUST rules
  "CB-CONS-3": deviation(
    "CallbackManager.configure() given no handlers, tags or metadata returns undefined, not an "
    + "empty manager: _configureSync builds one only `if (inheritableHandlers || localHandlers)` "
    + "(manager.js:514) and returns the variable as it is (:596); callers write manager?.handle*"),
  "CB-TAG-2": deviation(
    "CallbackManager.configure() given tags but no handler returns undefined and drops the "
    + "tags: _configureSync adds them only `if (callbackManager)` (manager.js:559-561), and a "
    + "manager is built only for handlers (:514)"),
  "CB-CONS-5": deviation(
    "addHandler(handler) pushes the handler again when it is already held: no de-duplication "
    + "(manager.js:439), so a re-added handler gets every event twice"),
  "CB-CUSTOM-1": deviation(
    "CallbackManager.handleCustomEvent(eventName, data, runId) passes runId to the handlers as it "
    + "was given: a custom event dispatched without one reaches them with runId undefined "
    + "(manager.js:429-432); no id is generated"),
  "CB-CUSTOM-3": deviation(
    "handleCustomEvent(eventName, data, runId, _tags, _metadata) has no place for extra fields and "
    + "rejects nothing: JS drops surplus arguments silently (manager.js:429)"),
  "CB-DISP-6": deviation(
    "BaseCallbackHandler has no run_inline: every manager method starts all handlers at once, in "
    + "list order (Promise.all(this.handlers.map(...)), manager.js:347, 385 ...), so no handler "
    + "finishes an event before the next one starts it"),
  "CB-EV-2": deviation(
    "handleToolStart(tool, input, runId, parentRunId, tags, metadata, runName, toolCallId) has no "
    + "inputs parameter: the structured tool input never reaches the handlers (manager.js:399-405)"),
  "CB-PAIR-2": deviation(
    "run managers hold the starting manager's own handlers array (new CallbackManagerForChainRun("
    + "runId, this.handlers, ...), manager.js:397): a handler added to the manager after the start "
    + "gets the run's later events, its end included, without its start"),
  "CB-EV-7": deviation(
    "LangChain.js has no retry event: neither BaseRunManager (manager.js:89-130) nor "
    + "BaseCallbackHandler (base.js) has handleRetry, so a run manager offers no on_retry"),
  "CB-EV-8": deviation(
    "in-run events take no extra fields: handleText(text), handleToolEnd(output), "
    + "handleAgentAction(action) ... (manager.js:111, 288) have no parameter for them, so extra "
    + "keywords never reach the handlers"),
  "CB-ID-7": deviation(
    "an explicit parent run id is ignored: handleChainStart takes _parentRunId and passes "
    + "this._parentRunId to the handlers and the run manager (manager.js:384-397); the tool, "
    + "retriever and LLM starts do the same"),
  "CB-IGN-3": deviation(
    "BaseCallbackHandler has no ignoreChatModel flag (base.js:59-64): chat-model runs are gated "
    + "by ignoreLLM (handleChatModelStart, manager.js:366; CallbackManagerForLLMRun), so "
    + "ignore_chat_model silences nothing"),
  "CB-IGN-6": deviation(
    "there is no retry event and no ignoreRetry flag (base.js:59-64; see CB-EV-7): "
    + "ignore_retry has nothing to silence"),
  "CB-IGN-7": deviation(
    "ignoreLLM also silences chat-model runs (handleChatModelStart checks handler.ignoreLLM, "
    + "manager.js:366; their tokens and ends go through CallbackManagerForLLMRun), so a "
    + "handler with ignore_llm misses a family that is not its own"),
  "CB-MERGE-2": deviation(
    "CallbackManager has no merge(): only copy(additionalHandlers, inherit) (manager.js:317-500)"),
  "CB-NOOP-1": deviation(
    "run managers have no getNoopManager() (BaseRunManager, manager.js:89): there is no noop "
    + "run manager to dispatch nothing"),
  "CB-NOOP-2": deviation(
    "run managers have no getNoopManager() (manager.js:89), so no noop manager and no fields of one"),
  "CB-SCOPE-4": deviation(
    "new CallbackManager(parentRunId, {handlers}) keeps the array as given (manager.js:328): a "
    + "handler listed twice gets every event twice (configure() de-duplicates, the constructor "
    + "does not)"),
  // SHOULD rules (listed so the reason is on record; strict like the others)
  "CB-MERGE-3": deviation("CallbackManager has no merge() (see CB-MERGE-2)"),
  "CB-TAG-5": deviation(
    "handlers receive the manager's own tags array (handler.handleChainStart?.(..., this.tags, "
    + "...), manager.js:390): a handler that mutates it relabels the manager and later runs"),
  "CB-META-4": deviation(
    "handlers receive the manager's own metadata object (manager.js:390): a handler that "
    + "mutates it changes the manager's metadata"),
  "CB-PAIR-5": deviation(
    "run managers share the starting manager's handlers array (manager.js:397), so the handlers "
    + "of a run are not fixed at its start"),
  "CB-ASYNC-6": deviation(
    "each manager method awaits Promise.all over its handlers (manager.js:347, 385 ...): the "
    + "first raiseError rejection is thrown while the other handlers are still running"),
};

// -- hello -----------------------------------------------------------------------------------

const connection = new Connection({
  roots: {
    "callbacks.async_callback_manager": CALLBACK_MANAGER,
    "callbacks.async_handler": BASE_HANDLER,
  },
  makeHandlerClass,
  out: protocolOut,
});

connection.run({
  implementation: {
    name: "langchain_js",
    version: VERSION,
    description: `LangChain.js (@langchain/core ${VERSION} on Node ${process.versions.node}): `
      + "the real CallbackManager, its run managers and BaseCallbackHandler; async lane only",
  },
  capabilities: ["callbacks.async"],
  deviations: DEVIATIONS,
  supported: RANGE,
  handler_flags: HANDLER_FLAGS,
  threads: false,
});

export { KitError, KitObject, PyError };

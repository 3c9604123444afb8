// runcert-wire/1 driver for LangGraph.js run streams: serves @langchain/langgraph's real
// GraphRunStream, built by its own createGraphRunStream(), to the kit (specs/wire.md,
// "Drivers").
//
//   node conformance/drivers/js/langgraph.mjs        (what --impl=langgraph_js starts)
//
// The kit opens a run over its scripted source (an async iterator whose pulls it counts)
// with the built-in `values` projection and the projections a test declares. Here:
// - the source is an async iterable whose next() asks the kit's source for `__anext__`
//   and converts the kit's event {method, namespace, data, interrupts?} into the chunk
//   `[namespace, mode, payload]` graph.stream(..., {subgraphs: true}) yields, and nothing
//   else (scripted interrupts ride on the values payload under the library's
//   `__interrupt__` key as Pregel emits them, loop.js `_outputWrites`; the key is defined
//   non-enumerable, so the data object the kit compares stays the kit's own);
// - a declared projection is a StreamTransformer factory, the library's extension point:
//   a local StreamChannel that receives the `data` of the events of its method and
//   namespace (`__native` when the kit declares it native); the library has no maxlen;
// - the run is createGraphRunStream(source, factories): the library starts its pump there.
//
// The facades below only spell the library's API with the contract's Python names:
// `aiter(run)` is run[Symbol.asyncIterator](), `output()` awaits run.output, `interrupted()`
// and `interrupts()` read the getters of the same names once run.output has settled, as a
// JS caller does (the getters report the run so far; they never raise), each interrupt
// record {interruptId, payload} given back as the payload the kit scripted, `abort()` is
// run.abort(), `run.<name>` reads the run's own property (native projections are
// assigned there), `extensions` is run.extensions. What the library lacks (tee, maxlen,
// async with, a sync lane, closing a cursor) is simply not offered.

process.env.LANGCHAIN_TRACING_V2 = "false";
process.env.LANGSMITH_TRACING = "false";

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import { Connection, FacadeClass, KitError, PyError, claimStdout, facadeOf } from "./wire.mjs";

const protocolOut = claimStdout();

const { createGraphRunStream, StreamChannel, INTERRUPT } = await import("@langchain/langgraph");

const require = createRequire(import.meta.url);
const VERSION = JSON.parse(readFileSync(
  require.resolve("@langchain/langgraph/package.json"), "utf8")).version;
const MODULE = "@langchain/langgraph/stream";

// -- the kit's source, as the graph stream the library consumes ---------------------------

function isStop(error) {
  return error instanceof KitError && error.types[0] === "builtins.StopAsyncIteration";
}

/** The kit's event as the chunk graph.stream(..., {subgraphs: true}) yields. */
function toChunk(event) {
  const payload = event.data;
  if (event.method === "values" && Array.isArray(event.interrupts)
      && payload !== null && typeof payload === "object") {
    Object.defineProperty(payload, INTERRUPT, {
      value: event.interrupts.map((value) => ({ value })),
      enumerable: false, configurable: true,
    });
  }
  return [event.namespace, event.method, payload];
}

/** The kit's scripted source as an async iterable: one kit pull per next(). */
function partSource(connection, source) {
  return {
    [Symbol.asyncIterator]() {
      return {
        async next() {
          let event;
          try {
            event = await connection.request(source, "__anext__", [], {}, true);
          } catch (error) {
            if (isStop(error)) return { value: undefined, done: true };
            throw error;
          }
          return { value: toChunk(event), done: false };
        },
        async return() {
          if (source.description?.methods?.aclose) {
            await connection.request(source, "aclose", [], {}, true);
          }
          return { value: undefined, done: true };
        },
      };
    },
  };
}

// -- declared projections, through the library's StreamTransformer factories --------------

function sameNamespace(ns, wanted) {
  return ns.length === wanted.length && ns.every((part, i) => part === wanted[i]);
}

/** A transformer factory owning the projection the kit declared as `spec`. */
function declared(spec) {
  return () => {
    const log = StreamChannel.local();
    return {
      ...(spec.native ? { __native: true } : {}),
      init: () => ({ [spec.name]: log }),
      process(event) {
        if (event.method === spec.method
            && (spec.namespace === null || sameNamespace(event.params.namespace, spec.namespace))) {
          log.push(event.params.data);
        }
        return true;
      },
      finalize() { log.close(); },
      fail(error) { log.fail(error); },
    };
  };
}

// -- facades ---------------------------------------------------------------------------------

const STOP = () => new PyError("StopAsyncIteration", "");

/** An iterator of the library (next() only): the kit's cursor. */
const CURSOR = new FacadeClass({
  name: "AsyncIterator",
  qualname: `${MODULE}.AsyncIterator`,
  methods: {
    __aiter__: { kind: "sync", params: "", fn: (b, self) => self },
    __anext__: {
      kind: "async", params: "",
      fn: async (b, self) => {
        const step = await self.target.next();
        if (step.done) throw STOP();
        return step.value;
      },
    },
  },
});

/** An async iterable of the library (a StreamChannel, the `values` view). */
const PROJECTION = new FacadeClass({
  name: "AsyncIterable",
  qualname: `${MODULE}.AsyncIterable`,
  methods: {
    __aiter__: {
      kind: "sync", params: "",
      fn: (b, self) => cursor(self.target[Symbol.asyncIterator]()),
    },
  },
});

const cursor = (iterator) => facadeOf(CURSOR, iterator);
const projection = (value) => facadeOf(PROJECTION, value);

/** The end of the run, as a JS caller waits for it before reading the `interrupted` and
 * `interrupts` getters (they report the run so far): `output` settled, either way. */
async function ended(run) {
  await run.output.then(() => undefined, () => undefined);
}

const RUN = new FacadeClass({
  name: "GraphRunStream",
  qualname: `${MODULE}.GraphRunStream`,
  properties: {
    values: { get: (self) => projection(self.target.values) }, // a new view per read, as in JS
    extensions: { get: (self) => self.target.extensions },
  },
  methods: {
    __aiter__: {
      kind: "sync", params: "",
      fn: (b, self) => cursor(self.target[Symbol.asyncIterator]()),
    },
    output: { kind: "async", params: "", fn: async (b, self) => self.target.output },
    interrupted: {
      kind: "async", params: "",
      fn: async (b, self) => { await ended(self.target); return self.target.interrupted; },
    },
    interrupts: {
      kind: "async", params: "",
      fn: async (b, self) => {
        await ended(self.target);
        return self.target.interrupts.map((record) => record.payload);
      },
    },
    abort: { kind: "async", params: "reason=", fn: async (b, self) => { self.target.abort(b.reason); return null; } },
  },
  dynamic: (self, name) => self.target[name], // undefined (None) for a name it lacks
});

function openRun(source, projections) {
  const run = createGraphRunStream(partSource(connection, source), projections.map(declared));
  return facadeOf(RUN, run);
}

/** Library objects that cross as facades wherever they appear (extensions' items). */
function wrap(value) {
  return StreamChannel.isInstance(value) ? projection(value) : null;
}

// -- known deviations ------------------------------------------------------------------------

const RANGE = ">=1.7.3,<1.8";
const deviation = (reason) => [{ reason, versions: RANGE }];
// Paths are relative to dist/stream/ of @langchain/langgraph 1.7.3.
const PUMP = "createGraphRunStream() starts pump(source, mux) as a background promise (run-stream.js:428)";
const NO_ABORT = "abort() only aborts an AbortController the pump never sees (run-stream.js:241; "
  + "pump(source, mux) takes no signal, mux.js:302)";
const RESHAPED = "the pump converts each chunk to a protocol event by its mode (convert.js): an "
  + "updates payload {node: values} becomes {node, values} (convertUpdatesPayload, :198) and a "
  + "custom payload without a name is wrapped as {payload} (:113), so no updates or custom event "
  + "reaches a projection or the main log with its data unchanged";
const NO_TEE = "projections are StreamChannels whose only readers are iterate()/toAsyncIterable() "
  + "(stream-channel.js:89): there is no tee(n)";
const NO_MAXLEN = "StreamChannel has no maxlen: a log is an unbounded array (#items, "
  + "stream-channel.js:43) and push() never waits (:79)";
const DEVIATIONS = {
  "RS-PUMP-1": deviation(`${PUMP}: the source is pulled as soon as the run exists, before anyone reads`),
  "RS-PUMP-2": deviation(`${PUMP}, which pulls to the end whether or not anyone reads (mux.js:305)`),
  "RS-PUMP-3": deviation(`${PUMP}: it pulls as fast as the source answers, not one item per read`),
  "RS-RES-4": deviation(`output is a getter of a promise the background pump settles (run-stream.js:216); ${PUMP}, so the run is driven whether or not a result is awaited`),
  "RS-DELIV-1": deviation(RESHAPED),
  "RS-DELIV-2": deviation(RESHAPED),
  "RS-DELIV-5": deviation(RESHAPED),
  "RS-EXT-4": deviation(RESHAPED),
  "RS-DELIV-3": deviation("every StreamChannel keeps all its items and iterate(startAt = 0) reads "
    + "from the first (stream-channel.js:89): a late subscriber gets the earlier items too"),
  "RS-BP-5": deviation(`${NO_MAXLEN}: an unsubscribed log keeps every item for whoever subscribes later`),
  "RS-PROJ-1": deviation("a StreamChannel serves any number of readers, each from the start "
    + "(iterate(), stream-channel.js:89): a second subscription raises nothing"),
  "RS-PROJ-5": deviation(NO_TEE),
  "RS-BP-1": deviation(NO_MAXLEN),
  "RS-BP-2": deviation(`${NO_MAXLEN}; ${PUMP}, which a full log cannot hold back`),
  "RS-BP-4": deviation(`${NO_MAXLEN}: there is no maxlen to validate`),
  "RS-ABORT-2": deviation(`${NO_ABORT}: a reader waiting on the held pull goes on waiting`),
  "RS-ABORT-3": deviation(`${NO_ABORT}: the pull in flight is never cancelled`),
  "RS-ABORT-4": deviation(`${NO_ABORT}: the source is never closed`),
  "RS-ABORT-5": deviation(`${NO_MAXLEN}, so no push is ever blocked to be released by abort()`),
  "RS-ABORT-6": deviation(`${NO_ABORT}: the pump's pull is still pending after abort()`),
  "RS-ABORT-7": deviation(`${NO_ABORT}: an item pulled after abort() is routed to cursors and results`),
  "RS-ABORT-8": deviation("GraphRunStream has no async disposal (no Symbol.asyncDispose, so no "
    + "`await using`): nothing plays the part of `async with`"),
  "RS-ABORT-9": deviation(`${NO_ABORT}: readers do not end, whichever task calls it`),
  "RS-RES-6": deviation(`${NO_ABORT}: the run goes on, and output is the last values of the whole run`),
  "RS-ERR-2": deviation("interrupted and interrupts are plain getters of the mux (run-stream.js:224, "
    + "232): only output rejects with the run's error (mux.fail, mux.js)"),
  "RS-ERR-4": deviation("a cursor is StreamChannel.iterate()'s iterator, which has next() only "
    + "(stream-channel.js:89): it cannot be closed, and its channel keeps every item anyway"),
  "RS-ERR-5": deviation("pump() catches every error of the source alike and fails the run with "
    + "it (mux.js:323-324): a fatal error raises in every reader and result, like any other"),
  "RS-RES-2": deviation("the pump marks the run interrupted for any values chunk whose "
    + "__interrupt__ is an array (isInterrupted, constants.js:335), of any namespace and empty "
    + "too (mux.js:305-312)"),
  "RS-RES-3": deviation("interrupts lists the interrupts of values chunks of every namespace, "
    + "nested ones too (pump, mux.js:305-312)"),
  "RS-EXT-1": deviation("extensions is a plain object holding only the non-native projections "
    + "(Object.assign(extensions, projection), run-stream.js:413): values and native projections "
    + "are not in it, and it can be assigned to"),
  "RS-EXT-2": deviation("native projections are assigned onto the run itself (Object.assign(root, "
    + "proj), run-stream.js:420) and not into extensions; values is a getter building a new view "
    + "on every read"),
  "RS-EXT-3": deviation("the run is a plain object: reading a projection it does not have gives "
    + "undefined, no error naming the projections"),
  // SHOULD rules (listed so the reason is on record; strict like the others)
  "RS-RES-7": deviation("markInterrupted appends every interrupt of every values chunk "
    + "(this.#interrupts.push(...interrupts), mux.js:255) and interrupts returns that array"),
};

// -- hello -----------------------------------------------------------------------------------

const connection = new Connection({
  roots: { "streams.open_run": openRun },
  makeHandlerClass: () => { throw new PyError("TypeError", "this driver serves no callbacks"); },
  out: protocolOut,
  wrap,
});

connection.run({
  implementation: {
    name: "langgraph_js",
    version: VERSION,
    description: `LangGraph.js (@langchain/langgraph ${VERSION} on Node ${process.versions.node}): `
      + "createGraphRunStream's GraphRunStream, StreamMux and StreamChannel; async lane only",
  },
  capabilities: ["streams.async"],
  deviations: DEVIATIONS,
  supported: RANGE,
  handler_flags: {},
  threads: false,
});

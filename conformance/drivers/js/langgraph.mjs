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
const DEVIATIONS = {};

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

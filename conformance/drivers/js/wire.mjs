// runcert-wire/1, the driver side, for Node (specs/wire.md; the normative part is
// specs/schemas/wire/message.schema.json).
//
// This module knows nothing of LangChain: it reads the kit's messages on stdin, writes
// its own on stdout (one JSON object a line), encodes and decodes values (references
// with identity, mirrored lists and dicts, exceptions), keeps the stand-ins of the kit's
// objects, and dispatches the kit's requests to *facades*: objects whose `py` table maps
// the contract's Python names onto the library (langchain_core.mjs builds them).
//
// Node runs everything on one thread: the hello says `threads: false`, and every request
// this side makes runs "for" the kit request whose code made it (`via`), on that
// request's strand and loop, tracked with an AsyncLocalStorage across awaits.

import { AsyncLocalStorage } from "node:async_hooks";
import readline from "node:readline";

export const PROTOCOL = "runcert-wire/1";

// -- values that JS has no own type for ---------------------------------------------------

/** A uuid.UUID of the kit's (or a run id of the library's, when it is sent as one). */
export class Uuid {
  constructor(text) { this.text = text; }
  toString() { return this.text; }
  toJSON() { return this.text; }
}

/** A value JS cannot hold faithfully (a tuple, a set, bytes, a big int, a str subclass):
 * kept as it came and sent back as it came. */
export class Opaque {
  constructor(raw) { this.raw = raw; }
}

/** An exception of the kit's: a real Error (so `throw` and `catch` work on it) that goes
 * back as the very exception it stands for. */
export class KitError extends Error {
  constructor(wid, types, message) {
    super(message ?? "");
    this.wid = wid;
    this.types = types ?? [];
    const first = this.types[0] ?? "Exception";
    this.name = first.split(".").pop();
  }
}

/** The Python class names an error of this side is known by (most derived first). */
export class PyError extends Error {
  constructor(pyType, message) {
    super(message);
    this.pyType = pyType;
    this.name = pyType;
  }
}

const BUILTIN_ERRORS = {
  TypeError: "TypeError", RangeError: "ValueError", SyntaxError: "SyntaxError",
  ReferenceError: "NameError", EvalError: "RuntimeError", URIError: "ValueError",
};

function pythonTypes(error) {
  if (error?.pyTypes) return error.pyTypes;
  if (error instanceof PyError) {
    return [`builtins.${error.pyType}`, "builtins.Exception", "builtins.BaseException"];
  }
  const name = error?.constructor?.name ?? "Error";
  const mapped = BUILTIN_ERRORS[name];
  if (mapped) return [`builtins.${mapped}`, "builtins.Exception", "builtins.BaseException"];
  return [`js.${name}`, "builtins.Exception", "builtins.BaseException"];
}

// -- describing facade classes ------------------------------------------------------------

/** Parse a Python-like parameter list ("serialized, inputs, run_id=, *, chunk=, **kwargs")
 * into [name, kind, hasDefault] triples (the description's `signatures`). */
export function parseParams(spec) {
  const params = [];
  let keywordOnly = false;
  for (let part of spec.split(",").map((s) => s.trim()).filter(Boolean)) {
    if (part === "*") { keywordOnly = true; continue; }
    if (part.startsWith("**")) { params.push([part.slice(2), "varkw", false]); continue; }
    if (part.startsWith("*")) { params.push([part.slice(1), "varargs", false]); keywordOnly = true; continue; }
    const hasDefault = part.endsWith("=");
    if (hasDefault) part = part.slice(0, -1);
    params.push([part, keywordOnly ? "keyword" : "either", hasDefault]);
  }
  return params;
}

/** Bind Python-style positional and keyword arguments to a parameter list: an object
 * name -> value (missing optional parameters are absent), or a TypeError as Python
 * would raise it. */
export function bind(name, params, args, kwargs) {
  const bound = {};
  let i = 0;
  let varkw = null;
  for (const [pname, kind] of params) {
    if (kind === "either" && i < args.length) bound[pname] = args[i++];
    if (kind === "varkw") varkw = pname;
    if (kind === "varargs") { bound[pname] = args.slice(i); i = args.length; }
  }
  if (i < args.length) {
    throw new PyError("TypeError", `${name}() takes ${i} positional arguments but ${args.length} were given`);
  }
  const rest = {};
  for (const [key, value] of Object.entries(kwargs)) {
    const param = params.find(([pname, kind]) => pname === key && (kind === "either" || kind === "keyword"));
    if (param) {
      if (key in bound) throw new PyError("TypeError", `${name}() got multiple values for argument '${key}'`);
      bound[key] = value;
    } else if (varkw) {
      rest[key] = value;
    } else {
      throw new PyError("TypeError", `${name}() got an unexpected keyword argument '${key}'`);
    }
  }
  for (const [pname, kind, hasDefault] of params) {
    if ((kind === "either" || kind === "keyword") && !hasDefault && !(pname in bound)) {
      throw new PyError("TypeError", `${name}() missing 1 required argument: '${pname}'`);
    }
  }
  if (varkw) bound[varkw] = rest;
  return bound;
}

/**
 * A facade class, as the kit sees it: `spec` = {name, qualname, methods: {pyName:
 * {kind: "sync"|"async"|"class-sync", params: "...", fn(bound, self)}}, properties:
 * {pyName: {get(self), set?(self, value)}}, bases: [FacadeClass], construct?(bound),
 * dynamic?(self, name): any other attribute, as a Python __getattr__ would answer it}.
 */
export class FacadeClass {
  constructor(spec) {
    this.name = spec.name;
    this.qualname = spec.qualname;
    this.bases = spec.bases ?? [];
    this.ownMethods = spec.methods ?? {};
    this.ownProperties = spec.properties ?? {};
    this.construct = spec.construct ?? null;
    this.dynamic = spec.dynamic ?? null;
    this.constructParams = spec.constructParams ? parseParams(spec.constructParams) : null;
    for (const m of Object.values(this.ownMethods)) m.parsed = parseParams(m.params ?? "*args, **kwargs");
  }
  method(name) {
    if (Object.hasOwn(this.ownMethods, name)) return this.ownMethods[name];
    for (const base of this.bases) {
      const found = base.method(name);
      if (found) return found;
    }
    return null;
  }
  property(name) {
    if (Object.hasOwn(this.ownProperties, name)) return this.ownProperties[name];
    for (const base of this.bases) {
      const found = base.property(name);
      if (found) return found;
    }
    return null;
  }
}

/** An object of this side the kit may call: `cls` (a FacadeClass) and its JS `target`. */
export class Facade {
  constructor(cls, target) {
    this.cls = cls;
    this.target = target;
  }
}

/** One facade per library object, so the kit sees one proxy per object. */
const facades = new WeakMap();
export function facadeOf(cls, target) {
  if (target === undefined || target === null) return null;
  let existing = facades.get(target);
  if (!existing) {
    existing = new Facade(cls, target);
    facades.set(target, existing);
  }
  return existing;
}

// -- stdout belongs to the protocol -----------------------------------------------------------

let speaking = null; // the connection whose `output` messages carry what the library prints

/** Point console.log / process.stdout at `output` messages; the protocol's own writer. */
export function claimStdout() {
  const protocolOut = process.stdout.write.bind(process.stdout);
  const printed = (stream) => (...args) => {
    const text = args.map((a) => (typeof a === "string" ? a : String(a))).join(" ") + "\n";
    if (speaking) speaking.send({ t: "output", stream, text });
    else process.stderr.write(text);
  };
  console.log = printed("stdout");
  console.info = printed("stdout");
  console.debug = printed("stdout");
  process.stdout.write = (chunk, ...rest) => {
    if (speaking) speaking.send({ t: "output", stream: "stdout", text: String(chunk) });
    const callback = rest.find((r) => typeof r === "function");
    if (callback) callback();
    return true;
  };
  return protocolOut;
}

// -- the connection -------------------------------------------------------------------------

export class Connection {
  /**
   * `handlerBase(description)` builds the class of stand-ins for a kit handler class
   * (role "handler"); `roots` are the facades offered in the hello.
   */
  constructor({ roots, makeHandlerClass, out, wrap }) {
    this.roots = roots;
    this.wrap = wrap ?? null; // library object -> its Facade (or null): how it crosses
    speaking = this;
    this.makeHandlerClass = makeHandlerClass;
    this.writeRaw = out;
    this.nextId = 0;
    this.nextRequest = 0;
    this.als = new AsyncLocalStorage();
    this.pending = new Map(); // my request id -> {resolve, reject}
    this.inflight = new Map(); // the kit's async requests being served, by id
    this.lastContext = { strand: null, loop: null, via: null };
    this.classIds = new Map(); // FacadeClass -> id
    this.ownClasses = new Map(); // id -> FacadeClass (kept across epochs, like descriptions)
    this.described = new Set();
    this.newEpoch();
  }

  newEpoch() {
    this.own = new Map(); // id -> object of this side
    this.ownIds = new WeakMap(); // object -> id (stable for the connection)
    this.peer = new Map(); // kit id -> stand-in
    this.peerIds = new WeakMap(); // stand-in -> kit id
    this.mirrored = new Map(); // container id -> {obj, snapshot, kit: bool, rawKeys}
    this.mirroredIds = new WeakMap(); // container -> id
    this.peerClasses = this.peerClasses ?? new Map(); // class id -> description
    this.peerClassObjects = this.peerClassObjects ?? new Map();
  }

  id(kind = "") {
    this.nextId += 1;
    return `d${kind}${this.nextId}`;
  }

  // -- encoding ---------------------------------------------------------------------------
  encode(value, out) {
    if (value === null || value === undefined) return null;
    switch (typeof value) {
      case "boolean": return value;
      case "string": return value;
      case "number":
        if (Number.isNaN(value)) return { $float: "nan" };
        if (value === Infinity) return { $float: "inf" };
        if (value === -Infinity) return { $float: "-inf" };
        return value;
      case "bigint": return { $int: value.toString() };
      case "symbol": return String(value);
      default: break;
    }
    if (value instanceof Uuid) return { $uuid: value.text };
    if (value instanceof Opaque) return value.raw;
    const peerId = this.peerIds.get(value);
    if (peerId !== undefined) return value instanceof KitError ? { $exc: peerId } : { $obj: peerId };
    if (Array.isArray(value)) return this.encodeContainer(value, out, "$list");
    if (value instanceof Error) return this.encodeError(value, out);
    if (value instanceof FacadeClass) return { $class: this.classId(value, out) };
    if (value instanceof Facade) return this.encodeObject(value, value.cls, out);
    if (typeof value === "function") return this.encodeObject(value, FUNCTION_CLASS, out, "sync");
    const wrapped = this.wrap?.(value);
    if (wrapped) return this.encodeObject(wrapped, wrapped.cls, out);
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) return this.encodeContainer(value, out, "$dict");
    return this.encodeObject(value, opaqueClass(value), out);
  }

  encodeContainer(obj, out, tag) {
    let wid = this.mirroredIds.get(obj);
    if (wid === undefined) {
      wid = this.id("c");
      this.mirroredIds.set(obj, wid);
      this.mirrored.set(wid, { obj, snapshot: null, kit: false, rawKeys: null });
    }
    const entry = this.mirrored.get(wid);
    if (entry.kit && sameSnapshot(entry.snapshot, obj)) return { [tag]: wid };
    if (out.active.has(obj)) return { [tag]: wid };
    out.active.add(obj);
    try {
      return { [tag]: wid, items: this.containerItems(entry, out) };
    } finally {
      out.active.delete(obj);
      entry.snapshot = snapshot(obj);
    }
  }

  containerItems(entry, out) {
    const obj = entry.obj;
    if (Array.isArray(obj)) return obj.map((v) => this.encode(v, out));
    return Object.keys(obj).map((k) => [
      entry.rawKeys?.has(k) ? entry.rawKeys.get(k) : k, this.encode(obj[k], out)]);
  }

  encodeError(error, out) {
    let wid = this.ownIds.get(error);
    if (wid === undefined) {
      wid = this.id("e");
      this.ownIds.set(error, wid);
    }
    this.own.set(wid, error);
    const message = String(error.message ?? error);
    return { $exc: wid, types: pythonTypes(error), args: [message], message,
             cause: error.cause instanceof Error ? this.encode(error.cause, out) : null };
  }

  encodeObject(value, cls, out, call) {
    let wid = this.ownIds.get(value);
    if (wid === undefined) {
      wid = this.id();
      this.ownIds.set(value, wid);
    }
    this.own.set(wid, value);
    const encoded = { $obj: wid, class: this.classId(cls, out) };
    if (call) encoded.call = call;
    return encoded;
  }

  classId(cls, out) {
    let cid = this.classIds.get(cls);
    if (cid === undefined) {
      cid = this.id("C");
      this.classIds.set(cls, cid);
      this.ownClasses.set(cid, cls);
    }
    if (!this.described.has(cid)) {
      this.described.add(cid);
      const methods = {};
      const signatures = {};
      for (const [name, m] of Object.entries(cls.ownMethods)) {
        methods[name] = m.kind;
        const self = m.kind.startsWith("class-") ? "cls" : "self";
        signatures[name] = [[self, "either", false], ...m.parsed];
      }
      const description = { name: cls.name, qualname: cls.qualname, methods,
                             properties: Object.keys(cls.ownProperties),
                             bases: cls.bases.map((b) => this.classId(b, out)) };
      if (Object.keys(signatures).length) description.signatures = signatures;
      if (cls.interfaces) description.interfaces = cls.interfaces;
      out.classes[cid] = description;
    }
    return cid;
  }

  /** The message-level fields: classes described now, containers changed since sent. */
  finish(message, out) {
    for (const [wid, entry] of this.mirrored) {
      if (entry.snapshot !== null && !sameSnapshot(entry.snapshot, entry.obj)) {
        const tag = Array.isArray(entry.obj) ? "$list" : "$dict";
        out.active.add(entry.obj);
        out.sync.push({ [tag]: wid, items: this.containerItems(entry, out) });
        out.active.delete(entry.obj);
        entry.snapshot = snapshot(entry.obj);
      }
    }
    if (Object.keys(out.classes).length) message.classes = out.classes;
    if (out.sync.length) message.sync = out.sync;
    return message;
  }

  send(message, values = {}) {
    const out = { classes: {}, sync: [], active: new Set() };
    for (const [key, value] of Object.entries(values)) {
      if (key === "args") message.args = value.map((v) => this.encode(v, out));
      else if (key === "kwargs") {
        message.kwargs = {};
        for (const [k, v] of Object.entries(value)) message.kwargs[k] = this.encode(v, out);
      } else message[key] = this.encode(value, out);
    }
    this.finish(message, out);
    this.writeRaw(JSON.stringify(message) + "\n");
  }

  // -- decoding ---------------------------------------------------------------------------
  decode(value) {
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) throw new Error("a bare JSON array is no value");
    const tag = Object.keys(value)[0];
    switch (tag) {
      case "$list": case "$dict": return this.decodeContainer(tag, value);
      case "$obj": return this.decodeObject(value);
      case "$exc": return this.decodeError(value);
      case "$root": {
        if (!(value.$root in this.roots)) throw new Error(`unknown root ${value.$root}`);
        return this.roots[value.$root];
      }
      case "$class": {
        const cid = value.$class;
        if (cid.startsWith("d")) return this.ownClasses.get(cid);
        return this.peerClass(cid);
      }
      case "$uuid": return new Uuid(value.$uuid);
      case "$str": return value.$str;
      case "$float": return value.$float === "nan" ? NaN : value.$float === "inf" ? Infinity : -Infinity;
      case "$tuple": case "$set": case "$int": case "$bytes": case "$exctype":
        return new Opaque(value);
      default: throw new Error(`unknown value tag ${tag}`);
    }
  }

  decodeContainer(tag, value) {
    const wid = value[tag];
    let entry = this.mirrored.get(wid);
    if (!("items" in value)) {
      if (!entry) throw new PyError("RuntimeError", `container ${wid} belongs to an earlier test`);
      return entry.obj;
    }
    if (!entry) {
      const obj = tag === "$list" ? [] : {};
      entry = { obj, snapshot: null, kit: wid.startsWith("k"), rawKeys: null };
      this.mirrored.set(wid, entry);
      this.mirroredIds.set(obj, wid);
    }
    const obj = entry.obj;
    if (tag === "$list") {
      const items = value.items.map((v) => this.decode(v));
      obj.splice(0, obj.length, ...items);
    } else {
      const pairs = value.items.map(([k, v]) => [k, this.decode(v)]);
      for (const key of Object.keys(obj)) delete obj[key];
      for (const [rawKey, v] of pairs) {
        let key = rawKey;
        if (typeof rawKey !== "string") {
          key = typeof rawKey === "object" && rawKey !== null ? JSON.stringify(rawKey) : String(rawKey);
          if (!entry.rawKeys) entry.rawKeys = new Map();
          entry.rawKeys.set(key, rawKey);
        }
        obj[key] = v;
      }
    }
    entry.snapshot = snapshot(obj);
    return obj;
  }

  decodeObject(value) {
    const wid = value.$obj;
    if (wid.startsWith("d")) {
      if (!this.own.has(wid)) throw new PyError("RuntimeError", `object ${wid} belongs to an earlier test`);
      return this.own.get(wid);
    }
    let standIn = this.peer.get(wid);
    if (standIn === undefined) {
      const description = this.peerClasses.get(value.class);
      if (!description) throw new Error(`object ${wid} arrived without a known class`);
      if (description.role === "handler") {
        const HandlerClass = this.peerClass(value.class);
        standIn = new HandlerClass(this, wid);
      } else {
        standIn = new KitObject(this, wid, description, value.call);
      }
      this.peer.set(wid, standIn);
      this.peerIds.set(standIn, wid);
    }
    if (value.state && typeof standIn.wireUpdate === "function") standIn.wireUpdate(value.state);
    return standIn;
  }

  decodeError(value) {
    const wid = value.$exc;
    if (wid.startsWith("d")) return this.own.get(wid) ?? new PyError("RuntimeError", `exception ${wid} was released`);
    let error = this.peer.get(wid);
    if (error === undefined) {
      error = new KitError(wid, value.types, value.message);
      this.peer.set(wid, error);
      this.peerIds.set(error, wid);
    }
    return error;
  }

  peerClass(cid) {
    let cls = this.peerClassObjects.get(cid);
    if (cls === undefined) {
      const description = this.peerClasses.get(cid);
      if (!description) throw new Error(`class ${cid} was never described`);
      cls = description.role === "handler" ? this.makeHandlerClass(description)
        : { kitClass: cid, description };
      this.peerClassObjects.set(cid, cls);
    }
    return cls;
  }

  // -- requests to the kit ----------------------------------------------------------------
  /** Call `method` on the kit's object `target`; a promise of what the kit answers. */
  request(target, method, args, kwargs, isAsync) {
    const context = this.als.getStore() ?? this.lastContext;
    this.nextRequest += 1;
    const id = this.nextRequest;
    const promise = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    this.send({ t: "call", id, strand: context.strand, loop: context.loop, async: isAsync,
                via: context.via, method }, { target, args, kwargs });
    return promise;
  }

  // -- serving the kit's requests ---------------------------------------------------------
  async serveCall(message) {
    const context = { strand: message.strand, loop: message.loop ?? null, via: message.id };
    this.lastContext = context;
    if (message.method === "$settle") {
      await settled();
      this.answer(message, { value: null });
      return;
    }
    let promise;
    this.als.run(context, () => {
      try {
        const target = this.decode(message.target);
        const args = (message.args ?? []).map((v) => this.decode(v));
        const kwargs = {};
        for (const [k, v] of Object.entries(message.kwargs ?? {})) kwargs[k] = this.decode(v);
        const value = this.perform(target, message.method, args, kwargs);
        promise = Promise.resolve(value);
      } catch (error) {
        promise = Promise.reject(error);
      }
    });
    let done = false;
    let outcome;
    promise.then((value) => { done = true; outcome = { value }; },
                 (error) => { done = true; outcome = { error }; });
    const flight = { message, abandoned: false };
    if (message.async) this.inflight.set(message.id, flight);
    if (message.eager) {
      await settled();
      if (!done && !flight.abandoned) this.answer(message, { pending: true });
    }
    try {
      outcome = { value: await promise };
    } catch (error) {
      outcome = { error };
    }
    this.inflight.delete(message.id);
    if (!flight.abandoned) this.answer(message, outcome);
  }

  /** The kit cancelled the task awaiting request `re`. A promise cannot be cancelled:
   * the caller stops waiting for it (the answer is a CancelledError now), and what the
   * library started goes on, as an abandoned promise does in JS. */
  cancel(re) {
    const flight = this.inflight.get(re);
    if (!flight || flight.abandoned) return;
    flight.abandoned = true;
    this.inflight.delete(re);
    const error = new PyError("CancelledError", "the awaiting task was cancelled; the promise was abandoned");
    error.pyTypes = ["asyncio.exceptions.CancelledError", "builtins.BaseException"];
    this.send({ t: "error", re, cancelled: 1 }, { error });
  }

  perform(target, method, args, kwargs) {
    if (target instanceof FacadeClass) {
      if (method === "$call") {
        if (!target.construct) throw new PyError("TypeError", `cannot create '${target.name}' instances`);
        return target.construct(bind(target.name, target.constructParams, args, kwargs));
      }
      if (method === "$get") return this.getAttribute(target, target, args[0]);
      const m = target.method(method);
      if (!m || !m.kind.startsWith("class-")) throw new PyError("AttributeError", `type object '${target.name}' has no attribute '${method}'`);
      return m.fn(bind(method, m.parsed, args, kwargs), target);
    }
    if (target instanceof Facade) {
      if (method === "$get") return this.getAttribute(target, target.cls, args[0]);
      if (method === "$set") {
        const p = target.cls.property(args[0]);
        if (!p || !p.set) throw new PyError("AttributeError", `'${target.cls.name}' object attribute '${args[0]}' cannot be set`);
        p.set(target, args[1]);
        return null;
      }
      const m = target.cls.method(method);
      if (!m) throw new PyError("AttributeError", `'${target.cls.name}' object has no attribute '${method}'`);
      return m.fn(bind(method, m.parsed, args, kwargs), m.kind.startsWith("class-") ? target.cls : target);
    }
    if (typeof target === "function" && method === "$call") return target(...args);
    throw new PyError("AttributeError", `${method} of ${typeof target} is not served by this driver`);
  }

  getAttribute(target, cls, name) {
    const p = cls.property(name);
    if (p) return p.get(target);
    const m = cls.method(name);
    if (m) {
      const bound = (...args) => m.fn(bind(name, m.parsed, args, {}), m.kind.startsWith("class-") ? cls : target);
      return bound;
    }
    if (cls.dynamic) return cls.dynamic(target, name);
    throw new PyError("AttributeError", `'${cls.name}' object has no attribute '${name}'`);
  }

  answer(message, { value, error, pending }) {
    if (pending) {
      this.send({ t: "result", re: message.id, pending: true });
    } else if (error !== undefined) {
      if (!(error instanceof Error)) error = new PyError("Exception", `a non-error was thrown: ${String(error)}`);
      const reply = { t: "error", re: message.id };
      if (!(error instanceof KitError) && error.stack) reply.traceback = String(error.stack);
      this.send(reply, { error });
    } else {
      this.send({ t: "result", re: message.id }, { value });
    }
  }

  dispatch(message) {
    if (message.classes) for (const [cid, d] of Object.entries(message.classes)) this.peerClasses.set(cid, d);
    if (message.sync) {
      for (const item of message.sync) {
        try {
          this.decode(item);
        } catch (error) {
          // the state or contents of something this side no longer holds (an earlier epoch)
          process.stderr.write(`runcert js driver: sync item ignored: ${error?.message ?? error}\n`);
        }
      }
    }
    if (message.release) {
      for (const [wid] of message.release) {
        const entry = this.mirrored.get(wid);
        if (entry && entry.kit === false) continue; // our containers live until the epoch ends
        if (entry) {
          this.mirrored.delete(wid);
          this.mirroredIds.delete(entry.obj);
        }
      }
    }
    switch (message.t) {
      case "call": this.serveCall(message).catch((error) => this.fatal(error)); break;
      case "result": case "error": {
        const waiter = this.pending.get(message.re);
        if (!waiter) break;
        this.pending.delete(message.re);
        if (message.t === "result") waiter.resolve(this.decode(message.value ?? null));
        else waiter.reject(this.decode(message.error));
        break;
      }
      case "epoch": this.newEpoch(); break;
      case "bye": process.exit(0); break;
      case "cancel": if (message.re !== undefined) this.cancel(message.re); break;
      case "strand_end": break; // one thread: no mirror threads to retire
      default: break;
    }
  }

  fatal(error) {
    process.stderr.write(`runcert js driver: ${error?.stack ?? error}\n`);
    process.exit(3);
  }

  /** Read the kit's hello, answer with `hello`, then serve until bye or end of input. */
  run(hello) {
    const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    let greeted = false;
    lines.on("line", (line) => {
      if (!line.trim()) return;
      let message;
      try {
        message = JSON.parse(line);
      } catch (error) {
        this.fatal(`not a protocol message: ${line.slice(0, 200)}`);
        return;
      }
      if (!greeted) {
        greeted = true;
        const accepts = message.accepts ?? [message.protocol];
        if (message.t !== "hello" || !accepts.includes(PROTOCOL)) {
          this.fatal(`expected the kit's ${PROTOCOL} hello, got ${line.slice(0, 200)}`);
          return;
        }
        const out = { classes: {}, sync: [], active: new Set() };
        const roots = {};
        for (const [name, value] of Object.entries(this.roots)) roots[name] = this.encode(value, out);
        const reply = { t: "hello", protocol: PROTOCOL, ...hello, roots };
        this.finish(reply, out);
        this.writeRaw(JSON.stringify(reply) + "\n");
        return;
      }
      try {
        this.dispatch(message);
      } catch (error) {
        this.fatal(error);
      }
    });
    lines.on("close", () => process.exit(0));
  }
}

/** Resolves once everything this process can do without the kit is done: every
 * microtask and every immediate queued meanwhile. */
export function settled() {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

function snapshot(obj) {
  return Array.isArray(obj) ? obj.slice() : Object.entries(obj);
}

function sameSnapshot(snap, obj) {
  if (snap === null) return false;
  if (Array.isArray(obj)) {
    if (snap.length !== obj.length) return false;
    for (let i = 0; i < obj.length; i++) if (snap[i] !== obj[i]) return false;
    return true;
  }
  const keys = Object.keys(obj);
  if (keys.length !== snap.length) return false;
  for (let i = 0; i < keys.length; i++) {
    if (snap[i][0] !== keys[i] || snap[i][1] !== obj[keys[i]]) return false;
  }
  return true;
}

/** A kit object that is no handler (a function, a sentinel, a hook): what the library
 * calls on it goes to the kit. */
export class KitObject {
  constructor(connection, wid, description, call) {
    this.wireConnection = connection;
    this.wid = wid;
    this.description = description;
    this.call = call;
  }
}

const FUNCTION_CLASS = new FacadeClass({ name: "function", qualname: "js.function", methods: {} });
const opaqueClasses = new Map();

function opaqueClass(value) {
  const name = value?.constructor?.name ?? "Object";
  let cls = opaqueClasses.get(name);
  if (!cls) {
    cls = new FacadeClass({ name, qualname: `js.${name}`, methods: {} });
    opaqueClasses.set(name, cls);
  }
  return cls;
}

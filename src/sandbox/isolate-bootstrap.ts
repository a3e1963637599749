/**
 * Source of the script that prepares every context before hook code runs.
 *
 * It is a function `(hostCall, hostStart, hostReport, token) => entry`. The three are
 * `ivm.Callback`s (plain functions inside the isolate, no `Reference`), kept in this
 * closure only: nothing of the host is ever on the global object. Everything
 * crosses as JSON strings. Async host work (http, kv, timers) is started with
 * `hostStart(token, id, op, json)` and answered by the host calling
 * `entry('deliver', id, json)` with a timeout, so code that runs after an `await` is
 * still bounded by the run's time. The isolate is never trusted: the host validates
 * every message, so subverting this code gains a hook nothing.
 *
 * `entry(kind, …)` is held by the host only:
 *   entry('run', json, onOwnThread?)              calls an entry point with a fresh ctx; its
 *                                                 envelope is reported by hostCall(token, 'done', json),
 *                                                 or by hostReport(token, json) on the isolate's thread
 *   entry('deliver', id, json, text?)             settles one async host call; an HTTP response's
 *                                                 body comes as `text`, beside the envelope
 *   entry('collect-script') / entry('collect-module', namespace)   finds the entry points
 */
import { ISOLATE_GLOBALS } from './isolate-globals.js';
import { RECORD_BOUNDS } from './limits.js';
import { ENTRY_POINTS } from './types.js';

export const ISOLATE_BOOTSTRAP = String.raw`(function bootstrap(hostCall, hostStart, hostReport, firstToken) {
  'use strict';
  const G = globalThis;
  const { stringify, parse } = JSON;
  const indirectEval = G.eval;
  const freeze = Object.freeze;
  // Taken before any hook code runs: a hook that replaces Promise.prototype.then or
  // Promise.resolve cannot keep its run from reporting how it ended.
  const NativePromise = Promise;
  const promiseThen = Promise.prototype.then;
  const promiseResolve = Promise.resolve;
  const ENTRY = ${JSON.stringify(ENTRY_POINTS)};
  let token = firstToken;
  let entries = Object.create(null);
  let seq = 0;
  const waits = new Map();
  const timers = new Map();

  class HttpError extends Error {
    constructor(message, code) { super(message); this.name = 'HttpError'; this.code = code; }
  }
  function toError(e) {
    const err = e.name === 'HttpError' ? new HttpError(e.message, e.code) : e.name === 'TypeError' ? new TypeError(e.message) : new Error(e.message);
    if (e.name && e.name !== err.name) err.name = e.name;
    if (e.code !== undefined && err.code === undefined) err.code = e.code;
    return err;
  }
  function open(json) { const r = parse(json); if (r.ok) return r.value; throw toError(r.error); }
  function callSync(op, args) { return open(hostCall(token, op, stringify(args === undefined ? null : args))); }
  function callAsync(op, args) {
    const json = stringify(args);
    return new Promise((resolve, reject) => { const id = ++seq; waits.set(id, { resolve, reject }); hostStart(token, id, op, json); });
  }
  function deliver(id, json, text) {
    const w = waits.get(id);
    if (w === undefined) return;
    waits.delete(id);
    try {
      const value = open(json);
      if (typeof text === 'string') value.body = text;
      w.resolve(value);
    } catch (err) { w.reject(err); }
  }

  (${ISOLATE_GLOBALS})(G, callSync);

  // Formatting for console and uncaught callback errors.
  function show(v) {
    try {
      if (typeof v === 'string') return v;
      if (v instanceof Error) return typeof v.stack === 'string' && v.stack ? v.stack : String(v);
      if (typeof v === 'function') return '[Function ' + (v.name || 'anonymous') + ']';
      if (typeof v === 'bigint') return v + 'n';
      if (typeof v === 'symbol' || v === undefined) return String(v);
      const s = stringify(v);
      return s === undefined ? String(v) : s;
    } catch { try { return String(v); } catch { return '[unprintable]'; } }
  }
  // Nothing larger than the log budget crosses to the host: it would be dropped there anyway.
  let maxLogChars = 1048576;
  function write(level, message, data) {
    const text = String(message);
    let json;
    try { json = stringify({ level, message: text, data }); } catch { json = stringify({ level, message: text, data: show(data).slice(0, maxLogChars + 1) }); }
    if (json.length > maxLogChars + 64) json = stringify({ level, message: text.slice(0, maxLogChars + 1) });
    open(hostCall(token, 'log', json));
  }
  const report = (err) => { try { write('error', 'Uncaught error in a callback: ' + show(err)); } catch {} };
  const log = freeze({
    debug: (message, data) => write('debug', message, data),
    info: (message, data) => write('info', message, data),
    warn: (message, data) => write('warn', message, data),
    error: (message, data) => write('error', message, data),
  });
  const consoleOf = (level) => (...args) => write(level, args.map(show).join(' '));
  const console = freeze({ log: consoleOf('info'), info: consoleOf('info'), debug: consoleOf('debug'), trace: consoleOf('debug'), warn: consoleOf('warn'), error: consoleOf('error') });

  // Timers live only as long as the run: the host drops pending ones when it ends.
  let timerSeq = 0;
  function setTimeout(fn, ms, ...args) {
    if (typeof fn !== 'function') throw new TypeError('setTimeout needs a function');
    const id = ++timerSeq;
    timers.set(id, true);
    callAsync('sleep', { ms: Math.max(0, Number(ms) || 0) }).then(() => { if (timers.delete(id)) fn(...args); }).catch(report);
    return id;
  }
  function setInterval(fn, ms, ...args) {
    if (typeof fn !== 'function') throw new TypeError('setInterval needs a function');
    const id = ++timerSeq;
    const delay = Math.max(1, Number(ms) || 0);
    const tick = () => callAsync('sleep', { ms: delay }).then(() => {
      if (!timers.has(id)) return;
      try { fn(...args); } finally { if (timers.has(id)) tick(); }
    }).catch(report);
    timers.set(id, true);
    tick();
    return id;
  }
  const clearTimer = (id) => { timers.delete(id); };
  const queueMicrotask = (fn) => { if (typeof fn !== 'function') throw new TypeError('queueMicrotask needs a function'); Promise.resolve().then(fn).catch(report); };

  // ctx.http
  function httpRequest(req) {
    if (req === null || typeof req !== 'object') throw new TypeError('ctx.http.request needs an object { method, url, headers?, query?, body?, timeoutMs? }');
    const spec = { method: String(req.method === undefined ? 'GET' : req.method).toUpperCase(), url: String(req.url), headers: {} };
    if (req.headers != null) for (const k of Object.keys(req.headers)) { const v = req.headers[k]; if (v != null) spec.headers[k.toLowerCase()] = String(v); }
    if (req.query != null) {
      spec.query = [];
      for (const k of Object.keys(req.query)) {
        const v = req.query[k];
        if (Array.isArray(v)) { for (const x of v) spec.query.push([k, String(x)]); } else if (v != null) spec.query.push([k, String(v)]);
      }
    }
    if (req.timeoutMs !== undefined) spec.timeoutMs = Number(req.timeoutMs);
    if (req.body != null) {
      if (typeof req.body === 'string') spec.body = req.body;
      else {
        spec.body = stringify(req.body);
        if (spec.headers['content-type'] === undefined) spec.headers['content-type'] = 'application/json';
      }
    }
    return callAsync('http', spec).then((res) => {
      let body = res.body;
      if (res.json) { try { body = parse(body); } catch {} }
      return { status: res.status, headers: res.headers, body };
    });
  }
  const withBody = (method) => (url, body, opts) => httpRequest({ ...(opts || {}), method, url, body });
  const withoutBody = (method) => (url, opts) => httpRequest({ ...(opts || {}), method, url });
  const http = freeze({
    request: httpRequest,
    get: withoutBody('GET'), delete: withoutBody('DELETE'), head: withoutBody('HEAD'),
    post: withBody('POST'), put: withBody('PUT'), patch: withBody('PATCH'),
  });

  // ctx.kv
  const kv = freeze({
    get: (key) => callAsync('kv.get', { key }),
    set: (key, value, opts) => {
      if (value === undefined) return Promise.reject(new TypeError('ctx.kv.set needs a JSON value'));
      return callAsync('kv.set', { key, value, ttlSeconds: opts && opts.ttlSeconds });
    },
    delete: (key) => callAsync('kv.delete', { key }),
    list: (prefix) => callAsync('kv.list', { prefix: prefix === undefined ? '' : prefix }),
  });

  const DATA = ['meta', 'event', 'request', 'response', 'params', 'org', 'integration', 'execution'];
  function makeCtx(run) {
    const ctx = { http, kv, log, secrets: freeze(run.secrets || {}) };
    for (const k of DATA) ctx[k] = run.ctx[k];
    return ctx;
  }

  function describe(e) {
    const get = (f, fallback) => { try { const v = f(); return v === undefined || v === null ? fallback : String(v); } catch { return fallback; } };
    // Cut before crossing: the host keeps ${RECORD_BOUNDS.errorMessageChars} characters of a message, ${RECORD_BOUNDS.stackChars} of a stack.
    const m = (v) => (typeof v === 'string' ? v.slice(0, ${RECORD_BOUNDS.errorMessageChars * 2}) : v);
    if (e !== null && typeof e === 'object') {
      return { name: m(get(() => e.name, 'Error')), message: m(get(() => e.message, show(e))), stack: get(() => (typeof e.stack === 'string' ? e.stack.slice(0, ${RECORD_BOUNDS.stackChars * 2}) : ''), ''), code: m(get(() => e.code, undefined)) };
    }
    return { name: 'Error', message: m(show(e)), stack: '' };
  }
  function settle(value, maxChars) {
    if (value === undefined) return '{"ok":true}';
    let s;
    try { s = stringify(value); } catch (err) {
      // "unjson" first: the host, when the run is on its own thread (a shallower stack: a value
      // nested some thousands deep overflows it), runs it again on the isolate's.
      return stringify({ unjson: true, ok: false, error: { name: 'TypeError', message: 'The returned value is not JSON: ' + describe(err).message, stack: '' } });
    }
    if (s === undefined) return '{"ok":true}';
    if (s.length > maxChars) return stringify({ ok: false, limit: 'resultBytes', size: s.length });
    return '{"ok":true,"value":' + s + '}';
  }
  // Whether the isolate runs on its own thread now: a run sent there, or a continuation.
  let onOwnThread = false;
  // The envelope is reported, not returned: a run that awaits nothing has reported it by the
  // time the host's call returns (the host may then make the call on its own thread). On the
  // isolate's own thread it is reported without waiting for the host's answer: a call that
  // waited would hold this thread until the host's thread had taken it, and ignores the answer.
  function dispatch(json) {
    const run = parse(json);
    const runToken = (token = run.token);
    const done = (envelope) => { if (onOwnThread) hostReport(runToken, envelope); else hostCall(runToken, 'done', envelope); };
    maxLogChars = run.maxLogChars;
    try {
      waits.clear();
      timers.clear();
      const fn = entries[run.entry];
      if (typeof fn !== 'function') {
        return done(stringify({ ok: false, error: { name: 'Error', message: 'The hook does not define ' + run.entry + '()', stack: '' } }));
      }
      const ctx = makeCtx(run);
      const value = run.entry === 'run' ? fn(ctx) : fn(ctx, run.input);
      promiseThen.call(
        promiseResolve.call(NativePromise, value),
        (v) => done(settle(v, run.maxResultChars)),
        (err) => done(stringify({ ok: false, error: describe(err) })),
      );
    } catch (err) {
      // A synchronous throw of the entry point, or of a prototype the hook poisoned: its error is read
      // in here, under the call's timeout, never by the host (a hostile error can spin there for ever).
      done(stringify({ ok: false, error: describe(err) }));
    }
  }

  function collectScript() {
    const probe = '({' + ENTRY.map((n) => n + ": typeof " + n + " === 'function' ? " + n + ' : undefined').join(',') + '})';
    entries = indirectEval(probe);
  }
  function collectModule(ns) {
    const found = Object.create(null);
    const def = ns.default;
    for (const n of ENTRY) {
      if (typeof ns[n] === 'function') found[n] = ns[n];
      else if (def !== null && typeof def === 'object' && typeof def[n] === 'function') found[n] = def[n].bind(def);
    }
    if (found.run === undefined && typeof def === 'function') found.run = def;
    entries = found;
  }

  // Host-shaped and blocking globals go: Atomics.wait could hang the isolate's thread,
  // WebAssembly memory escapes the heap limit.
  delete G.WebAssembly;
  delete G.SharedArrayBuffer;
  if (typeof Atomics === 'object') { delete Atomics.wait; delete Atomics.waitAsync; }
  const define = (name, value) => Object.defineProperty(G, name, { value, writable: true, configurable: true, enumerable: false });
  define('console', console);
  define('setTimeout', setTimeout);
  define('setInterval', setInterval);
  define('clearTimeout', clearTimer);
  define('clearInterval', clearTimer);
  define('queueMicrotask', queueMicrotask);

  return function entry(kind, a, b, c) {
    switch (kind) {
      case 'run': onOwnThread = b === true; dispatch(a); return undefined;
      case 'deliver': onOwnThread = true; deliver(a, b, c); return undefined;
      case 'collect-script': collectScript(); return undefined;
      case 'collect-module': collectModule(a); return undefined;
      default: throw new Error('unknown entry ' + kind);
    }
  };
})`;

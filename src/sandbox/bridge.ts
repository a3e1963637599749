/**
 * The host side of `ctx` for one run: the operations the isolate may ask for (log,
 * url, random, http, kv, sleep), each given JSON and answering JSON, each checked
 * against the run's limits. Everything from the isolate is untrusted input.
 */
import { randomBytes } from 'node:crypto';
import { coerceError } from '../domain/errors.js';
import { jsonTextDepth } from '../domain/json-depth.js';
import type { Egress } from './egress.js';
import { EgressError } from './egress.js';
import type { KvStore } from './kv.js';
import type { LimitName, Limits } from './limits.js';
import { RECORD_BOUNDS, cut, limitMessage } from './limits.js';
import type { Redactor } from './redact.js';
import type { HttpLogEntry, JsonValue, LogBudget, LogEntry, LogLevel, Spent } from './types.js';

/** A limit breach: the run ends as failed (the hook cannot catch its way past it). */
export class LimitBreach extends Error {
  readonly limit: LimitName;
  constructor(limit: LimitName, message: string) {
    super(message);
    this.name = 'LimitError';
    this.limit = limit;
  }
}

/** What a bridge needs from its run. */
export interface BridgeOptions {
  readonly limits: Limits;
  readonly kv: KvStore;
  readonly egress: Egress;
  readonly redactor: Redactor;
  readonly logBudget: LogBudget;
  /** What earlier calls sharing the limits used (a PULL page's run and flow steps). */
  readonly spent?: Spent;
  /** Milliseconds left in the run. */
  readonly remaining: () => number;
  /** Called once per breach; the run ends. */
  readonly onBreach: (breach: LimitBreach) => void;
}

type Envelope = string;

/**
 * An answer with a text beside its envelope: a response body crosses to the isolate as a
 * string of its own, so it is neither escaped into the envelope's JSON nor parsed out of it.
 */
class WithText {
  constructor(
    readonly value: unknown,
    readonly text: string,
  ) {}
}

/** Content types whose body the isolate parses as JSON (falling back to text). */
const JSON_TYPE = /[/+]json\b/i;

const LEVELS: ReadonlySet<string> = new Set(['debug', 'info', 'warn', 'error']);
const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
// Headers the transport owns; a hook must not smuggle them (User-Agent is fixed, too).
const DROPPED_HEADERS: ReadonlySet<string> = new Set([
  'host', 'user-agent', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer',
  'proxy-authorization', 'proxy-connection',
]);

function ok(value: unknown): Envelope {
  return value === undefined ? '{"ok":true}' : JSON.stringify({ ok: true, value });
}

function fail(err: unknown): Envelope {
  const e = coerceError(err);
  const code = (e as { code?: unknown }).code;
  return JSON.stringify({ ok: false, error: { name: e.name, message: e.message, code: typeof code === 'string' ? code : undefined } });
}

/** One run's host side of `ctx`. Create per run; `close()` drops everything still pending. */
export class Bridge {
  readonly logs: LogEntry[] = [];
  readonly http: HttpLogEntry[] = [];
  readonly #o: BridgeOptions;
  readonly #pending = new Set<() => void>();
  /** Requests sent and not yet answered, with their start times. */
  readonly #inFlight = new Map<SentRequest, number>();
  #requests = 0;
  #timers = 0;
  #closed = false;

  constructor(options: BridgeOptions) {
    this.#o = options;
    this.#requests = options.spent?.httpRequests ?? 0;
  }

  /** A synchronous operation; answers an envelope `{ ok, value | error }`. */
  call(op: string, json: string): Envelope {
    if (this.#closed) return fail(new Error('This run is over'));
    try {
      const args = this.#parse(op, json);
      switch (op) {
        case 'log':
          this.log(String(args.level) as LogLevel, String(args.message), args.data as JsonValue | undefined);
          return ok(undefined);
        case 'url':
          return ok(urlParts(new URL(String(args.input), args.base === undefined ? undefined : String(args.base))));
        case 'url.set': {
          const url = new URL(String(args.href));
          const key = String(args.key);
          if (!['href', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash'].includes(key)) {
            throw new TypeError(`Cannot set URL.${key}`);
          }
          (url as unknown as Record<string, string>)[key] = String(args.value);
          return ok(urlParts(url));
        }
        case 'random':
          return ok(randomBytes(Math.min(65536, Math.max(0, Number(args.bytes) | 0))).toString('hex'));
        default:
          throw new Error(`Unknown operation ${op}`);
      }
    } catch (err) {
      if (op === 'url' || op === 'url.set') return fail(new TypeError('Invalid URL'));
      return fail(err);
    }
  }

  /**
   * An asynchronous operation; `answer` receives the envelope (and a response's body, when
   * it has one) unless the run ended first.
   */
  start(op: string, json: string, answer: (envelope: Envelope, text?: string) => void): void {
    if (this.#closed) return;
    let run: Promise<unknown>;
    try {
      const args = this.#parse(op, json);
      this.#admit(op);
      run = this.#async(op, args);
    } catch (err) {
      // A breach ends the run at once, before the hook gets to run on.
      if (err instanceof LimitBreach) this.#o.onBreach(err);
      run = Promise.reject(err);
    }
    run.then(
      (value): [Envelope, string?] => (value instanceof WithText ? [ok(value.value), value.text] : [ok(value)]),
      (err: unknown): [Envelope] => {
        if (err instanceof LimitBreach) this.#o.onBreach(err);
        return [fail(err)];
      },
    ).then(([envelope, text]) => {
      if (!this.#closed) answer(envelope, text);
    });
  }

  /**
   * Appends to the log within the execution's budget, redacting secrets. A line counts
   * what it will take in the record: its bytes as JSON, after redaction and escaping.
   */
  log(level: LogLevel, message: string, data?: JsonValue): void {
    const budget = this.#o.logBudget;
    if (budget.exhausted) return;
    // Only a line that can fit is redacted: never spend work on what will be dropped.
    if (budget.lines >= 1 && message.length <= budget.bytes) {
      const base: LogEntry = { ts: new Date().toISOString(), level: LEVELS.has(level) ? level : 'info', message: this.#o.redactor.text(message) };
      const entry = data === undefined ? base : { ...base, data: this.#o.redactor.json(data) };
      const size = Buffer.byteLength(JSON.stringify(entry));
      if (size <= budget.bytes) {
        budget.lines -= 1;
        budget.bytes -= size;
        this.logs.push(entry);
        return;
      }
    }
    budget.exhausted = true;
    this.logs.push({ ts: new Date().toISOString(), level: 'warn', message: limitMessage('logLines', this.#o.limits) });
  }

  /** Where the log stands, to take back what a run that is started over wrote (see HookContext). */
  mark(): { undo(): void } {
    const budget = this.#o.logBudget;
    const { bytes, lines, exhausted } = budget;
    const count = this.logs.length;
    return {
      undo: () => {
        this.logs.length = count;
        Object.assign(budget, { bytes, lines, exhausted });
      },
    };
  }

  /**
   * Ends the bridge: pending timers and requests are dropped and never answered. A
   * request still in flight is logged as such: it may well have reached its server.
   */
  close(): void {
    this.#closed = true;
    for (const cancel of this.#pending) cancel();
    this.#pending.clear();
    for (const [entry, started] of this.#inFlight) {
      this.http.push(ended(entry, 0, elapsed(started), 0, 'the run ended before the response arrived'));
    }
    this.#inFlight.clear();
  }

  /** Parses the isolate's JSON arguments of `op`, refusing nesting past the limit first. */
  #parse(op: string, json: string): Record<string, unknown> {
    const max = this.#o.limits.jsonDepth;
    // The arguments object adds a level (and kv.set's value sits in it).
    if (jsonTextDepth(json, max + 1) > max + 1) {
      if (op === 'kv.set') throw new LimitBreach('jsonDepth', limitMessage('jsonDepth', this.#o.limits, 'a ctx.kv.set value'));
      throw new TypeError(`The arguments of ${op === 'log' ? 'ctx.log' : op} are nested more than ${max} levels deep`);
    }
    return JSON.parse(json) as Record<string, unknown>;
  }

  /** Counts requests and pending timers against their limits. */
  #admit(op: string): void {
    const limits = this.#o.limits;
    if (op === 'http' && ++this.#requests > limits.httpRequests) {
      throw new LimitBreach('httpRequests', limitMessage('httpRequests', limits));
    }
    if (op === 'sleep' && ++this.#timers > limits.timers) {
      throw new LimitBreach('timers', limitMessage('timers', limits));
    }
  }

  #async(op: string, args: Record<string, unknown>): Promise<unknown> {
    switch (op) {
      case 'http':
        return this.#http(args);
      case 'sleep':
        return this.#sleep(Number(args.ms) || 0);
      case 'kv.get':
        return this.#kv(() => this.#o.kv.get(this.#key(args.key)).then((v) => v ?? null));
      case 'kv.set':
        return this.#kv(() => this.#kvSet(args));
      case 'kv.delete':
        return this.#kv(() => this.#o.kv.delete(this.#key(args.key)).then(() => null));
      case 'kv.list': {
        const prefix = args.prefix;
        if (typeof prefix !== 'string' || prefix.length > this.#o.limits.kvKeyLength) throw new TypeError('ctx.kv.list needs a string prefix');
        return this.#kv(() => this.#o.kv.list(prefix));
      }
      default:
        return Promise.reject(new Error(`Unknown operation ${op}`));
    }
  }

  #key(key: unknown): string {
    if (typeof key !== 'string' || key === '') throw new TypeError('A KV key must be a non-empty string');
    if (key.length > this.#o.limits.kvKeyLength) {
      throw new LimitBreach('kvKeyLength', limitMessage('kvKeyLength', this.#o.limits, `got ${key.length}`));
    }
    return key;
  }

  async #kvSet(args: Record<string, unknown>): Promise<null> {
    const key = this.#key(args.key);
    if (args.value === undefined) throw new TypeError('ctx.kv.set needs a JSON value');
    const limits = this.#o.limits;
    const json = JSON.stringify(args.value);
    const size = Buffer.byteLength(json);
    if (size > limits.kvValueBytes) {
      throw new LimitBreach('kvValueBytes', limitMessage('kvValueBytes', limits, `key "${key}" got ${size} bytes`));
    }
    const ttl = args.ttlSeconds === undefined || args.ttlSeconds === null ? limits.kvTtlSeconds : Number(args.ttlSeconds);
    if (!(ttl > 0) || !Number.isFinite(ttl)) throw new TypeError('ttlSeconds must be a positive number');
    const used = await this.#o.kv.usage(key);
    if (used.entries + 1 > limits.kvEntries) {
      throw new LimitBreach('kvEntries', limitMessage('kvEntries', limits, `setting key "${key}"`));
    }
    if (used.chars + json.length > limits.kvBytes) {
      throw new LimitBreach('kvBytes', limitMessage('kvBytes', limits, `setting key "${key}" with ${json.length} characters`));
    }
    await this.#o.kv.set(key, args.value as JsonValue, { ttlSeconds: ttl });
    return null;
  }

  async #kv<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof LimitBreach || err instanceof TypeError) throw err;
      throw new Error(`KV store error: ${coerceError(err).message}`, { cause: err });
    }
  }

  #sleep(ms: number): Promise<null> {
    return new Promise((resolve) => {
      const cancel = () => clearTimeout(timer);
      const timer = setTimeout(() => {
        this.#timers -= 1;
        this.#pending.delete(cancel);
        resolve(null);
      }, Math.min(ms, 2 ** 31 - 1));
      this.#pending.add(cancel);
    });
  }

  async #http(args: Record<string, unknown>): Promise<WithText> {
    const limits = this.#o.limits;
    const method = String(args.method);
    if (!METHODS.has(method)) throw new TypeError(`HTTP method ${method} is not supported`);
    let url = String(args.url);
    if (Array.isArray(args.query)) {
      const parsed = URL.canParse(url) ? new URL(url) : undefined;
      if (parsed) {
        for (const pair of args.query as unknown[]) if (Array.isArray(pair)) parsed.searchParams.append(String(pair[0]), String(pair[1]));
        url = parsed.href;
      }
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries((args.headers ?? {}) as Record<string, unknown>)) {
      const lower = name.toLowerCase();
      if (!DROPPED_HEADERS.has(lower) && !lower.startsWith('proxy-')) headers[lower] = String(value);
    }
    const body = typeof args.body === 'string' ? args.body : undefined;
    const requestBytes = body === undefined ? 0 : Buffer.byteLength(body);
    const wanted = Number(args.timeoutMs);
    const timeoutMs = Math.max(1, Math.min(this.#o.remaining(), wanted > 0 ? wanted : Infinity));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const cancel = () => controller.abort();
    this.#pending.add(cancel);
    const started = performance.now();
    const entry = { method, url: cut(this.#o.redactor.text(sentUrl(url)), RECORD_BOUNDS.urlChars), requestBytes };
    this.#inFlight.set(entry, started);
    try {
      const res = await this.#o.egress.send({ method, url, headers, body, signal: controller.signal, maxResponseBytes: limits.httpResponseBytes });
      if (!this.#inFlight.delete(entry)) throw new Error('This run is over');
      this.http.push(ended(entry, res.status, elapsed(started), res.body.length));
      // A JSON body crosses as text and is parsed inside the isolate (see httpRequest there):
      // parsing it here would cost a parse and a stringify more per response.
      const contentType = res.headers['content-type'];
      return new WithText({ status: res.status, headers: res.headers, json: contentType !== undefined && JSON_TYPE.test(contentType) }, res.body.toString('utf8'));
    } catch (err) {
      if (!this.#inFlight.delete(entry)) throw err;
      const e = err instanceof EgressError ? err : new EgressError('CONNECTION_FAILED', coerceError(err).message, { cause: err });
      const responseBytes = e.code === 'RESPONSE_TOO_LARGE' ? limits.httpResponseBytes : 0;
      this.http.push(ended(entry, 0, elapsed(started), responseBytes, cut(this.#o.redactor.text(`${e.code}: ${e.message}`), RECORD_BOUNDS.errorMessageChars)));
      if (e.code === 'RESPONSE_TOO_LARGE') {
        throw new LimitBreach('httpResponseBytes', limitMessage('httpResponseBytes', limits, `${method} ${entry.url}`));
      }
      throw e;
    } finally {
      clearTimeout(timer);
      this.#pending.delete(cancel);
    }
  }
}

/** What the log knows of a request while it is in flight. */
type SentRequest = Pick<HttpLogEntry, 'method' | 'url' | 'requestBytes'>;

/**
 * The log entry of a request that ended, written out: on Node 20's V8 a literal that starts
 * with a spread and then adds a property gets a hidden class of its own on every call
 * (bench/README.md, Inbound, "Peak RSS"), and every request makes one.
 */
function ended(sent: SentRequest, status: number, durationMs: number, responseBytes: number, error?: string): HttpLogEntry {
  return { method: sent.method, url: sent.url, requestBytes: sent.requestBytes, status, durationMs, responseBytes, ...(error !== undefined && { error }) };
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}

/**
 * The URL as it goes on the wire: the parser drops tabs and newlines and percent-encodes
 * what needs it, so the log shows what the server saw. An unparsable one is logged with
 * its control characters escaped, so it cannot forge lines.
 */
function sentUrl(url: string): string {
  if (URL.canParse(url)) return new URL(url).href;
  return url.replace(/[\u0000-\u001f\u007f]/g, (c) => encodeURIComponent(c));
}

function urlParts(url: URL): Record<string, string> {
  const { href, origin, protocol, username, password, host, hostname, port, pathname, search, hash } = url;
  return { href, origin, protocol, username, password, host, hostname, port, pathname, search, hash };
}

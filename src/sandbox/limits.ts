/**
 * The limits of one hook run (docs/hooks.md, "Limits"), their defaults per hook type and
 * the messages that name them when they are breached.
 */

import type { HookType } from '../domain/hooks.js';

/** The five kinds of hook (automations use the `inbound` limits). */
export type { HookType };

/** Every limit a run is held to. Per-page for pull hooks: each page is one run. */
export interface Limits {
  /** Heap of the isolate, in MB. */
  readonly memoryMb: number;
  /** Wall-clock time of one run (one page for pull hooks), in ms; CPU spins included. */
  readonly timeMs: number;
  /** HTTP requests per run (per page for pull hooks). */
  readonly httpRequests: number;
  /** Size of one HTTP response body, in bytes; cut while streaming. */
  readonly httpResponseBytes: number;
  /** Size of the returned value as JSON, in bytes. */
  readonly resultBytes: number;
  /** Log volume per execution, in bytes of message and data; the rest is dropped with a note. */
  readonly logBytes: number;
  /** Log lines per execution; the rest is dropped with a note. */
  readonly logLines: number;
  /** Length of a KV key, in characters. */
  readonly kvKeyLength: number;
  /** Size of a KV value as JSON, in bytes. */
  readonly kvValueBytes: number;
  /** Expiry of a KV entry when `set` gives none, in seconds. */
  readonly kvTtlSeconds: number;
  /** Entries one integration may keep in its KV store. */
  readonly kvEntries: number;
  /** Bytes of JSON one integration may keep in its KV store, over all its entries. */
  readonly kvBytes: number;
  /** Nesting of objects and arrays in a returned value or a KV value. */
  readonly jsonDepth: number;
  /** Timers (`setTimeout`, `setInterval`) pending at once. */
  readonly timers: number;
  /** A PULL execution's, not one run's: pages it may fetch before pagination stops with a warning. */
  readonly pages: number;
  /** A PULL hook's, not one run's: scheduled and manual executions per hour (dry runs excluded). */
  readonly executionsPerHour: number;
}

/** Name of a limit, as reported in `RunError.limit`. */
export type LimitName = keyof Limits;

const MB = 1024 * 1024;

const BASE: Limits = Object.freeze({
  memoryMb: 128,
  timeMs: 10_000,
  httpRequests: 50,
  httpResponseBytes: 10 * MB,
  resultBytes: 10 * MB,
  logBytes: MB,
  logLines: 5_000,
  kvKeyLength: 256,
  kvValueBytes: 64 * 1024,
  kvTtlSeconds: 90 * 24 * 3600,
  kvEntries: 10_000,
  kvBytes: 50 * MB,
  jsonDepth: 64,
  timers: 1_000,
  pages: 100,
  executionsPerHour: 5,
});

/** Default limits per hook type, from the table in docs/hooks.md, "Limits". */
export const DEFAULT_LIMITS: Readonly<Record<HookType, Limits>> = Object.freeze({
  pull: Object.freeze({ ...BASE, timeMs: 30_000 }),
  push: BASE,
  pre: Object.freeze({ ...BASE, timeMs: 2_000, httpRequests: 10 }),
  post: Object.freeze({ ...BASE, timeMs: 2_000, httpRequests: 10 }),
  inbound: BASE,
});

/**
 * How much of a hook's own text an execution record keeps: longer error messages,
 * stacks and URLs are cut to this many characters (after redaction), with a note.
 */
export const RECORD_BOUNDS = Object.freeze({ errorMessageChars: 8 * 1024, stackChars: 16 * 1024, urlChars: 2 * 1024 });

/** Cuts `text` to `max` characters, saying how much was cut. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more characters cut]`;
}

/** Pages one pull execution may fetch by default. */
export const MAX_PAGES = BASE.pages;

/** The limits of every hook type. */
export type HookLimits = Readonly<Record<HookType, Limits>>;

/**
 * A deployment's changes to the defaults (`HOOKYARD_HOOK_LIMITS`): `all` for every hook
 * type, then each type's own, e.g. `{ "all": { "memoryMb": 256 }, "pull": { "timeMs": 60000 } }`.
 */
export type LimitOverrides = { readonly [K in HookType | 'all']?: Partial<Limits> };

const LIMIT_NAMES = new Set(Object.keys(BASE));
const SCOPES = new Set(['all', ...Object.keys(DEFAULT_LIMITS)]);

/** Checks that `value` is a {@link LimitOverrides}: known names, positive integers. Throws a RangeError naming what is wrong. */
export function checkLimitOverrides(value: unknown): LimitOverrides {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(value)) throw new RangeError('must be a JSON object: { "all"?: { limit: value }, "pull"?: { … }, … }');
  for (const [scope, limits] of Object.entries(value)) {
    if (!SCOPES.has(scope)) throw new RangeError(`${scope}: is not "all" or a hook type (${[...SCOPES].join(', ')})`);
    if (!isObject(limits)) throw new RangeError(`${scope}: must be an object of limits`);
    for (const [name, n] of Object.entries(limits)) {
      if (!LIMIT_NAMES.has(name)) throw new RangeError(`${scope}.${name}: is not a limit (${[...LIMIT_NAMES].join(', ')})`);
      if (!Number.isSafeInteger(n) || (n as number) < 1) throw new RangeError(`${scope}.${name}: must be a positive integer`);
    }
  }
  return value as LimitOverrides;
}

/** The default limits with a deployment's `overrides` applied (checked with {@link checkLimitOverrides}). */
export function deploymentLimits(overrides: LimitOverrides | undefined): HookLimits {
  if (overrides === undefined || Object.keys(overrides).length === 0) return DEFAULT_LIMITS;
  checkLimitOverrides(overrides);
  const types = Object.keys(DEFAULT_LIMITS) as HookType[];
  return Object.freeze(Object.fromEntries(types.map((t) => [t, Object.freeze({ ...DEFAULT_LIMITS[t], ...overrides.all, ...overrides[t] })]))) as HookLimits;
}

/** The limits of `type` in `base` with one run's `overrides` applied; every value must be a positive number. */
export function resolveLimits(type: HookType, overrides?: Partial<Limits>, base: HookLimits = DEFAULT_LIMITS): Limits {
  // Most runs have no overrides, and the base is frozen and valid: no copy and check per run.
  if (overrides === undefined) return base[type];
  const limits: Limits = { ...base[type], ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== 'number' || !(value > 0)) throw new RangeError(`limit ${name} must be a positive number`);
  }
  return Object.freeze(limits);
}

function bytes(n: number): string {
  if (n >= MB && (n * 10) % MB === 0) return `${n / MB} MB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KB`;
  return `${n} bytes`;
}

/** The message that names a breached limit, e.g. "Memory limit exceeded: …". */
export function limitMessage(name: LimitName, limits: Limits, detail = ''): string {
  const suffix = detail ? ` (${detail})` : '';
  switch (name) {
    case 'memoryMb':
      return `Memory limit exceeded: the hook used more than ${limits.memoryMb} MB${suffix}`;
    case 'timeMs':
      return `Time limit exceeded: the hook ran longer than ${limits.timeMs} ms${suffix}`;
    case 'httpRequests':
      return `HTTP request limit exceeded: at most ${limits.httpRequests} requests per run${suffix}`;
    case 'httpResponseBytes':
      return `HTTP response size limit exceeded: a response body may be at most ${bytes(limits.httpResponseBytes)}${suffix}`;
    case 'resultBytes':
      return `Result size limit exceeded: the returned value may be at most ${bytes(limits.resultBytes)} as JSON${suffix}`;
    case 'logBytes':
    case 'logLines':
      return `Log limit reached: at most ${limits.logLines} lines or ${bytes(limits.logBytes)} per execution; the rest was dropped`;
    case 'kvKeyLength':
      return `KV key limit exceeded: a key must be a string of 1 to ${limits.kvKeyLength} characters${suffix}`;
    case 'kvValueBytes':
      return `KV value size limit exceeded: a value may be at most ${bytes(limits.kvValueBytes)} as JSON${suffix}`;
    case 'kvEntries':
      return `KV quota exceeded: an integration may keep at most ${limits.kvEntries} entries${suffix}`;
    case 'kvBytes':
      return `KV quota exceeded: an integration may keep at most ${bytes(limits.kvBytes)} of values${suffix}`;
    case 'jsonDepth':
      return `Nesting limit exceeded: a value may be nested at most ${limits.jsonDepth} levels deep${suffix}`;
    case 'kvTtlSeconds':
      return `KV expiry must be a positive number of seconds${suffix}`;
    case 'timers':
      return `Timer limit exceeded: at most ${limits.timers} timers may be pending at once${suffix}`;
    case 'pages':
      return `Pagination stopped after ${limits.pages} pages${suffix}`;
    case 'executionsPerHour':
      return `rate limit: at most ${limits.executionsPerHour} executions per hour${suffix}`;
  }
}

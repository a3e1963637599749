/**
 * The shapes that cross the sandbox's public surface: what a run is asked to do
 * ({@link RunRequest}) and what it reports ({@link RunResult}).
 */
import { HookyardError } from '../domain/errors.js';
import type { ExecutionHttpEntry } from '../domain/executions.js';
import type { KvStore } from './kv.js';
import type { HookType, LimitName, Limits } from './limits.js';

/** A JSON value: the only kind of data that crosses the isolate boundary. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Functions of a hook the sandbox may call: `run(ctx)` or a flow step `fn(ctx, input)` (docs/hooks.md, "Flow steps and mapping"). */
export const ENTRY_POINTS = Object.freeze(['run', 'preSavePage', 'preMap', 'postMap', 'postSubmit', 'postAggregate'] as const);

/** One of {@link ENTRY_POINTS}. */
export type EntryPoint = (typeof ENTRY_POINTS)[number];

/** The entry point of `request`; a name outside {@link ENTRY_POINTS} is the caller's bug, and throws. */
export function entryOf(request: { readonly entry?: string }): EntryPoint {
  const entry = request.entry ?? 'run';
  if (!(ENTRY_POINTS as readonly string[]).includes(entry)) {
    throw new HookyardError('HY_BAD_REQUEST', `entry must be one of ${ENTRY_POINTS.join(', ')}`);
  }
  return entry as EntryPoint;
}

/** Source language: TypeScript has its types stripped before it is compiled. */
export type Language = 'javascript' | 'typescript';

/** The JSON data members of `ctx` (docs/hooks.md); `undefined` members are left out. */
export interface CtxData {
  readonly meta?: JsonValue;
  readonly event?: JsonValue;
  readonly request?: JsonValue;
  readonly response?: JsonValue;
  readonly params?: JsonValue;
  readonly org?: JsonValue;
  readonly integration?: JsonValue;
  readonly execution?: JsonValue;
}

/** Levels of `ctx.log`; `console.log` writes `info`. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One line of an execution's log. */
export interface LogEntry {
  /** ISO 8601 time. */
  readonly ts: string;
  readonly level: LogLevel;
  readonly message: string;
  readonly data?: JsonValue;
}

/** One entry of an execution's HTTP log; `url` has secrets redacted. */
export type HttpLogEntry = ExecutionHttpEntry;

/** Why a run did not complete; `line`/`column` point into the hook's own source. */
export interface RunError {
  readonly message: string;
  readonly stack: string;
  readonly line?: number;
  readonly column?: number;
  /** The limit that was hit, when one was. */
  readonly limit?: LimitName;
  /** `HttpError.code` and the like, when the thrown error had one. */
  readonly code?: string;
}

/** Outcome of a run, as in an execution record (docs/hooks.md, "Executions"). */
export type RunStatus = 'completed' | 'failed' | 'timed_out';

/** Shared log allowance of one execution (several runs when a pull hook paginates). */
export interface LogBudget {
  bytes: number;
  lines: number;
  /** Set once the note about dropped lines has been written. */
  exhausted: boolean;
}

/** Time (ms) and HTTP requests used by earlier calls that share a budget. */
export interface Spent {
  readonly timeMs: number;
  readonly httpRequests: number;
}

/** Milliseconds left of `limits.timeMs` after `spent` (at least 1: a call that has none left times out at once). */
export const timeLeft = (limits: Limits, spent: Spent | undefined): number => Math.max(1, limits.timeMs - (spent?.timeMs ?? 0));

/** Everything one run needs. */
export interface RunRequest {
  readonly orgId: string;
  /** The hook's integration: runs of one integration share isolates, other integrations' never do. */
  readonly integrationId?: string;
  readonly hookId: string;
  /** Version of the code: with `hookId`, the cache key of compiled code and reusable contexts. */
  readonly hookVersion: string | number;
  readonly type: HookType;
  /** The hook's code; ignored for a remote hook. */
  readonly code: string;
  /**
   * A remote hook: the run is a signed POST of its ctx data to `url`, and the JSON reply is
   * its return value. `signingSecrets` are the `whsec_` secrets still valid, newest first.
   */
  readonly remote?: { readonly url: string; readonly signingSecrets: readonly string[] };
  /** Default `javascript`. */
  readonly language?: Language;
  /** Function to call; default `run`. */
  readonly entry?: EntryPoint;
  /** Second argument of a flow step. */
  readonly input?: JsonValue;
  readonly ctx?: CtxData;
  readonly secrets?: Readonly<Record<string, string>>;
  /** The integration's KV store; a dry run reads it but never writes to it. */
  readonly kv: KvStore;
  /** Overrides of the hook type's default limits. */
  readonly limits?: Partial<Limits>;
  /**
   * What earlier calls sharing this call's limits used of them (a PULL page's run and its
   * flow steps share the page's): this call gets the time and requests left. The limits
   * stay the whole's, and so do the messages that name them.
   */
  readonly spent?: Spent;
  readonly dryRun?: boolean;
  /** Pass the same budget to every page of one execution so the log cap is per execution. */
  readonly logBudget?: LogBudget;
  /**
   * When the sandbox already runs as many hooks as it may (in total or for this
   * organisation): wait for a place (default; queued work), or `refuse` at once with a
   * 429 error (work a caller is waiting on: dry runs, API hooks).
   */
  readonly onBusy?: 'wait' | 'refuse';
}

/** A hook version: the cache key of its code, compiled code and reusable contexts. */
export function hookKey(request: { readonly hookId: string; readonly hookVersion: string | number }): string {
  return `${request.hookId}@${request.hookVersion}`;
}

/** What a run reports. */
export interface RunResult {
  readonly status: RunStatus;
  /** The JSON return value (secrets redacted); absent when nothing was returned. */
  readonly value?: JsonValue;
  readonly logs: LogEntry[];
  readonly http: HttpLogEntry[];
  readonly error?: RunError;
  readonly durationMs: number;
}

/**
 * A {@link RunResult} whose value is still the JSON text the isolate wrote: what crosses
 * from a sandbox process to the server, where it is parsed once (outcome.ts, readValue).
 * A page of records is parsed and written again by no one in between.
 */
export type TextResult = Omit<RunResult, 'value'> & { readonly valueText?: string };

/** Runs hooks. One per process is enough; `close()` on shutdown. */
export interface Sandbox {
  /**
   * Runs one entry point of a hook. Never rejects for anything the hook does: syntax
   * errors, throws, limit breaches, timeouts and crashes all come back as a result. It
   * rejects for a caller's bug (an unknown entry point) and, with `onBusy: 'refuse'`,
   * with a 429 `HY_RATE_LIMITED` error when the sandbox is full.
   * @example
   * const result = await sandbox.run({ orgId, hookId, hookVersion: 3, type: 'push', code,
   *   ctx: { event }, secrets, kv });
   */
  run(request: RunRequest): Promise<RunResult>;
  /** The limits runs of `type` are held to: the defaults, with the deployment's changes. */
  limits(type: HookType): Limits;
  /** Stops every isolate and closes outbound connections. */
  close(): Promise<void>;
}

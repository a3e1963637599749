/**
 * The messages between the supervisor (in the server) and a sandbox process, over
 * Node's IPC channel as JSON (so `undefined` members are left out, and a number that is
 * not finite arrives as null), those of one tick in one IPC message: an array (channel.ts).
 * Only data crosses: the KV store stays in the server and is reached by `kv` calls, one per
 * operation. A hook version's code crosses once per process: the process keeps it until the
 * supervisor tells it to forget it (held-sources.ts).
 */
import type { EgressOptions } from './egress.js';
import type { IsolateSandboxOptions } from './isolate-sandbox.js';
import type { LogBudget, RunRequest, TextResult } from './types.js';

/** Egress settings that can cross to a process (injected functions cannot). */
export type ProcessEgressOptions = Omit<EgressOptions, 'lookup' | 'tlsConnect'>;

/** What a sandbox process is started with. */
export type ProcessOptions = Omit<IsolateSandboxOptions, 'egress' | 'onStuckIsolate'> & {
  readonly egress?: ProcessEgressOptions;
  /** The process asks to be retired once its resident memory passes this; none when null. */
  readonly maxRssBytes: number | null;
};

/**
 * A run as it crosses: the KV store is replaced by `kv` calls, the log budget by its numbers,
 * and the code is left out when the process already holds it for the run's `hookKey`.
 */
export type ProcessRunRequest = Omit<RunRequest, 'kv' | 'logBudget' | 'code' | 'onBusy'> & { readonly logBudget: LogBudget; readonly code?: string };

/** The operations of a `KvStore`. */
export type KvOp = 'get' | 'set' | 'delete' | 'list' | 'usage';

/** Supervisor → process. */
export type ToProcess =
  | { readonly t: 'init'; readonly options: ProcessOptions }
  | { readonly t: 'run'; readonly id: number; readonly request: ProcessRunRequest }
  /** Drop the code held for this `hookKey`: the next run of it carries its code. */
  | { readonly t: 'forget'; readonly key: string }
  | { readonly t: 'kv'; readonly call: number; readonly ok: true; readonly value: unknown }
  | { readonly t: 'kv'; readonly call: number; readonly ok: false; readonly message: string };

/** Process → supervisor. */
export type FromProcess =
  /** Started: the runs' clocks start now, not while the process was still loading. */
  | { readonly t: 'ready' }
  | { readonly t: 'kv'; readonly id: number; readonly call: number; readonly op: KvOp; readonly args: readonly unknown[] }
  | { readonly t: 'done'; readonly id: number; readonly result: TextResult; readonly logBudget: LogBudget }
  /** Take no more runs here, and end the process once its runs are done. */
  | { readonly t: 'retire'; readonly reason: string };

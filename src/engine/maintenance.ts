/**
 * Periodic clean-up: executions past their retention (30 days by default), expired KV
 * entries, finished jobs, and outbox events that every consumer has had (90 days by
 * default: they also tell an entity's history), and the message ids of inbound calls past
 * their replay window. Any number of nodes may run it: every
 * statement is an idempotent delete by time.
 *
 * Deletes go in bounded batches with a pause between them, so pruning a year of rows
 * never holds the embedded database's one writer for long: other writes get in between
 * batches (bench/retention.bench.js measures the longest stall).
 */
import { coerceError } from '../domain/errors.js';
import { deleteDispatchedEventsBefore } from '../store/events.js';
import { deleteExecutionsBefore } from '../store/executions.js';
import { deleteFinishedJobsBefore } from '../store/job-retention.js';
import { forgetInboundMessages } from '../store/inbound-messages.js';
import { deleteExpiredKv } from '../store/kv.js';
import { REPLAY_WINDOW_MS } from '../domain/webhook-verification.js';
import type { BackgroundService, EngineDeps } from './deps.js';
import type { PrunedKind } from './run-metrics.js';

const DAY = 24 * 3600_000;
/** Finished jobs are never pruned younger than this: schedule slots are deduplicated by their unique keys. */
const MIN_JOB_DAYS = 26 / 24;

/** How long each kind of history is kept, in days; every field has a default. */
export interface RetentionPolicy {
  /** Default 30. */
  readonly executionDays?: number;
  /** Default 3; never less than a day and two hours (see {@link MIN_JOB_DAYS}). */
  readonly jobDays?: number;
  /** Dispatched outbox events; default 90. */
  readonly eventDays?: number;
}

/** Settings of {@link maintenance}; every field has a default. */
export interface MaintenanceOptions {
  /** Rows per delete; default 2000. */
  readonly batchSize?: number;
  /** Time between clean-ups; default an hour. The first runs at start. */
  readonly intervalMs?: number;
  /** The clock; default `Date.now`. */
  readonly now?: () => number;
  readonly onError?: (error: Error) => void;
}

/** What one clean-up removed. */
export type CleanUp = Readonly<Record<PrunedKind, number>>;

/** Lets other work in between batches: on SQLite the waiting writes, on PostgreSQL other queries of the pool. */
const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

async function inBatches(prune: (limit: number) => Promise<number>, batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    const removed = await prune(batchSize);
    total += removed;
    if (removed < batchSize) return total;
    await pause();
  }
}

/**
 * Runs one clean-up at `now` under `deps.retention`, reporting what it pruned to
 * `deps.metrics`; nothing younger than its age is touched.
 *
 * @example const removed = await cleanUp(deps, {}, Date.now());
 */
export async function cleanUp(deps: Pick<EngineDeps, 'store' | 'retention' | 'metrics'>, options: Pick<MaintenanceOptions, 'batchSize'> = {}, now = Date.now()): Promise<CleanUp> {
  const { db } = deps.store;
  const policy = deps.retention ?? {};
  const batchSize = options.batchSize ?? 2000;
  const prune = async (kind: PrunedKind, step: (limit: number) => Promise<number>): Promise<number> => {
    const removed = await inBatches(step, batchSize);
    deps.metrics?.pruned(kind, removed);
    return removed;
  };
  const jobDays = Math.max(policy.jobDays ?? 3, MIN_JOB_DAYS);
  return {
    executions: await prune('executions', (limit) => deleteExecutionsBefore(db, now - (policy.executionDays ?? 30) * DAY, limit)),
    kv: await prune('kv', (limit) => deleteExpiredKv(db, now, limit)),
    jobs: await prune('jobs', (limit) => deleteFinishedJobsBefore(db, now - jobDays * DAY, limit)),
    events: await prune('events', (limit) => deleteDispatchedEventsBefore(db, now - (policy.eventDays ?? 90) * DAY, limit)),
    inboundMessages: await prune('inboundMessages', (limit) => forgetInboundMessages(db, now - REPLAY_WINDOW_MS, limit)),
  };
}

/** The clean-up as a background service. */
export function maintenance(options: MaintenanceOptions = {}): BackgroundService {
  return (deps) => {
    const onError = options.onError ?? ((error: Error) => console.error(`[hookyard maintenance] ${error.message}`));
    const now = options.now ?? Date.now;
    let current: Promise<unknown> = Promise.resolve();
    const tick = () => {
      current = current.then(() => cleanUp(deps, options, now()).catch((thrown: unknown) => onError(coerceError(thrown))));
    };
    const timer = setInterval(tick, options.intervalMs ?? 3600_000);
    tick();
    return async () => {
      clearInterval(timer);
      await current;
    };
  };
}

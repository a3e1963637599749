/**
 * Periodic clean-up: executions past their retention (30 days by default), expired KV
 * entries, finished jobs and the message ids of inbound calls past their replay window. Any number of nodes may run it: every
 * statement is an idempotent delete by time.
 */
import { coerceError } from '../domain/errors.js';
import { deleteExecutionsBefore } from '../store/executions.js';
import { deleteFinishedJobsBefore } from '../store/job-retention.js';
import { forgetInboundMessages } from '../store/inbound-messages.js';
import { deleteExpiredKv } from '../store/kv.js';
import { REPLAY_WINDOW_MS } from './inbound/inbound-call.js';
import type { BackgroundService, EngineDeps } from './deps.js';

const DAY = 24 * 3600_000;

/** Settings of {@link maintenance}; every field has a default. */
export interface MaintenanceOptions {
  /** Days executions are kept; default 30. */
  readonly executionRetentionDays?: number;
  /**
   * Days finished jobs are kept; default 3. Must stay over a day and an hour: schedule
   * slots are deduplicated by the unique keys of these rows.
   */
  readonly jobRetentionDays?: number;
  /** Time between clean-ups; default an hour. The first runs at start. */
  readonly intervalMs?: number;
  readonly onError?: (error: Error) => void;
}

/** What one clean-up removed. */
export interface CleanUp {
  readonly executions: number;
  readonly kv: number;
  readonly jobs: number;
  readonly inboundMessages: number;
}

/** Runs one clean-up now. */
export async function cleanUp(deps: Pick<EngineDeps, 'store'>, options: MaintenanceOptions = {}, now = Date.now()): Promise<CleanUp> {
  const { db } = deps.store;
  const jobDays = Math.max(options.jobRetentionDays ?? 3, 26 / 24);
  return {
    executions: await deleteExecutionsBefore(db, now - (options.executionRetentionDays ?? 30) * DAY),
    kv: await deleteExpiredKv(db, now),
    jobs: await deleteFinishedJobsBefore(db, now - jobDays * DAY),
    inboundMessages: await forgetInboundMessages(db, now - REPLAY_WINDOW_MS),
  };
}

/** The clean-up as a background service. */
export function maintenance(options: MaintenanceOptions = {}): BackgroundService {
  return (deps) => {
    const onError = options.onError ?? ((error: Error) => console.error(`[hookyard maintenance] ${error.message}`));
    let current: Promise<unknown> = Promise.resolve();
    const tick = () => {
      current = current.then(() => cleanUp(deps, options).catch((thrown: unknown) => onError(coerceError(thrown))));
    };
    const timer = setInterval(tick, options.intervalMs ?? 3600_000);
    tick();
    return async () => {
      clearInterval(timer);
      await current;
    };
  };
}

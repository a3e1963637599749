/**
 * PUSH delivery (SPEC §4): the `push.deliver` job runs one hook with one `ctx.event`.
 *
 * Executions: one per attempt. Attempt n of a delivery job records an execution with
 * `trigger: 'event'` and `attempt: n`, whose id is derived from the job id and n, so a
 * recovery can find the execution of the attempt that was interrupted and close it as
 * `failed: interrupted`. A hook's list of executions then reads like what happened:
 * "attempt 1 failed, attempt 2 failed, attempt 3 completed", each with its own logs,
 * HTTP log and error. A manual retry (`POST /v1/executions/{id}/retry`) is one more
 * run of the same event with `trigger: 'retry'`, queued at once so the caller gets its id.
 *
 * A run that fails or times out throws, so the job layer retries it with exponential
 * backoff until the hook's `retry.attempts`, then marks the job failed.
 */
import { createHash } from 'node:crypto';
import type { EntityEvent } from '../domain/entity-events.js';
import { HookyardError } from '../domain/errors.js';
import type { ClaimedJob, NewJob } from '../jobs/index.js';
import type { JsonValue } from '../sandbox/index.js';
import { findExecution, finishExecution, insertExecution, startExecution } from '../store/executions.js';
import { findHook } from '../store/hooks.js';
import type { EngineDeps, JobRegistration } from './deps.js';
import { outcomeOf, runHook } from './hook-runner.js';
import { signalDeliveryDone } from './push-backpressure.js';

/** The job kind of one delivery of one event to one PUSH hook. */
export const PUSH_DELIVER = 'push.deliver';

/** What a delivery job carries: the event itself, so a delivery needs no outbox read. */
export interface PushDelivery {
  readonly hookId: string;
  readonly event: EntityEvent;
  /** A manual retry: the execution queued for it, which the run starts. */
  readonly executionId?: string;
}

/** What a PUSH execution stores to be re-run by hand. */
export interface PushInput {
  readonly event: EntityEvent;
}

/** The job that delivers `event` to a PUSH hook, with its attempts, unique and ordering keys. */
export function pushJob(orgId: string, hook: { readonly id: string; readonly attempts: number }, event: EntityEvent): NewJob {
  return {
    kind: PUSH_DELIVER,
    orgId,
    payload: { hookId: hook.id, event } satisfies PushDelivery,
    maxAttempts: hook.attempts,
    uniqueKey: `push:${hook.id}:${event.id}`,
    orderingKey: `push:${hook.id}:${event.entityId}`,
  };
}

/** The job of a manual retry: one attempt, behind the entity's pending deliveries to that hook. */
export function pushRetryJob(orgId: string, hookId: string, event: EntityEvent, executionId: string): NewJob {
  return {
    kind: PUSH_DELIVER,
    orgId,
    payload: { hookId, event, executionId } satisfies PushDelivery,
    maxAttempts: 1,
    orderingKey: `push:${hookId}:${event.entityId}`,
  };
}

/** The execution id of attempt `attempt` of job `jobId`: a UUID-shaped hash, the same every time. */
export function attemptExecutionId(jobId: string, attempt: number): string {
  const hex = createHash('sha256').update(`${jobId}:${attempt}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

async function deliver(deps: EngineDeps, job: ClaimedJob<PushDelivery>): Promise<void> {
  const { db } = deps.store;
  const { hookId, event } = job.payload;
  const hook = await findHook(db, job.orgId, hookId);
  const retry = job.payload.executionId !== undefined;
  // A deleted hook has no one to deliver to, and no execution list to show it in.
  if (!hook) {
    if (retry) await finishExecution(db, job.payload.executionId!, { status: 'skipped', error: { message: 'the hook was deleted' } });
    return;
  }
  const executionId = job.payload.executionId ?? attemptExecutionId(job.id, job.attempt);
  if (retry) await startExecution(db, executionId);
  else {
    const input: PushInput = { event };
    await insertExecution(db, { id: executionId, orgId: job.orgId, hookId, trigger: 'event', attempt: job.attempt, status: 'running', input });
  }
  if (!hook.enabled) {
    await finishExecution(db, executionId, { status: 'skipped', error: { message: 'the hook was disabled before this event reached it' } });
    return;
  }
  const result = await runHook(
    { db, secretBox: deps.secretBox, sandbox: deps.sandbox },
    {
      orgId: job.orgId,
      hook,
      executionId,
      trigger: retry ? 'retry' : 'event',
      attempt: retry ? 1 : job.attempt,
      dryRun: false,
      ctx: { event: event as unknown as JsonValue },
    },
  );
  await finishExecution(db, executionId, outcomeOf(result));
  if (result.status !== 'completed') {
    const what = result.status === 'timed_out' ? 'timed out' : 'failed';
    throw new HookyardError('HY_BAD_GATEWAY', `push hook ${hookId} ${what} on attempt ${job.attempt} of ${job.maxAttempts}: ${result.error?.message ?? 'no message'}`);
  }
}

/** Closes the execution of an attempt whose worker died or hung. */
async function closeInterrupted(deps: EngineDeps, job: ClaimedJob<PushDelivery>): Promise<void> {
  // A recovery counts as a new attempt unless none is left (then the count is kept).
  const lost = job.exhausted ? job.attempt : job.attempt - 1;
  const id = job.payload.executionId ?? attemptExecutionId(job.id, lost);
  const execution = await findExecution(deps.store.db, job.orgId, id);
  if (execution?.status !== 'running') return;
  await finishExecution(deps.store.db, id, {
    status: 'failed',
    error: { message: 'interrupted: the process running this attempt stopped before it finished' },
  });
}

/** Registers `push.deliver`. */
export const registerPushJobs: JobRegistration = (handlers, deps) =>
  handlers.register<PushDelivery>(PUSH_DELIVER, {
    run: (job) => deliver(deps, job).finally(signalDeliveryDone),
    interrupted: (job) => closeInterrupted(deps, job),
  });

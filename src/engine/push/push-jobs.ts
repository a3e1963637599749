/**
 * PUSH delivery (docs/hooks.md, "PUSH hooks"): the `push.deliver` job runs one hook with one `ctx.event`.
 *
 * Executions: one per attempt. Attempt n of a delivery job records an execution with
 * `trigger: 'event'` and `attempt: n` when it ends, in one write that commits with the
 * job's outcome (so a running attempt is not listed yet). Its id is derived from the job
 * id and n, so a recovery can record the attempt that was interrupted, and left no record,
 * as `failed: interrupted`. A hook's list of executions then reads like what happened:
 * "attempt 1 failed, attempt 2 failed, attempt 3 completed", each with its own logs,
 * HTTP log and error. A manual retry (`POST /v1/executions/{id}/retry`) is one more
 * run of the same event with `trigger: 'retry'`, queued at once so the caller gets its id.
 *
 * A run that fails or times out throws, so the job layer retries it with exponential
 * backoff until the hook's `retry.attempts`, then marks the job failed.
 */
import type { EntityEvent } from '../../domain/entity-events.js';
import { HookyardError } from '../../domain/errors.js';
import type { ExecutionOutcome } from '../../domain/executions.js';
import type { ClaimedJob, JobContext, NewJob } from '../../jobs/index.js';
import type { JsonValue } from '../../sandbox/index.js';
import { finishedExecutionsInsert, findExecution, finishExecution, insertFinishedExecutions, startExecution, type FinishedExecution } from '../../store/executions.js';
import { findHook } from '../../store/hooks.js';
import type { EngineDeps, JobRegistration } from '../deps.js';
import { outcomeOf, runHook } from '../hook-runner.js';
import { INTERRUPTED, attemptExecutionId } from '../job-attempts.js';
import { signalDeliveryDone } from '../outbox/backpressure.js';
import { observeExecution } from '../run-metrics.js';

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

/** What one attempt's execution record says, besides its id and outcome. */
function attemptRecord(job: ClaimedJob<PushDelivery>, attempt: number, startedAt: number): Omit<FinishedExecution, 'id' | 'status'> {
  const input: PushInput = { event: job.payload.event };
  return { orgId: job.orgId, hookId: job.payload.hookId, trigger: 'event', attempt, startedAt, finishedAt: Date.now(), input };
}

async function deliver(deps: EngineDeps, job: ClaimedJob<PushDelivery>, ctx: JobContext): Promise<void> {
  const { db } = deps.store;
  const { hookId, event, executionId: queued } = job.payload;
  const hook = await findHook(db, job.orgId, hookId);
  // A deleted hook has no one to deliver to, and no execution list to show it in.
  if (!hook) {
    if (queued !== undefined) await finishExecution(db, queued, { status: 'skipped', error: { message: 'the hook was deleted' } });
    return;
  }
  const startedAt = Date.now();
  const trigger = queued !== undefined ? 'retry' : 'event';
  // The lag of the first try: later attempts wait out a backoff, which is not lag.
  if (queued === undefined && job.attempt === 1) deps.metrics?.deliveryStarted(job.orgId, startedAt - Date.parse(event.occurredAt));
  const executionId = queued ?? attemptExecutionId(job.id, job.attempt);
  if (queued !== undefined) await startExecution(db, queued);
  // An event attempt's execution is written once, when it ends, in the transaction that
  // records the job's outcome; until then it is not listed. A manual retry finishes the
  // record queued for it.
  const record = (outcome: ExecutionOutcome): void => {
    const run = { id: executionId, ...attemptRecord(job, job.attempt, startedAt), ...outcome };
    if (queued !== undefined) ctx.atOutcome((trx) => finishExecution(trx, queued, outcome));
    // The deliveries that end together insert their records in one statement.
    else ctx.atOutcomeBatch(finishedExecutionsInsert, run);
    observeExecution(deps.metrics, { orgId: job.orgId, hookType: 'push', trigger, durationMs: run.finishedAt - startedAt }, outcome);
  };
  if (!hook.enabled) {
    record({ status: 'skipped', pages: 0, error: { message: 'the hook was disabled before this event reached it' } });
    return;
  }
  const result = await runHook(
    { db, secretBox: deps.secretBox, sandbox: deps.sandbox },
    {
      orgId: job.orgId,
      hook,
      executionId,
      trigger,
      attempt: queued !== undefined ? 1 : job.attempt,
      dryRun: false,
      ctx: { event: event as unknown as JsonValue },
    },
  );
  record(outcomeOf(result));
  if (result.status !== 'completed') {
    const what = result.status === 'timed_out' ? 'timed out' : 'failed';
    throw new HookyardError('HY_BAD_GATEWAY', `push hook ${hookId} ${what} on attempt ${job.attempt} of ${job.maxAttempts}: ${result.error?.message ?? 'no message'}`);
  }
}

/**
 * Records the attempt whose worker died or hung as `failed: interrupted`, unless that
 * attempt recorded its own end (its id is derived, so this finds it).
 */
async function closeInterrupted(deps: EngineDeps, job: ClaimedJob<PushDelivery>): Promise<void> {
  const { db } = deps.store;
  const queued = job.payload.executionId;
  if (queued !== undefined) {
    const execution = await findExecution(db, job.orgId, queued);
    if (execution?.status === 'running') await finishExecution(db, queued, { status: 'failed', error: INTERRUPTED });
    return;
  }
  // A recovery counts as a new attempt unless none is left (then the count is kept).
  const lost = job.exhausted ? job.attempt : job.attempt - 1;
  const now = Date.now();
  await insertFinishedExecutions(db, [{ id: attemptExecutionId(job.id, lost), ...attemptRecord(job, lost, now), status: 'failed', pages: 0, error: INTERRUPTED }]);
  observeExecution(deps.metrics, { orgId: job.orgId, hookType: 'push', trigger: 'event' }, { status: 'failed', error: INTERRUPTED });
}

/** Registers `push.deliver`. */
export const registerPushJobs: JobRegistration = (handlers, deps) =>
  handlers.register<PushDelivery>(PUSH_DELIVER, {
    run: (job, ctx) => deliver(deps, job, ctx).finally(signalDeliveryDone),
    interrupted: (job) => closeInterrupted(deps, job),
  });

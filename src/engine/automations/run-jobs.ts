/**
 * The `automation.run` job: one run of one automation, whatever enqueued it (the outbox
 * fan-out for entity events, the schedule service for slots, `POST /v1/automations/{id}/run`).
 *
 * Executions: an entity or schedule run records its execution once, when it ends, in the
 * transaction of the job's outcome, with an id derived from the job and attempt (as PUSH
 * deliveries do, see push-jobs.ts); a manual run finishes the execution queued when it
 * was asked for, whose id the caller already has.
 *
 * Retries: actions are not idempotent (an email sent twice is two emails), so a run that
 * fails is recorded and not retried. Only an attempt that was interrupted (its process
 * died) runs again, up to {@link AUTOMATION_ATTEMPTS}: delivery is at least once.
 *
 * Loops: a run started by another automation's write runs at that write's depth + 1; a run
 * that would be deeper than {@link MAX_CHAIN_DEPTH} is recorded `skipped` with a warning.
 */
import type { ChangeSource } from '../../domain/entity-events.js';
import type { ExecutionOutcome, Trigger } from '../../domain/executions.js';
import type { ClaimedJob, JobContext, NewJob } from '../../jobs/index.js';
import { findAutomation } from '../../store/automations.js';
import { finishedExecutionsInsert, findExecution, finishExecution, insertExecution, insertFinishedExecutions, startExecution, type FinishedExecution } from '../../store/executions.js';
import { findOrganisation } from '../../store/organisations.js';
import type { EngineDeps, JobRegistration } from '../deps.js';
import { INTERRUPTED, attemptExecutionId } from '../job-attempts.js';
import { signalDeliveryDone } from '../outbox/backpressure.js';
import { runAutomation } from './run-automation.js';
import { AUTOMATION_ATTEMPTS, AUTOMATION_RUN, type AutomationRunPayload } from './run-job.js';
import { orgInfo } from '../../domain/organisations.js';

/** The deepest chain of automations triggering each other; a run past it is not started. */
export const MAX_CHAIN_DEPTH = 5;

/** The depth of a run started by a write from `source`: one more than the automation that wrote it, else 1. */
export function runDepth(source: ChangeSource | undefined): number {
  return source?.kind === 'automation' ? (source.depth ?? 1) + 1 : 1;
}

/** The execution trigger of each kind of automation run. */
const TRIGGER_OF: Readonly<Record<AutomationRunPayload['triggerType'], Trigger>> = { entity: 'event', schedule: 'schedule', manual: 'manual' };

/**
 * Queues a manual run with `payload` as `trigger.body`; resolves with the id of its
 * execution, queued in the same transaction as the job.
 */
export async function enqueueManualRun(deps: Pick<EngineDeps, 'store' | 'queue'>, orgId: string, automationId: string, payload: unknown): Promise<string> {
  return deps.store.db.transaction().execute(async (trx) => {
    const trigger = { body: payload };
    const executionId = await insertExecution(trx, { orgId, automationId, trigger: 'manual', input: { trigger } });
    const job: NewJob = {
      kind: AUTOMATION_RUN,
      orgId,
      payload: { automationId, triggerType: 'manual', trigger, executionId } satisfies AutomationRunPayload,
      maxAttempts: AUTOMATION_ATTEMPTS,
    };
    await deps.queue.enqueue(job, { db: trx });
    return executionId;
  });
}

/** What an attempt's record says besides its id and outcome. */
function attemptRecord(job: ClaimedJob<AutomationRunPayload>, attempt: number, startedAt: number): Omit<FinishedExecution, 'id' | 'status'> {
  const { automationId, triggerType, trigger, event } = job.payload;
  return {
    orgId: job.orgId,
    automationId,
    trigger: TRIGGER_OF[triggerType],
    attempt,
    pages: 0,
    startedAt,
    finishedAt: Date.now(),
    input: event ? { eventId: event.id } : { trigger },
  };
}

async function run(deps: EngineDeps, job: ClaimedJob<AutomationRunPayload>, ctx: JobContext): Promise<void> {
  const { db } = deps.store;
  const { automationId, triggerType, trigger, event, executionId: queued } = job.payload;
  const startedAt = Date.now();
  const executionId = queued ?? attemptExecutionId(job.id, job.attempt);
  const record = (outcome: ExecutionOutcome): void => {
    const finished = { id: executionId, ...attemptRecord(job, job.attempt, startedAt), ...outcome };
    if (queued !== undefined) ctx.atOutcome((trx) => finishExecution(trx, queued, outcome));
    // The runs that end together insert their records in one statement, as PUSH deliveries do.
    else ctx.atOutcomeBatch(finishedExecutionsInsert, finished);
  };
  const automation = await findAutomation(db, job.orgId, automationId);
  // A deleted automation has no execution list to show a run in, but a queued one is finished.
  if (!automation) {
    if (queued !== undefined) record({ status: 'skipped', error: { message: 'the automation was deleted' } });
    return;
  }
  if (!automation.enabled) {
    record({ status: 'skipped', error: { message: 'the automation was disabled before this run started' } });
    return;
  }
  const depth = runDepth(event?.source);
  if (depth > MAX_CHAIN_DEPTH) {
    const message = `not run: automations triggered each other ${depth - 1} times in a row (at most ${MAX_CHAIN_DEPTH}); the chain stops here`;
    const logs = [{ ts: new Date().toISOString(), level: 'warn' as const, message, data: { source: event?.source ?? null } }];
    record({ status: 'skipped', logs, error: { message } });
    return;
  }
  const org = await findOrganisation(db, job.orgId);
  if (!org) return;
  if (queued !== undefined) await startExecution(db, queued, job.attempt);
  const input = event ? { before: event.before, after: event.after, event } : { trigger };
  const { reply: _reply, ...outcome } = await runAutomation(deps, {
    automation,
    org: orgInfo(org),
    triggerType,
    input,
    executionId,
    depth,
    signal: ctx.signal,
  });
  record(outcome);
}

/** Records the attempt whose worker died as `failed: interrupted`; the job then runs again unless none is left. */
async function closeInterrupted(deps: EngineDeps, job: ClaimedJob<AutomationRunPayload>): Promise<void> {
  const { db } = deps.store;
  const queued = job.payload.executionId;
  if (queued !== undefined) {
    // The retry runs the same queued execution again; the last attempt closes it.
    const execution = await findExecution(db, job.orgId, queued);
    if (job.exhausted && (execution?.status === 'running' || execution?.status === 'queued')) await finishExecution(db, queued, { status: 'failed', error: INTERRUPTED });
    return;
  }
  const lost = job.exhausted ? job.attempt : job.attempt - 1;
  await insertFinishedExecutions(db, [{ id: attemptExecutionId(job.id, lost), ...attemptRecord(job, lost, Date.now()), status: 'failed', error: INTERRUPTED }]);
}

/** Registers `automation.run`. */
export const registerAutomationJobs: JobRegistration = (handlers, deps) =>
  handlers.register<AutomationRunPayload>(AUTOMATION_RUN, {
    run: (job, ctx) => run(deps, job, ctx).finally(signalDeliveryDone),
    interrupted: (job) => closeInterrupted(deps, job),
  });

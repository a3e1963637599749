/**
 * PULL runs as durable jobs (docs/hooks.md, "PULL hooks"): a run is an execution
 * record plus a `pull.run` job, committed together. The scheduler enqueues one
 * `pull.scheduled` job per slot (unique key), which turns into a run, or into a
 * `skipped` execution over the hourly limit.
 */
import type { Trigger } from '../../domain/executions.js';
import { startScheduler, utcOffsetMinutes, type ClaimedJob, type ScheduledRun } from '../../jobs/index.js';
import { countExecutionsSince, finishExecution, insertExecution, startExecution } from '../../store/executions.js';
import { findHook } from '../../store/hooks.js';
import { findOrganisation } from '../../store/organisations.js';
import { listScheduledHooks } from '../../store/scheduled-hooks.js';
import type { BackgroundService, EngineDeps, JobRegistration } from '../deps.js';
import { runPull } from './pull.js';
import { observeExecution } from '../run-metrics.js';

/** Runs one PULL execution. */
export const PULL_RUN = 'pull.run';
/** One schedule slot of one PULL hook. */
export const PULL_SCHEDULED = 'pull.scheduled';
/** An interrupted run is tried once more, as a new execution (syncs are idempotent). */
const PULL_ATTEMPTS = 2;

/** The payload of a `pull.run` job. */
export interface PullRunPayload {
  readonly executionId: string;
  readonly hookId: string;
}

/** The start of the clock hour that holds `now`, in the organisation's time zone (Asia/Kolkata's hours start at :30 UTC). */
export function clockHourStart(timeZone: string, now: number): number {
  const offset = utcOffsetMinutes(timeZone, new Date(now)) * 60_000;
  return Math.floor((now + offset) / 3_600_000) * 3_600_000 - offset;
}

class AlreadyEnqueued extends Error {}

/** What {@link enqueuePullRun} did. */
export interface EnqueuedRun {
  readonly executionId: string;
  /** The hour's limit was reached: the execution is recorded as `skipped` and will not run. */
  readonly skipped: boolean;
}

/**
 * Records a queued execution and enqueues its job in one transaction, or records a
 * `skipped` execution when the hook has had its executions of this hour (limit `executionsPerHour`).
 *
 * @returns undefined when `uniqueKey` was enqueued before (a slot already turned into a run).
 */
export async function enqueuePullRun(
  deps: EngineDeps,
  run: { readonly orgId: string; readonly hookId: string; readonly trigger: Trigger; readonly uniqueKey?: string },
): Promise<EnqueuedRun | undefined> {
  const { db } = deps.store;
  const org = await findOrganisation(db, run.orgId);
  const now = deps.queue.now();
  const since = clockHourStart(org?.timeZone ?? 'UTC', now);
  const perHour = deps.sandbox.limits('pull').executionsPerHour;
  if ((await countExecutionsSince(db, run.orgId, run.hookId, since)) >= perHour) {
    const executionId = await insertExecution(db, {
      orgId: run.orgId,
      hookId: run.hookId,
      trigger: run.trigger,
      status: 'skipped',
      error: { message: `rate limit: at most ${perHour} executions per hour; the next hour starts at ${new Date(since + 3_600_000).toISOString()}` },
    });
    observeExecution(deps.metrics, { orgId: run.orgId, hookType: 'pull', trigger: run.trigger }, { status: 'skipped' });
    return { executionId, skipped: true };
  }
  try {
    return await db.transaction().execute(async (trx) => {
      const executionId = await insertExecution(trx, { orgId: run.orgId, hookId: run.hookId, trigger: run.trigger });
      const payload: PullRunPayload = { executionId, hookId: run.hookId };
      const ids = await deps.queue.enqueue(
        { kind: PULL_RUN, orgId: run.orgId, payload, maxAttempts: PULL_ATTEMPTS, uniqueKey: run.uniqueKey, orderingKey: `pull:${run.hookId}` },
        { db: trx },
      );
      // Roll the execution back with the duplicate job.
      if (ids.length === 0) throw new AlreadyEnqueued();
      return { executionId, skipped: false };
    });
  } catch (thrown) {
    if (thrown instanceof AlreadyEnqueued) return undefined;
    throw thrown;
  }
}

/** Executions an attempt of this job may have left open. */
async function closeInterrupted(deps: EngineDeps, job: ClaimedJob<PullRunPayload>): Promise<void> {
  const { db } = deps.store;
  const open = await db
    .selectFrom('executions')
    .select(['id', 'trigger'])
    .where('org_id', '=', job.orgId)
    .where('status', 'in', ['queued', 'running'])
    .where((eb) => eb.or([eb('id', '=', job.payload.executionId), eb('input', '=', JSON.stringify({ jobId: job.id }))]))
    .execute();
  for (const { id, trigger } of open) {
    const outcome = { status: 'failed', error: { message: 'interrupted' } } as const;
    await finishExecution(db, id, outcome);
    observeExecution(deps.metrics, { orgId: job.orgId, hookType: 'pull', trigger: trigger as Trigger }, outcome);
  }
}

async function runJob(deps: EngineDeps, job: ClaimedJob<PullRunPayload>): Promise<void> {
  const { db } = deps.store;
  const first = await db
    .selectFrom('executions')
    .select(['status', 'trigger'])
    .where('org_id', '=', job.orgId)
    .where('id', '=', job.payload.executionId)
    .executeTakeFirst();
  // Deleted by retention while queued: nothing is left to run for.
  if (!first) return;
  let executionId = job.payload.executionId;
  if (first.status === 'queued') {
    await startExecution(db, executionId, job.attempt);
  } else {
    // A retry after an interrupted attempt: a new execution, findable by its job.
    executionId = await insertExecution(db, {
      orgId: job.orgId,
      hookId: job.payload.hookId,
      trigger: first.trigger as Trigger,
      attempt: job.attempt,
      status: 'running',
      input: { jobId: job.id },
    });
  }
  await runPull(deps, { orgId: job.orgId, hookId: job.payload.hookId, executionId, trigger: first.trigger as Trigger, dryRun: false, attempt: job.attempt });
}

/** Registers `pull.run` and `pull.scheduled`. */
export const registerPullJobs: JobRegistration = (handlers, deps) => {
  const offRun = handlers.register<PullRunPayload>(PULL_RUN, {
    run: (job) => runJob(deps, job),
    interrupted: (job) => closeInterrupted(deps, job),
  });
  const offScheduled = handlers.register<ScheduledRun>(PULL_SCHEDULED, {
    async run(job) {
      const hook = await findHook(deps.store.db, job.orgId, job.payload.id);
      if (!hook || !hook.enabled || hook.type !== 'pull' || !hook.schedule) return;
      await enqueuePullRun(deps, { orgId: job.orgId, hookId: hook.id, trigger: 'schedule', uniqueKey: `pull.run:${job.uniqueKey ?? job.id}` });
    },
  });
  return () => {
    offRun();
    offScheduled();
  };
};

/**
 * The scheduler of PULL hooks: every tick, the latest due slot of each enabled hook
 * with a schedule, in its organisation's time zone, never before the hook's last change.
 */
export function pullScheduler(options: { readonly intervalMs?: number } = {}): BackgroundService {
  return (deps) =>
    startScheduler({
      queue: deps.queue,
      kind: PULL_SCHEDULED,
      intervalMs: options.intervalMs,
      list: async () =>
        (await listScheduledHooks(deps.store.db, 'pull')).map((hook) => ({
          id: hook.hookId,
          orgId: hook.orgId,
          schedule: hook.schedule,
          timeZone: hook.timeZone,
          notBefore: hook.updatedAt,
        })),
      maxAttempts: 3,
    });
}


/**
 * What the schedule trigger reads: the enabled automations whose trigger is a schedule
 * card, and the runs of one of them that count towards its `maxRuns`.
 */
import type { Kysely } from 'kysely';
import type { ScheduleTrigger } from '../domain/automations.js';
import type { Database } from './schema.js';

/** An enabled automation with a schedule trigger, and what its slots are computed from. */
export interface ScheduledAutomation {
  readonly automationId: string;
  readonly orgId: string;
  readonly trigger: ScheduleTrigger;
  /** The organisation's IANA time zone: the card's unless it names its own. */
  readonly orgTimeZone: string;
  /** Milliseconds since the epoch: slots before the last change never run. */
  readonly updatedAt: number;
}

/** Every enabled automation whose trigger is `schedule`, across organisations (each row keeps its own). */
export async function listScheduledAutomations(db: Kysely<Database>): Promise<ScheduledAutomation[]> {
  const rows = await db
    .selectFrom('automations')
    .innerJoin('organisations', 'organisations.id', 'automations.org_id')
    .select(['automations.id', 'automations.org_id', 'automations.definition', 'automations.updated_at', 'organisations.time_zone'])
    .where('automations.enabled', '=', 1)
    .execute();
  return rows.flatMap((row) => {
    const { trigger } = JSON.parse(row.definition) as { trigger?: { type?: unknown } };
    if (trigger?.type !== 'schedule') return [];
    return [{ automationId: row.id, orgId: row.org_id, trigger: trigger as ScheduleTrigger, orgTimeZone: row.time_zone, updatedAt: Number(row.updated_at) }];
  });
}

/** Executions are recorded when a run ends, so one may be dated a little before one already tallied. */
const TALLY_OVERLAP_MS = 24 * 3_600_000;

/**
 * The automation's schedule runs that ran to an end (completed, failed or timed out;
 * queued, running and skipped ones do not count, nor dry runs; a slot counts once
 * however many attempts it took), tallied in `automation_schedule_runs` first so that
 * they still count once retention has pruned their executions. Idempotent: any number
 * of nodes may tally at once.
 */
export async function countFinishedScheduleRuns(db: Kysely<Database>, orgId: string, automationId: string): Promise<number> {
  const latest = await db
    .selectFrom('automation_schedule_runs')
    .select((eb) => eb.fn.max('created_at').as('at'))
    .where('automation_id', '=', automationId)
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  const since = latest?.at === null || latest?.at === undefined ? 0 : Number(latest.at) - TALLY_OVERLAP_MS;
  await db
    .insertInto('automation_schedule_runs')
    .columns(['automation_id', 'run_key', 'org_id', 'execution_id', 'created_at'])
    .expression(
      db
        .selectFrom('executions')
        // The attempts of one slot share their input (the slot); an execution without one is its own run.
        .select((eb) => ['automation_id', eb.fn.coalesce('input', 'id').as('run_key'), 'org_id', 'id', 'created_at'])
        .where('org_id', '=', orgId)
        .where('automation_id', '=', automationId)
        .where('created_at', '>=', since)
        .where('trigger', '=', 'schedule')
        .where('dry_run', '=', 0)
        .where('status', 'in', ['completed', 'failed', 'timed_out']),
    )
    .onConflict((oc) => oc.columns(['automation_id', 'run_key']).doNothing())
    .execute();
  const row = await db
    .selectFrom('automation_schedule_runs')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('automation_id', '=', automationId)
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Jobs of `kind` under `orderingKey` not yet finished (pending or running): the slots enqueued and still to run. */
export async function countUnfinishedJobs(db: Kysely<Database>, orgId: string, kind: string, orderingKey: string): Promise<number> {
  const row = await db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('ordering_key', '=', orderingKey)
    .where('status', 'in', ['pending', 'running'])
    .where('kind', '=', kind)
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

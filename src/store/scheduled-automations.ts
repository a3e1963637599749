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

/**
 * Executions of the automation triggered by its schedule that ran to an end (completed,
 * failed or timed out); queued, running and skipped ones do not count, nor dry runs.
 */
export async function countFinishedScheduleRuns(db: Kysely<Database>, orgId: string, automationId: string): Promise<number> {
  const row = await db
    .selectFrom('executions')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('org_id', '=', orgId)
    .where('automation_id', '=', automationId)
    .where('trigger', '=', 'schedule')
    .where('dry_run', '=', 0)
    .where('status', 'in', ['completed', 'failed', 'timed_out'])
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

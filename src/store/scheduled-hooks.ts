/** The PULL hooks the scheduler ticks over: enabled, with a schedule, in every organisation. */
import type { Kysely } from 'kysely';
import type { HookSettings, Schedule } from '../domain/hooks.js';
import type { Database } from './schema.js';

/** A scheduled hook with what its slots are computed from. */
export interface ScheduledHook {
  readonly hookId: string;
  readonly orgId: string;
  readonly schedule: Schedule;
  /** The organisation's IANA time zone. */
  readonly timeZone: string;
  /** Milliseconds since the epoch: slots before the last change never run. */
  readonly updatedAt: number;
}

/** Every enabled hook of `type` that has a schedule, across organisations. */
export async function listScheduledHooks(db: Kysely<Database>, type = 'pull'): Promise<ScheduledHook[]> {
  const rows = await db
    .selectFrom('hooks')
    .innerJoin('organisations', 'organisations.id', 'hooks.org_id')
    .select(['hooks.id', 'hooks.org_id', 'hooks.settings', 'hooks.updated_at', 'organisations.time_zone'])
    .where('hooks.type', '=', type)
    .where('hooks.enabled', '=', 1)
    .execute();
  return rows.flatMap((row) => {
    const { schedule } = JSON.parse(row.settings) as HookSettings;
    if (!schedule) return [];
    return [{ hookId: row.id, orgId: row.org_id, schedule, timeZone: row.time_zone, updatedAt: Number(row.updated_at) }];
  });
}

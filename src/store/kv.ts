/**
 * The KV table behind `ctx.kv` (docs/hooks.md): one namespace per integration. Expired keys
 * are invisible to every read and removed by the periodic clean-up.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** One integration's namespace. */
export interface KvScope {
  readonly orgId: string;
  readonly integrationId: string;
}

/** The JSON text stored under `key`, unless missing or expired. */
export async function kvGet(db: Kysely<Database>, scope: KvScope, key: string, now: number): Promise<string | undefined> {
  const row = await db
    .selectFrom('kv')
    .select('value')
    .where('integration_id', '=', scope.integrationId)
    .where('org_id', '=', scope.orgId)
    .where('key', '=', key)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row?.value;
}

/** Stores JSON text under `key` until `expiresAt`, replacing (and renewing) what was there. */
export async function kvSet(db: Kysely<Database>, scope: KvScope, key: string, json: string, expiresAt: number, now: number): Promise<void> {
  await db
    .insertInto('kv')
    .values({ org_id: scope.orgId, integration_id: scope.integrationId, key, value: json, expires_at: expiresAt, updated_at: now })
    .onConflict((oc) => oc.columns(['integration_id', 'key']).doUpdateSet({ value: json, expires_at: expiresAt, updated_at: now }))
    .execute();
}

export async function kvDelete(db: Kysely<Database>, scope: KvScope, key: string): Promise<void> {
  await db.deleteFrom('kv').where('integration_id', '=', scope.integrationId).where('org_id', '=', scope.orgId).where('key', '=', key).execute();
}

/** Live keys starting with `prefix`, sorted. */
export async function kvList(db: Kysely<Database>, scope: KvScope, prefix: string, now: number): Promise<string[]> {
  let query = db
    .selectFrom('kv')
    .select('key')
    .where('integration_id', '=', scope.integrationId)
    .where('org_id', '=', scope.orgId)
    .where('expires_at', '>', now);
  // substr, not LIKE: a prefix may hold % and _.
  if (prefix !== '') query = query.where(sql`substr(key, 1, ${prefix.length})`, '=', prefix);
  const rows = await query.execute();
  return rows.map((r) => r.key).sort();
}

/** Live entries of the namespace other than `exceptKey`, and the characters of their values. */
export async function kvUsage(db: Kysely<Database>, scope: KvScope, exceptKey: string, now: number): Promise<{ entries: number; chars: number }> {
  const row = await db
    .selectFrom('kv')
    .select((eb) => [eb.fn.countAll<number | string>().as('entries'), eb.fn.coalesce(eb.fn.sum<number | string>(sql`length(value)`), sql<number>`0`).as('chars')])
    .where('integration_id', '=', scope.integrationId)
    .where('org_id', '=', scope.orgId)
    .where('expires_at', '>', now)
    .where('key', '<>', exceptKey)
    .executeTakeFirstOrThrow();
  return { entries: Number(row.entries), chars: Number(row.chars) };
}

/** Clean-up: removes up to `limit` entries that expired by `now`; returns how many. */
export async function deleteExpiredKv(db: Kysely<Database>, now: number, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('kv')
    .where(({ eb, refTuple, selectFrom }) =>
      eb(refTuple('integration_id', 'key'), 'in', selectFrom('kv').select(['integration_id', 'key']).where('expires_at', '<=', now).limit(limit).$asTuple('integration_id', 'key')),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

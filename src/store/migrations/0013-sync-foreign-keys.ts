/**
 * PostgreSQL: the tables a sync writes per record (entities, events, external_links) drop
 * their foreign keys. PostgreSQL checks a foreign key with a trigger per row that runs a
 * query on the parent (`select … for key share`); for a first sync's three rows a record
 * those four checks were about 40 % of PostgreSQL's CPU (8.0 s → 5.0 s for 100,000
 * records, measured with the keys dropped one by one).
 *
 * Nothing relied on them beyond the checks themselves: an organisation id always comes
 * from an authenticated key or the job that carries it, organisations are never deleted,
 * and an entity's links are deleted with it by `deleteEntity` (store/entities.ts), the one
 * place that deletes entities. SQLite keeps its keys: there a check is one index probe,
 * and dropping one means rebuilding the table.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

const DROPPED: readonly [table: string, constraint: string][] = [
  ['entities', 'entities_org_id_fkey'],
  ['events', 'events_org_id_fkey'],
  ['external_links', 'external_links_org_id_fkey'],
  ['external_links', 'external_links_entity_id_fkey'],
];

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  for (const [table, constraint] of DROPPED) await sql.raw(`alter table ${table} drop constraint if exists ${constraint}`).execute(db);
}

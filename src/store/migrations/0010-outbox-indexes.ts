/**
 * The outbox's indexes, trimmed to what the platform reads (every event of a sync pays
 * for each of them):
 * - `events_pending` holds the undispatched events only (a partial index on `seq`), so
 *   the dispatcher's mark removes an entry instead of moving it, and the index stays as
 *   small as the backlog instead of growing with the table.
 * - `events_entity` goes: no query reads one entity's events by index (there is no
 *   organisation delete for its `org_id` prefix to serve either).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('events_entity').execute();
  await db.schema.dropIndex('events_pending').execute();
  await db.schema.createIndex('events_pending').on('events').column('seq').where(sql.ref('dispatched_at'), 'is', null).execute();
}

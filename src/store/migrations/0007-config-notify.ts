/**
 * PostgreSQL: every statement that writes one of the tables the read cache keeps
 * (store/read-cache.ts) sends one `hookyard_config` notification on commit, so every
 * process sharing the database empties its cache, whoever made the write (another node,
 * `hookyard keys create`, psql). Notifications of one transaction are folded into one.
 * SQLite has one process, whose cache sees every write itself.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

/** The tables of read-cache.ts `CACHED_TABLES`, frozen here as this migration made them. */
const TABLES = ['api_keys', 'custom_attributes', 'hooks', 'integrations', 'organisations', 'secrets'];

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  // The channel name is frozen here: store/read-cache.ts names the same one.
  await sql
    .raw(
      `create or replace function hookyard_config_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('hookyard_config', '');
  return null;
end $$`,
    )
    .execute(db);
  for (const table of TABLES) {
    await sql
      .raw(`create trigger ${table}_config_notify after insert or update or delete or truncate on ${table} for each statement execute function hookyard_config_notify()`)
      .execute(db);
  }
}

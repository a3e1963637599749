/**
 * (Dropped by migration 0012: the notification serialised every write's commit.)
 *
 * PostgreSQL: every transaction that writes outbox events sends one `hookyard_events`
 * notification on commit, so the PUSH dispatcher of every node wakes at once, whoever
 * wrote the change (API, PULL, inbound) and on whichever node. NOTIFY inside a
 * transaction is delivered on commit and folded into one per transaction, so a PULL
 * page of a thousand records costs one notification. SQLite has one process: the
 * store wakes its dispatcher in-process (store/outbox-signal.ts).
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  // The channel name is frozen here: store/outbox-signal.ts names the same one.
  await sql
    .raw(
      `create or replace function hookyard_events_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('hookyard_events', '');
  return null;
end $$`,
    )
    .execute(db);
  await sql.raw('create trigger events_notify after insert on events for each statement execute function hookyard_events_notify()').execute(db);
}

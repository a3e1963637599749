/**
 * PostgreSQL: outbox writes no longer notify (migration 0003's trigger is dropped). A
 * transaction that notifies takes a database-wide lock held through its commit, so with a
 * notification from every API write, every write's commit (its WAL flush included) waited
 * for the one before. The process that commits events now wakes its own dispatcher
 * (store/outbox-signal.ts); every `serve` and `worker` process runs one.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  await sql.raw('drop trigger if exists events_notify on events').execute(db);
  await sql.raw('drop function if exists hookyard_events_notify()').execute(db);
}

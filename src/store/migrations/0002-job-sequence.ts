/**
 * Gives every job a sequence number in insertion order. Jobs that share an ordering key
 * run oldest first, and `created_at` (an application clock, in milliseconds) cannot
 * order two jobs enqueued in the same millisecond.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  if (dialect === 'postgres') {
    await db.schema.alterTable('jobs').addColumn('seq', 'bigserial').execute();
  } else {
    // SQLite cannot add an autoincrement column; the rowid grows with each insert, so a
    // trigger copies it. Existing rows are numbered the same way.
    await db.schema.alterTable('jobs').addColumn('seq', 'integer').execute();
    await sql`update jobs set seq = rowid`.execute(db);
    await sql`create trigger jobs_seq after insert on jobs begin update jobs set seq = new.rowid where rowid = new.rowid; end`.execute(db);
  }
  await db.schema.dropIndex('jobs_ordering').execute();
  await db.schema.createIndex('jobs_ordering').on('jobs').columns(['ordering_key', 'seq']).execute();
}

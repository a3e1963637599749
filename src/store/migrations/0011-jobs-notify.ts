/**
 * PostgreSQL: every statement that inserts jobs sends one `hookyard_jobs` notification on
 * commit, so the workers of every node wake for them (as migration 0003 did for the
 * outbox, until 0012). The enqueue used to send it itself, a round trip of its own inside the caller's
 * transaction: one of the ten of each outbox dispatch batch. An insert whose jobs all
 * existed already (their unique keys taken) sends none. SQLite has one process: the queue
 * wakes its workers in-process (jobs/job-queue.ts).
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect.js';

export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  // The channel name is frozen here: jobs/job-queue.ts names the same one.
  await sql
    .raw(
      `create or replace function hookyard_jobs_notify() returns trigger language plpgsql as $$
begin
  if exists (select 1 from inserted) then
    perform pg_notify('hookyard_jobs', '');
  end if;
  return null;
end $$`,
    )
    .execute(db);
  await sql.raw('create trigger jobs_notify after insert on jobs referencing new table as inserted for each statement execute function hookyard_jobs_notify()').execute(db);
}

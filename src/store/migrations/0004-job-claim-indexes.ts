/**
 * Indexes that let a claim read only the jobs it takes (jobs/queue.ts `claimJobs`):
 * - `jobs_ready` gains `seq`, so due jobs are read in claim order (`run_at`, `seq`) and
 *   the read stops at the claim's limit, instead of sorting every due job;
 * - `jobs_ordering` gains `status`, so "does an older job of this ordering key wait or
 *   run?" looks at pending and running jobs only, not at a busy entity's whole history.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('jobs_ready').execute();
  await db.schema.createIndex('jobs_ready').on('jobs').columns(['status', 'run_at', 'seq']).execute();
  await db.schema.dropIndex('jobs_ordering').execute();
  await db.schema.createIndex('jobs_ordering').on('jobs').columns(['ordering_key', 'status', 'seq']).execute();
}

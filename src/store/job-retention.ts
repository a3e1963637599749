/** Retention of finished jobs. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Deletes `completed` and `failed` jobs last changed before `cutoff`; returns how many.
 * Keep them longer than a day and an hour: schedule slots are deduplicated by the
 * unique keys of these rows.
 */
export async function deleteFinishedJobsBefore(db: Kysely<Database>, cutoff: number): Promise<number> {
  const result = await db.deleteFrom('jobs').where('status', 'in', ['completed', 'failed']).where('updated_at', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}

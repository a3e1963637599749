/** Retention of finished jobs. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Deletes up to `limit` `completed` and `failed` jobs last changed before `cutoff`;
 * returns how many. Keep them longer than a day and an hour: schedule slots are
 * deduplicated by the unique keys of these rows.
 */
export async function deleteFinishedJobsBefore(db: Kysely<Database>, cutoff: number, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('jobs')
    .where('id', 'in', (eb) =>
      eb.selectFrom('jobs').select('id').where('status', 'in', ['completed', 'failed']).where('updated_at', '<', cutoff).limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

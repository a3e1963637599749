import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/** The due work of one job kind. */
export interface KindDepth {
  readonly kind: string;
  /** Pending jobs whose run time has come. */
  readonly due: number;
  /** The run time of the oldest of them (ms since the epoch). */
  readonly oldestRunAt: number;
}

/**
 * Due pending jobs per kind, with the oldest run time of each: what tells whether the
 * workers keep up. Walks the `jobs_ready` index over the due rows only; jobs waiting out
 * a retry backoff or a future slot are not due.
 */
export async function queueDepth(db: Kysely<Database>, now: number): Promise<KindDepth[]> {
  const rows = await db
    .selectFrom('jobs')
    .select((eb) => ['kind', eb.fn.countAll<number | string>().as('due'), eb.fn.min<number>('run_at').as('oldest')])
    .where('status', '=', 'pending')
    .where('run_at', '<=', now)
    .groupBy('kind')
    .execute();
  return rows.map((row) => ({ kind: row.kind, due: Number(row.due), oldestRunAt: Number(row.oldest) }));
}

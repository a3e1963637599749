/**
 * Retention of the outbox (engine/maintenance.ts): events are pruned by age once
 * dispatched, a batch at a time. `events_occurred` lets each batch find its oldest rows
 * without walking the younger ones, which would make the last batch read the whole table.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('events_occurred').on('events').columns(['occurred_at']).execute();
}

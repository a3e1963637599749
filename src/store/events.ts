/** The outbox of entity change events (docs/hooks.md, "PUSH hooks"). Nothing here opens a transaction: callers write events in theirs. */
import type { Kysely } from 'kysely';
import type { ChangeSource, ChangeType, EntityEvent } from '../domain/entity-events.js';
import type { EntityType } from '../domain/entity-types.js';
import { newId } from '../domain/ids.js';
import { insertRows } from './insert-rows.js';
import type { Database, EventsTable } from './schema.js';

/** What a change produces: its event without the id and time, added when it is written. */
export type EntityChange = Omit<EntityEvent, 'id' | 'occurredAt'> & { readonly orgId: string };

const json = (value: unknown) => (value === null ? null : JSON.stringify(value));
const parse = (text: string | null) => (text === null ? null : (JSON.parse(text) as Record<string, unknown>));

/** A stored event row as `ctx.event` shows it. */
export function toEvent(row: Omit<EventsTable, 'seq'>): EntityEvent {
  return {
    id: row.id,
    entityType: row.entity_type as EntityType,
    entityId: row.entity_id,
    changeType: row.change_type as ChangeType,
    before: parse(row.before),
    after: parse(row.after),
    source: JSON.parse(row.source) as ChangeSource,
    occurredAt: new Date(row.occurred_at).toISOString(),
  };
}

/** The row of a change's event, with a new id and the time now. */
export function eventRow(change: EntityChange): Omit<EventsTable, 'seq'> {
  return {
    id: newId(),
    org_id: change.orgId,
    entity_type: change.entityType,
    entity_id: change.entityId,
    change_type: change.changeType,
    before: json(change.before),
    after: json(change.after),
    source: JSON.stringify(change.source),
    occurred_at: Date.now(),
    dispatched_at: null,
  };
}

/** Writes the event of a change; call it with the transaction that made the change. */
export async function appendEvent(db: Kysely<Database>, change: EntityChange): Promise<void> {
  // Every API write makes one: its statement is built once (insert-rows.ts).
  await insertRows(db, 'events', [eventRow(change)]);
}

/**
 * Retention: deletes up to `limit` events that occurred before `cutoff` and that the
 * outbox dispatcher has fanned out (`dispatched_at` set; each delivery job carries its
 * event, so nothing reads them after that); returns how many.
 */
export async function deleteDispatchedEventsBefore(db: Kysely<Database>, cutoff: number, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('events')
    .where('seq', 'in', (eb) =>
      eb.selectFrom('events').select('seq').where('occurred_at', '<', cutoff).where('dispatched_at', 'is not', null).limit(limit),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The events of one entity, oldest first. */
export async function listEntityEvents(db: Kysely<Database>, orgId: string, entityId: string): Promise<EntityEvent[]> {
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('entity_id', '=', entityId)
    .orderBy('seq')
    .execute();
  return rows.map(toEvent);
}

/**
 * Many creates at once, for syncs: the same rows and `create` events as
 * {@link createEntity}, written with multi-row statements in the caller's transaction.
 * Only for entity types without references (assignments go one by one, because their
 * links are checked against the database).
 */
import type { Kysely } from 'kysely';
import { entityType, type EntityData } from '../domain/entity-types.js';
import { HookyardError, validationError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { entityJson, normalised, type EntityWrite } from './entities.js';
import { insertRows } from './insert-rows.js';
import { jsonColumn } from './json-column.js';
import type { Database, EntitiesTable, EventsTable } from './schema.js';

/**
 * Creates one entity (version 1) and its `create` event per item of validated data,
 * in order, and answers their ids (a sync needs no more of them). Must run inside a
 * transaction: the entities and their events commit together.
 * With `dispatched`, the events are written as dispatched already: the caller found that
 * no consumer of the outbox wants them.
 */
export async function createEntities(trx: Kysely<Database>, input: EntityWrite, items: readonly EntityData[], { dispatched = false } = {}): Promise<string[]> {
  if (!trx.isTransaction) throw new HookyardError('HY_INTERNAL', 'createEntities needs a transaction');
  const definition = entityType(input.type);
  if (definition.references.length > 0) throw new HookyardError('HY_INTERNAL', `${input.type} has references: create them one by one`);
  if (items.length === 0) return [];
  const now = Date.now();
  const source = JSON.stringify(input.source);
  const rows: EntitiesTable[] = [];
  const events: Omit<EventsTable, 'seq'>[] = [];
  for (const item of items) {
    const data = normalised(input.type, item);
    const issues = definition.rules(data);
    if (issues.length > 0) throw validationError(issues);
    const row: EntitiesTable = { id: newId(), org_id: input.orgId, type: input.type, data: jsonColumn(data, 'data'), version: 1, created_at: now, updated_at: now };
    rows.push(row);
    events.push({
      id: newId(),
      org_id: input.orgId,
      entity_type: input.type,
      entity_id: row.id,
      change_type: 'create',
      before: null,
      after: entityJson(row),
      source,
      occurred_at: now,
      dispatched_at: dispatched ? now : null,
    });
  }
  await insertRows(trx, 'entities', rows);
  await insertRows(trx, 'events', events);
  return rows.map((row) => row.id);
}

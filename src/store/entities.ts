/**
 * Entities and their outbox. Every create, update and delete writes its change event
 * in the same transaction as the change (docs/hooks.md, "PUSH hooks"), so no PUSH event is lost or
 * invented. Each function takes a `Kysely<Database>` that may already be a
 * transaction (a PULL page writes many entities in one) and says who made the change.
 *
 * Field validation is the caller's ({@link validateEntityData}); what needs the
 * stored state is checked here: rules over the merged record, and references.
 */
import { PostgresAdapter, type Kysely } from 'kysely';
import type { ChangeSource } from '../domain/entity-events.js';
import { mergeEntityData, sameJson } from '../domain/entity-merge.js';
import { entityType, type EntityData, type EntityType } from '../domain/entity-types.js';
import { HookyardError, validationError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { decodeCursor, pastCursor, toPage, type Page } from './cursor.js';
import type { Engine } from './dialect.js';
import { appendEvent, eventRow, type EntityChange } from './events.js';
import { insertRows } from './insert-rows.js';
import { jsonColumn } from './json-column.js';
import type { Database, EntitiesTable } from './schema.js';
import { inTransaction } from './transaction.js';

/**
 * An entity as the API, events and hooks show it: `{ id, type, createdAt, updatedAt,
 * version, ...fields, customAttributes }`. Absent optional fields are left out.
 */
export type Entity = Readonly<Record<string, unknown>> & {
  readonly id: string;
  readonly type: EntityType;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
  readonly customAttributes: Readonly<Record<string, unknown>>;
};

/** Who writes what: every write is scoped to an organisation and attributed to a source. */
export interface EntityWrite {
  readonly orgId: string;
  readonly type: EntityType;
  readonly source: ChangeSource;
}

/** How many times an update re-reads an entity that another writer changed meanwhile. */
const CONCURRENT_RETRIES = 3;

function storedData(row: EntitiesTable): EntityData {
  return JSON.parse(row.data) as EntityData;
}

/** A stored row as the API, events and hooks show it. */
export function toEntity(row: EntitiesTable): Entity {
  return entityOf(row, storedData(row));
}

/** {@link toEntity} of a row whose data is parsed already (it is not copied). */
function entityOf(row: EntitiesTable, data: Readonly<EntityData>): Entity {
  const { customAttributes, ...fields } = data;
  return {
    id: row.id,
    type: row.type as EntityType,
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
    version: row.version,
    ...fields,
    customAttributes: (customAttributes ?? {}) as Record<string, unknown>,
  };
}

/**
 * `JSON.stringify(toEntity(row))` without parsing or serialising the data again: `row.data`
 * is the JSON of {@link normalised} data (in field order, `customAttributes` last and
 * always there), which is the entity's JSON after its five own keys. A sync's create
 * events carry the entity, and this spares serialising every record twice.
 */
export function entityJson(row: EntitiesTable): string {
  return `{"id":${JSON.stringify(row.id)},"type":${JSON.stringify(row.type)},"createdAt":"${isoTime(row.created_at)}","updatedAt":"${isoTime(row.updated_at)}","version":${row.version},${row.data.slice(1)}`;
}

/** Data as stored: in field order, with `customAttributes` always present. */
export function normalised(type: EntityType, data: Readonly<EntityData>): EntityData {
  // inFieldOrder with customAttributes defaulted, without copying `data` first (a sync normalises every record).
  const ordered: EntityData = {};
  for (const key of entityType(type).fields) {
    const value = key === 'customAttributes' ? (data.customAttributes ?? {}) : data[key];
    if (value !== undefined) ordered[key] = value;
  }
  return ordered;
}

let lastTime = NaN;
let lastIso = '';

/** `new Date(ms).toISOString()`, remembering the last one: a batch's rows share their times. */
function isoTime(ms: number): string {
  if (ms !== lastTime) {
    lastIso = new Date(ms).toISOString();
    lastTime = ms;
  }
  return lastIso;
}

function selectRow(db: Kysely<Database>, orgId: string, type: EntityType, id: string): Promise<EntitiesTable | undefined> {
  return db
    .selectFrom('entities')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('type', '=', type)
    .where('id', '=', id)
    .executeTakeFirst();
}

function assertVersion(row: EntitiesTable, expected: number | undefined): void {
  if (expected !== undefined && row.version !== expected) {
    throw new HookyardError(
      'HY_VERSION_MISMATCH',
      `${row.type} ${row.id} is at version ${row.version}, not ${expected} (If-Match); read it again and retry`,
      { details: { currentVersion: row.version } },
    );
  }
}

function concurrentChange(row: EntitiesTable): HookyardError {
  return new HookyardError('HY_VERSION_MISMATCH', `${row.type} ${row.id} is being changed by another writer; retry`);
}

/**
 * The checks that need the whole record or the database: cross-field rules (400) and
 * references to other entities of the same organisation (422). References must be
 * held by Hookyard id; syncs resolve `*ExternalId` forms first.
 */
async function assertWritable(db: Kysely<Database>, orgId: string, type: EntityType, data: Readonly<EntityData>): Promise<void> {
  const definition = entityType(type);
  const issues = definition.rules(data);
  if (issues.length > 0) throw validationError(issues);
  for (const ref of definition.references) {
    const id = data[ref.idField];
    if (id === undefined) {
      if (data[ref.externalIdField] === undefined) continue;
      throw new HookyardError(
        'HY_UNPROCESSABLE',
        `${ref.externalIdField} needs its ${ref.idField}: the API links entities by Hookyard id; only syncs resolve external ids (within their sourceSystemKey)`,
      );
    }
    const target = await db
      .selectFrom('entities')
      .select('type')
      .where('org_id', '=', orgId)
      .where('id', '=', String(id))
      .executeTakeFirst();
    if (!target) throw new HookyardError('HY_UNPROCESSABLE', `${ref.idField} "${id}" is not an entity of this organisation`);
    if (target.type !== ref.target) {
      throw new HookyardError('HY_UNPROCESSABLE', `${ref.idField} "${id}" has type ${target.type}; expected ${ref.target}`);
    }
  }
}

/**
 * The change of one write, whole: on Node 20's V8 a literal that starts with a spread and then
 * adds a property gets a hidden class of its own on every call (bench/README.md, Inbound,
 * "Peak RSS"), and every write makes one.
 */
function changeOf(input: EntityWrite, entityId: string, changeType: EntityChange['changeType'], before: Entity | null, after: Entity | null): EntityChange {
  return { orgId: input.orgId, entityType: input.type, entityId, changeType, before, after, source: input.source };
}

/** The row of a new entity (version 1) of normalised `data`. */
function newRow(input: EntityWrite, data: EntityData): EntitiesTable {
  const now = Date.now();
  return { id: newId(), org_id: input.orgId, type: input.type, data: jsonColumn(data, 'data'), version: 1, created_at: now, updated_at: now };
}

/** Creates an entity of validated `data` (version 1) and its `create` event. */
export async function createEntity(db: Kysely<Database>, input: EntityWrite & { data: EntityData }): Promise<Entity> {
  // PostgreSQL writes both rows in one statement, atomic by itself: one round trip instead
  // of four (begin, two inserts, commit), which is most of an API create's time there.
  // Types with references check them with reads first, so they keep the transaction.
  if (entityType(input.type).references.length === 0 && db.getExecutor().adapter instanceof PostgresAdapter) {
    const data = normalised(input.type, input.data);
    await assertWritable(db, input.orgId, input.type, data);
    const row = newRow(input, data);
    const entity = toEntity(row);
    await db
      .with('created', (qb) => qb.insertInto('entities').values(row))
      .insertInto('events')
      .values(eventRow(changeOf(input, row.id, 'create', null, entity)))
      .execute();
    return entity;
  }
  return inTransaction(db, async (trx) => {
    const data = normalised(input.type, input.data);
    await assertWritable(trx, input.orgId, input.type, data);
    const row = newRow(input, data);
    await insertRows(trx, 'entities', [row]);
    const entity = toEntity(row);
    await appendEvent(trx, changeOf(input, row.id, 'create', null, entity));
    return entity;
  });
}

/**
 * Applies a validated patch (see {@link mergeEntityData}). A patch that changes
 * nothing writes nothing: same version, no event. Undefined when there is no such
 * entity; 409 when `expectedVersion` is given and the entity is at another one.
 */
export async function updateEntity(
  db: Kysely<Database>,
  input: EntityWrite & { id: string; patch: EntityData; expectedVersion?: number },
): Promise<{ entity: Entity; changed: boolean } | undefined> {
  return inTransaction(db, async (trx) => {
    for (let attempt = 1; ; attempt++) {
      const row = await selectRow(trx, input.orgId, input.type, input.id);
      if (!row) return undefined;
      assertVersion(row, input.expectedVersion);
      const current = normalised(input.type, storedData(row));
      const data = normalised(input.type, mergeEntityData(input.type, current, input.patch));
      if (sameJson(data, current)) return { entity: toEntity(row), changed: false };
      await assertWritable(trx, input.orgId, input.type, data);

      const next: EntitiesTable = { ...row, data: jsonColumn(data, 'data'), version: row.version + 1, updated_at: Math.max(Date.now(), row.updated_at) };
      const result = await trx
        .updateTable('entities')
        .set({ data: next.data, version: next.version, updated_at: next.updated_at })
        .where('org_id', '=', input.orgId)
        .where('id', '=', input.id)
        .where('version', '=', row.version)
        .executeTakeFirst();
      // Another writer got there first: read again (If-Match then answers 409).
      if (Number(result.numUpdatedRows) === 0) {
        if (attempt < CONCURRENT_RETRIES) continue;
        throw concurrentChange(row);
      }
      const entity = toEntity(next);
      await appendEvent(trx, changeOf(input, row.id, 'update', toEntity(row), entity));
      return { entity, changed: true };
    }
  });
}

/** Deletes an entity and writes its `delete` event; returns what was deleted, or undefined. */
export async function deleteEntity(
  db: Kysely<Database>,
  input: EntityWrite & { id: string; expectedVersion?: number },
): Promise<Entity | undefined> {
  return inTransaction(db, async (trx) => {
    for (let attempt = 1; ; attempt++) {
      const row = await selectRow(trx, input.orgId, input.type, input.id);
      if (!row) return undefined;
      assertVersion(row, input.expectedVersion);
      const result = await trx
        .deleteFrom('entities')
        .where('org_id', '=', input.orgId)
        .where('id', '=', input.id)
        .where('version', '=', row.version)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) {
        if (attempt < CONCURRENT_RETRIES) continue;
        throw concurrentChange(row);
      }
      // Its links go with it: on PostgreSQL no foreign key cascades (migration 0013).
      await trx.deleteFrom('external_links').where('org_id', '=', input.orgId).where('entity_id', '=', input.id).execute();
      const entity = toEntity(row);
      await appendEvent(trx, changeOf(input, row.id, 'delete', entity, null));
      return entity;
    }
  });
}

export async function findEntity(db: Kysely<Database>, orgId: string, type: EntityType, id: string): Promise<Entity | undefined> {
  const row = await selectRow(db, orgId, type, id);
  return row && toEntity(row);
}

/** A list query: equality filters on top-level scalar fields, compared as JSON text. */
export interface EntityQuery {
  readonly orgId: string;
  readonly type: EntityType;
  readonly limit: number;
  readonly cursor?: string;
  /** Field → value as text (`{ status: 'open', fte: '1' }`); numbers in JavaScript's canonical form. */
  readonly where?: Readonly<Record<string, string>>;
  /** Only entities linked to a source system's record: its sourceSystemKey, its externalId, or both. */
  readonly linkedTo?: { readonly sourceSystemKey?: string; readonly externalId?: string };
}

/** A page of entities, oldest first. */
export async function listEntities(db: Kysely<Database>, engine: Pick<Engine, 'jsonText'>, query: EntityQuery): Promise<Page<Entity>> {
  let select = db.selectFrom('entities').selectAll().where('org_id', '=', query.orgId).where('type', '=', query.type);
  for (const [field, value] of Object.entries(query.where ?? {})) {
    select = select.where((eb) => eb(engine.jsonText('data', field), '=', value));
  }
  const linkedTo = query.linkedTo;
  if (linkedTo) {
    // Both given: a probe of the links' unique key (org, sourceSystemKey, type, externalId).
    let links = db.selectFrom('external_links').select('entity_id').where('org_id', '=', query.orgId).where('entity_type', '=', query.type);
    if (linkedTo.sourceSystemKey !== undefined) links = links.where('source_system_key', '=', linkedTo.sourceSystemKey);
    if (linkedTo.externalId !== undefined) links = links.where('external_id', '=', linkedTo.externalId);
    select = select.where('id', 'in', links);
  }
  if (query.cursor) select = select.where(pastCursor(decodeCursor(query.cursor), 'asc'));
  const rows = await select.orderBy('created_at').orderBy('id').limit(query.limit + 1).execute();
  return toPage(rows, query.limit, toEntity);
}

/**
 * The Hookyard id of the entity a sync knows as `externalId` in its source system,
 * or undefined. Links are unique per (organisation, sourceSystemKey, type, externalId).
 */
export async function resolveExternalReference(
  db: Kysely<Database>,
  orgId: string,
  sourceSystemKey: string,
  type: EntityType,
  externalId: string,
): Promise<string | undefined> {
  const link = await db
    .selectFrom('external_links')
    .select('entity_id')
    .where('org_id', '=', orgId)
    .where('source_system_key', '=', sourceSystemKey)
    .where('entity_type', '=', type)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  return link?.entity_id;
}

/** Custom attribute definitions, per organisation and entity type. */
import type { Kysely } from 'kysely';
import type { CustomAttributeDefinition, CustomAttributeType } from '../domain/custom-attributes.js';
import type { EntityType } from '../domain/entity-types.js';
import { HookyardError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { decodeCursor, pastCursor, toPage, type Page } from './cursor.js';
import { jsonColumn } from './json-column.js';
import type { CustomAttributesTable, Database } from './schema.js';
import { cachedRead } from './read-cache.js';

function toDefinition(row: CustomAttributesTable): CustomAttributeDefinition {
  return {
    id: row.id,
    entityType: row.entity_type as EntityType,
    key: row.key,
    label: row.label,
    type: row.type as CustomAttributeType,
    options: row.options === null ? null : (JSON.parse(row.options) as string[]),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** Creates a definition; 409 when the entity type already has one with this key. */
export async function createCustomAttribute(
  db: Kysely<Database>,
  input: { orgId: string; entityType: EntityType; key: string; label: string; type: CustomAttributeType; options?: readonly string[] },
): Promise<CustomAttributeDefinition> {
  const taken = await db
    .selectFrom('custom_attributes')
    .select('id')
    .where('org_id', '=', input.orgId)
    .where('entity_type', '=', input.entityType)
    .where('key', '=', input.key)
    .executeTakeFirst();
  if (taken) throw new HookyardError('HY_CONFLICT', `${input.entityType} already has a custom attribute "${input.key}"`);
  const now = Date.now();
  const row: CustomAttributesTable = {
    id: newId(),
    org_id: input.orgId,
    entity_type: input.entityType,
    key: input.key,
    label: input.label,
    type: input.type,
    options: input.options ? jsonColumn(input.options, 'options') : null,
    created_at: now,
    updated_at: now,
  };
  await db.insertInto('custom_attributes').values(row).execute();
  return toDefinition(row);
}

/** A page of definitions, optionally of one entity type. */
export async function listCustomAttributes(
  db: Kysely<Database>,
  orgId: string,
  options: { entityType?: EntityType; limit: number; cursor?: string },
): Promise<Page<CustomAttributeDefinition>> {
  let query = db.selectFrom('custom_attributes').selectAll().where('org_id', '=', orgId);
  if (options.entityType) query = query.where('entity_type', '=', options.entityType);
  if (options.cursor) query = query.where(pastCursor(decodeCursor(options.cursor), 'asc'));
  const rows = await query.orderBy('created_at').orderBy('id').limit(options.limit + 1).execute();
  return toPage(rows, options.limit, toDefinition);
}

/** Every definition of one entity type: what entity writes are checked against. */
export async function customAttributeDefinitions(
  db: Kysely<Database>,
  orgId: string,
  entityType: EntityType,
): Promise<CustomAttributeDefinition[]> {
  return cachedRead(db, `custom_attributes:${orgId}:${entityType}`, async () => {
    const rows = await db.selectFrom('custom_attributes').selectAll().where('org_id', '=', orgId).where('entity_type', '=', entityType).orderBy('key').execute();
    return rows.map(toDefinition);
  });
}

export async function findCustomAttribute(db: Kysely<Database>, orgId: string, id: string): Promise<CustomAttributeDefinition | undefined> {
  const row = await db.selectFrom('custom_attributes').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return row && toDefinition(row);
}

/** Changes the label or the enum options; undefined when there is no such definition. */
export async function updateCustomAttribute(
  db: Kysely<Database>,
  orgId: string,
  id: string,
  changes: { label?: string; options?: readonly string[] },
): Promise<CustomAttributeDefinition | undefined> {
  const result = await db
    .updateTable('custom_attributes')
    .set({
      ...(changes.label === undefined ? {} : { label: changes.label }),
      ...(changes.options === undefined ? {} : { options: jsonColumn(changes.options, 'options') }),
      updated_at: Date.now(),
    })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0 ? findCustomAttribute(db, orgId, id) : undefined;
}

/**
 * Deletes a definition; false when there is none. Values already on entities stay
 * (nothing is rewritten behind the users' back); new writes of that key are refused.
 */
export async function deleteCustomAttribute(db: Kysely<Database>, orgId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('custom_attributes').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

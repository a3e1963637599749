/** Integrations: a named connection to one external system, identified by its source system key. */
import type { Kysely } from 'kysely';
import { HookyardError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { decodeCursor, pastCursor, toPage, type Page } from './cursor.js';
import type { Database, IntegrationsTable } from './schema.js';

export interface Integration {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly sourceSystemKey: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

function toIntegration(row: IntegrationsTable): Integration {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    sourceSystemKey: row.source_system_key,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

async function assertKeyFree(db: Kysely<Database>, orgId: string, key: string): Promise<void> {
  const taken = await db
    .selectFrom('integrations')
    .select('id')
    .where('org_id', '=', orgId)
    .where('source_system_key', '=', key)
    .executeTakeFirst();
  if (taken) throw new HookyardError('HY_CONFLICT', `sourceSystemKey "${key}" is already used by integration ${taken.id}`);
}

export async function insertIntegration(
  db: Kysely<Database>,
  orgId: string,
  input: { name: string; description?: string; sourceSystemKey: string },
): Promise<Integration> {
  await assertKeyFree(db, orgId, input.sourceSystemKey);
  const now = Date.now();
  const row: IntegrationsTable = {
    id: newId(),
    org_id: orgId,
    name: input.name,
    description: input.description ?? '',
    source_system_key: input.sourceSystemKey,
    created_at: now,
    updated_at: now,
  };
  await db.insertInto('integrations').values(row).execute();
  return toIntegration(row);
}

export async function findIntegration(db: Kysely<Database>, orgId: string, id: string): Promise<Integration | undefined> {
  const row = await db.selectFrom('integrations').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return row && toIntegration(row);
}

export async function listIntegrations(
  db: Kysely<Database>,
  orgId: string,
  options: { limit: number; cursor?: string },
): Promise<Page<Integration>> {
  let query = db.selectFrom('integrations').selectAll().where('org_id', '=', orgId);
  if (options.cursor) query = query.where(pastCursor(decodeCursor(options.cursor), 'asc'));
  const rows = await query.orderBy('created_at').orderBy('id').limit(options.limit + 1).execute();
  return toPage(rows, options.limit, toIntegration);
}

/** Updates name and description; the source system key is fixed, since external links depend on it. */
export async function updateIntegration(
  db: Kysely<Database>,
  orgId: string,
  id: string,
  patch: { name?: string; description?: string },
): Promise<Integration | undefined> {
  await db
    .updateTable('integrations')
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.description !== undefined && { description: patch.description }),
      updated_at: Date.now(),
    })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
  return findIntegration(db, orgId, id);
}

/** Deletes an integration with its secrets, hooks and KV entries; entities stay. */
export async function deleteIntegration(db: Kysely<Database>, orgId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('integrations').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

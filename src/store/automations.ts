/**
 * Automations: a definition (trigger, conditions, actions) per row, always read and
 * written within one organisation. An inbound trigger's verification secret is kept
 * apart from the definition, encrypted, and only {@link findAutomationForRun} opens it.
 */
import type { Kysely } from 'kysely';
import type { Automation, AutomationDefinition } from '../domain/automations.js';
import { newId } from '../domain/ids.js';
import type { SecretBox } from '../domain/secret-box.js';
import { decodeCursor, pastCursor, toPage, type Page } from './cursor.js';
import { jsonColumn } from './json-column.js';
import type { AutomationsTable, Database } from './schema.js';

/** What is saved: a checked definition, whose inbound `verify` carries no secret. */
export interface AutomationInput {
  readonly definition: AutomationDefinition;
  /** The inbound verification secret; stored encrypted. Undefined keeps the stored one, null removes it. */
  readonly verifySecret?: string | null;
}

/** An automation with what only the engine may see: its decrypted verification secret. */
export interface AutomationForRun extends Automation {
  readonly verifySecret: string | null;
}

const verifyAad = (id: string) => `automation/${id}/verify`;

/** The parts of a definition the `definition` column holds (name and enabled have columns). */
type StoredDefinition = Omit<AutomationDefinition, 'name' | 'enabled'>;

function toAutomation(row: AutomationsTable): Automation {
  const stored = JSON.parse(row.definition) as StoredDefinition;
  return {
    id: row.id,
    orgId: row.org_id,
    name: row.name,
    ...(stored.description !== undefined && { description: stored.description }),
    enabled: row.enabled === 1,
    trigger: stored.trigger,
    ...(stored.conditions !== undefined && { conditions: stored.conditions }),
    actions: stored.actions,
    version: row.version,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    updatedAt: new Date(Number(row.updated_at)).toISOString(),
  };
}

function definitionColumns(box: SecretBox, id: string, input: AutomationInput) {
  const { name, enabled, ...stored } = input.definition;
  return {
    name,
    enabled: enabled ? 1 : 0,
    definition: jsonColumn(stored satisfies StoredDefinition, 'body'),
    ...(input.verifySecret !== undefined && { verify_secret: input.verifySecret ? box.seal(input.verifySecret, verifyAad(id)) : null }),
  };
}

export async function insertAutomation(db: Kysely<Database>, box: SecretBox, orgId: string, input: AutomationInput): Promise<Automation> {
  const id = newId();
  const now = Date.now();
  const row: AutomationsTable = {
    id,
    org_id: orgId,
    ...definitionColumns(box, id, input),
    verify_secret: input.verifySecret ? box.seal(input.verifySecret, verifyAad(id)) : null,
    version: 1,
    created_at: now,
    updated_at: now,
  };
  await db.insertInto('automations').values(row).execute();
  return toAutomation(row);
}

export async function findAutomation(db: Kysely<Database>, orgId: string, id: string): Promise<Automation | undefined> {
  const row = await db.selectFrom('automations').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return row && toAutomation(row);
}

/** The automation with its decrypted verification secret, for the engine only; never for an API answer. */
export async function findAutomationForRun(db: Kysely<Database>, box: SecretBox, orgId: string, id: string): Promise<AutomationForRun | undefined> {
  const row = await db.selectFrom('automations').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  return { ...toAutomation(row), verifySecret: row.verify_secret ? box.open(row.verify_secret, verifyAad(row.id)) : null };
}

/** Whether the organisation keeps a verification secret for the automation. */
export async function hasVerifySecret(db: Kysely<Database>, orgId: string, id: string): Promise<boolean> {
  const row = await db.selectFrom('automations').select('verify_secret').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return Boolean(row?.verify_secret);
}

/** The organisation's automations in creation order, a page at a time. */
export async function listAutomations(db: Kysely<Database>, orgId: string, options: { limit: number; cursor?: string }): Promise<Page<Automation>> {
  let query = db.selectFrom('automations').selectAll().where('org_id', '=', orgId);
  if (options.cursor) query = query.where(pastCursor(decodeCursor(options.cursor), 'asc'));
  const rows = await query.orderBy('created_at').orderBy('id').limit(options.limit + 1).execute();
  return toPage(rows, options.limit, toAutomation);
}

/** Every automation of the organisations (enabled ones only unless asked), oldest first. */
export async function listAllAutomations(db: Kysely<Database>, orgIds: readonly string[], options: { enabledOnly?: boolean } = {}): Promise<Automation[]> {
  if (orgIds.length === 0) return [];
  let query = db.selectFrom('automations').selectAll().where('org_id', 'in', orgIds);
  if (options.enabledOnly) query = query.where('enabled', '=', 1);
  const rows = await query.orderBy('created_at').orderBy('id').execute();
  return rows.map(toAutomation);
}

/** Replaces an automation's definition and bumps its version. */
export async function updateAutomation(db: Kysely<Database>, box: SecretBox, orgId: string, id: string, input: AutomationInput): Promise<Automation | undefined> {
  await db
    .updateTable('automations')
    .set((eb) => ({ ...definitionColumns(box, id, input), version: eb('version', '+', 1), updated_at: Date.now() }))
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
  return findAutomation(db, orgId, id);
}

export async function deleteAutomation(db: Kysely<Database>, orgId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('automations').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

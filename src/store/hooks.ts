/** Hooks: code (or a remote URL) with a type, an entity type and settings. */
import type { Kysely } from 'kysely';
import type { EntityType } from '../domain/entity-types.js';
import { SECRET_OVERLAP_MS, SETTING_KEYS, type FlowStep, type Hook, type HookSettings, type HookType } from '../domain/hooks.js';
import { newId } from '../domain/ids.js';
import type { SecretBox } from '../domain/secret-box.js';
import { decodeCursor, pastCursor, toPage, type Page } from './cursor.js';
import type { Database, HooksTable } from './schema.js';
import { jsonColumn } from './json-column.js';
import { cachedRead } from './read-cache.js';

/** Everything needed to save a hook; settings are already checked (domain/hooks.ts). */
export interface HookInput {
  readonly name: string;
  readonly type: HookType;
  readonly entityType: EntityType | null;
  readonly runtime: 'code' | 'remote';
  readonly code: string | null;
  readonly remoteUrl: string | null;
  readonly remoteSteps: readonly FlowStep[] | null;
  /**
   * Plain signing secret of a remote hook; stored encrypted. Undefined keeps the stored one;
   * a different one replaces it, and the replaced one stays valid for a day.
   */
  readonly remoteSecret?: string | null;
  /** An inbound hook's verification secret; stored encrypted. Undefined keeps the stored one. */
  readonly verifySecret?: string | null;
  readonly enabled: boolean;
  readonly settings: HookSettings;
}

/** A hook with what only the engine may see: its decrypted remote signing secrets. */
export interface HookForRun extends Hook {
  readonly orgId: string;
  /** The signing secrets still valid, newest first (empty for a code hook). */
  readonly remoteSecrets: readonly string[];
  /** An inbound hook's verification secret. */
  readonly verifySecret: string | null;
}

const remoteAad = (hookId: string) => `hook/${hookId}/remote`;
const verifyAad = (hookId: string) => `hook/${hookId}/verify`;

function toHook(row: HooksTable): Hook {
  const settings = JSON.parse(row.settings) as HookSettings;
  const ordered: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) if (settings[key] !== undefined) ordered[key] = settings[key];
  return {
    id: row.id,
    integrationId: row.integration_id,
    name: row.name,
    type: row.type as HookType,
    entityType: row.entity_type as EntityType | null,
    runtime: row.runtime as 'code' | 'remote',
    ...(row.runtime === 'code'
      ? { code: row.code ?? '' }
      : { remote: { url: row.remote_url ?? '', ...(row.remote_steps && { steps: JSON.parse(row.remote_steps) as FlowStep[] }) } }),
    enabled: row.enabled === 1,
    ...ordered,
    version: row.version,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** The columns a hook's definition fills, the same on insert and update. */
function definitionColumns(box: SecretBox, id: string, input: HookInput) {
  return {
    name: input.name,
    type: input.type,
    entity_type: input.entityType,
    runtime: input.runtime,
    code: input.code,
    remote_url: input.remoteUrl,
    remote_steps: input.remoteSteps && input.remoteSteps.length > 0 ? JSON.stringify(input.remoteSteps) : null,
    // Undefined keeps the stored secret (an update without a new one); null removes it.
    ...(input.remoteSecret !== undefined && { remote_secret: input.remoteSecret ? box.seal(input.remoteSecret, remoteAad(id)) : null }),
    ...(input.verifySecret !== undefined && { verify_secret: input.verifySecret ? box.seal(input.verifySecret, verifyAad(id)) : null }),
    enabled: input.enabled ? 1 : 0,
    settings: jsonColumn(input.settings, 'settings'),
  };
}

export async function insertHook(
  db: Kysely<Database>,
  box: SecretBox,
  orgId: string,
  integrationId: string,
  input: HookInput,
): Promise<Hook> {
  const id = newId();
  const now = Date.now();
  const row: HooksTable = {
    id,
    org_id: orgId,
    integration_id: integrationId,
    ...definitionColumns(box, id, input),
    remote_secret: input.remoteSecret ? box.seal(input.remoteSecret, remoteAad(id)) : null,
    remote_secret_previous: null,
    remote_secret_replaced_at: null,
    verify_secret: input.verifySecret ? box.seal(input.verifySecret, verifyAad(id)) : null,
    version: 1,
    created_at: now,
    updated_at: now,
  };
  await db.insertInto('hooks').values(row).execute();
  return toHook(row);
}

export async function findHook(db: Kysely<Database>, orgId: string, id: string): Promise<Hook | undefined> {
  return cachedRead(db, `hook:${orgId}:${id}`, async () => {
    const row = await db.selectFrom('hooks').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    return row && toHook(row);
  });
}

/** The hook with its decrypted remote secret, for the engine only; never for an API answer. */
export async function findHookForRun(
  db: Kysely<Database>,
  box: SecretBox,
  orgId: string,
  id: string,
  now: number = Date.now(),
): Promise<HookForRun | undefined> {
  // Cached with its secrets as ciphertext (opened per run): every inbound call and remote run reads it.
  const stored = await cachedRead(db, `hook_for_run:${orgId}:${id}`, async () => {
    const row = await db.selectFrom('hooks').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
    return row && { hook: toHook(row), row: { remote_secret: row.remote_secret, remote_secret_previous: row.remote_secret_previous, remote_secret_replaced_at: row.remote_secret_replaced_at, verify_secret: row.verify_secret } };
  });
  if (!stored) return undefined;
  const { hook, row } = stored;
  const secrets: string[] = [];
  if (row.remote_secret) secrets.push(box.open(row.remote_secret, remoteAad(id)));
  if (row.remote_secret_previous && now - Number(row.remote_secret_replaced_at) < SECRET_OVERLAP_MS) {
    secrets.push(box.open(row.remote_secret_previous, remoteAad(id)));
  }
  return { ...hook, orgId, remoteSecrets: secrets, verifySecret: row.verify_secret ? box.open(row.verify_secret, verifyAad(id)) : null };
}

export async function listHooksOfIntegration(
  db: Kysely<Database>,
  orgId: string,
  integrationId: string,
  options: { limit: number; cursor?: string },
): Promise<Page<Hook>> {
  let query = db.selectFrom('hooks').selectAll().where('org_id', '=', orgId).where('integration_id', '=', integrationId);
  if (options.cursor) query = query.where(pastCursor(decodeCursor(options.cursor), 'asc'));
  const rows = await query.orderBy('created_at').orderBy('id').limit(options.limit + 1).execute();
  return toPage(rows, options.limit, toHook);
}

/** Enabled hooks of one type or several (and of one entity type) in an organisation, oldest first. */
export async function listEnabledHooks(
  db: Kysely<Database>,
  orgId: string,
  type: HookType | readonly HookType[],
  entityType?: EntityType,
): Promise<Hook[]> {
  const types: readonly HookType[] = typeof type === 'string' ? [type] : type;
  return cachedRead(db, `enabled_hooks:${orgId}:${types.join(',')}:${entityType ?? ''}`, async () => {
    let query = db.selectFrom('hooks').selectAll().where('org_id', '=', orgId).where('type', 'in', types).where('enabled', '=', 1);
    if (entityType !== undefined) query = query.where('entity_type', '=', entityType);
    const rows = await query.orderBy('created_at').orderBy('id').execute();
    return rows.map(toHook);
  });
}

/** Replaces a hook's definition and bumps its version. */
export async function updateHook(
  db: Kysely<Database>,
  box: SecretBox,
  orgId: string,
  id: string,
  input: HookInput,
  now: number = Date.now(),
): Promise<Hook | undefined> {
  const rotation = input.remoteSecret ? await rotatedSecret(db, box, orgId, id, input.remoteSecret, now) : input.remoteSecret === null ? CLEARED : {};
  await db
    .updateTable('hooks')
    .set((eb) => ({
      ...definitionColumns(box, id, input),
      ...rotation,
      version: eb('version', '+', 1),
      updated_at: now,
    }))
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
  return findHook(db, orgId, id);
}

const CLEARED = { remote_secret_previous: null, remote_secret_replaced_at: null };

/** When `secret` replaces another signing secret, the columns that keep the replaced one valid for a while. */
async function rotatedSecret(db: Kysely<Database>, box: SecretBox, orgId: string, id: string, secret: string, now: number) {
  const row = await db.selectFrom('hooks').select('remote_secret').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  if (!row?.remote_secret || box.open(row.remote_secret, remoteAad(id)) === secret) return {};
  return { remote_secret_previous: row.remote_secret, remote_secret_replaced_at: now };
}

export async function deleteHook(db: Kysely<Database>, orgId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('hooks').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

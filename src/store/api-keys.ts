/** API keys, stored as hashes. */
import type { Kysely } from 'kysely';
import { displayPrefix, generateApiKey, hashApiKey, type Role } from '../domain/api-keys.js';
import { newId } from '../domain/ids.js';
import { decodeCursor, pastCursor, toPage, type Page } from './cursor.js';
import type { ApiKeysTable, Database } from './schema.js';
import { cachedRead } from './read-cache.js';

/** A key as listed: never the key itself. */
export interface ApiKeyInfo {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly prefix: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

/** Who is calling: what a valid key resolves to. */
export interface Principal {
  readonly apiKeyId: string;
  readonly orgId: string;
  readonly role: Role;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function toInfo(row: ApiKeysTable): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    prefix: row.prefix,
    createdAt: new Date(row.created_at).toISOString(),
    lastUsedAt: iso(row.last_used_at),
    revokedAt: iso(row.revoked_at),
  };
}

/**
 * Creates a key and returns it in full, the only time it is ever shown.
 * `key` may be given (HOOKYARD_ADMIN_KEY on first start); otherwise it is random.
 */
export async function createApiKey(
  db: Kysely<Database>,
  input: { orgId: string; role: Role; name?: string; key?: string },
): Promise<{ key: string; info: ApiKeyInfo }> {
  const key = input.key ?? generateApiKey();
  const row: ApiKeysTable = {
    id: newId(),
    org_id: input.orgId,
    name: input.name ?? '',
    role: input.role,
    prefix: displayPrefix(key),
    key_hash: hashApiKey(key),
    created_at: Date.now(),
    last_used_at: null,
    revoked_at: null,
  };
  await db.insertInto('api_keys').values(row).execute();
  return { key, info: toInfo(row) };
}

/** `last_used_at` is refreshed at most this often, so busy keys do not write on every call. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** The principal of an active key, or undefined for an unknown or revoked key. Records its use. */
export async function authenticateApiKey(db: Kysely<Database>, key: string, now = Date.now()): Promise<Principal | undefined> {
  const hash = hashApiKey(key);
  const row = await cachedRead(db, `api_key:${hash}`, () =>
    db.selectFrom('api_keys').select(['id', 'org_id', 'role', 'last_used_at']).where('key_hash', '=', hash).where('revoked_at', 'is', null).executeTakeFirst(),
  );
  if (!row) return undefined;
  if (row.last_used_at === null || now - row.last_used_at >= LAST_USED_RESOLUTION_MS) {
    await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', row.id).execute();
  }
  return { apiKeyId: row.id, orgId: row.org_id, role: row.role as Role };
}

export async function listApiKeys(
  db: Kysely<Database>,
  orgId: string,
  options: { limit: number; cursor?: string },
): Promise<Page<ApiKeyInfo>> {
  let query = db.selectFrom('api_keys').selectAll().where('org_id', '=', orgId);
  if (options.cursor) query = query.where(pastCursor(decodeCursor(options.cursor), 'asc'));
  const rows = await query.orderBy('created_at').orderBy('id').limit(options.limit + 1).execute();
  return toPage(rows, options.limit, toInfo);
}

export async function findApiKey(db: Kysely<Database>, orgId: string, id: string): Promise<ApiKeyInfo | undefined> {
  const row = await db.selectFrom('api_keys').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return row && toInfo(row);
}

/** Revokes a key of the organisation; false when there is no such key. */
export async function revokeApiKey(db: Kysely<Database>, orgId: string, id: string): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: Date.now() })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

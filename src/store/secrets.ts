/**
 * Integration secrets, encrypted at rest. Values are write-only through the API:
 * only {@link loadSecrets} decrypts them, for a running execution.
 */
import type { Kysely } from 'kysely';
import { newId } from '../domain/ids.js';
import type { SecretBox } from '../domain/secret-box.js';
import type { Database } from './schema.js';
import { cachedRead } from './read-cache.js';

/** What the API may show of a secret: never its value. */
export interface SecretInfo {
  readonly name: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Binds a ciphertext to its row, so it cannot be replayed on another. */
const aad = (integrationId: string, name: string) => `${integrationId}/${name}`;

export async function listSecrets(db: Kysely<Database>, orgId: string, integrationId: string): Promise<SecretInfo[]> {
  const rows = await db
    .selectFrom('secrets')
    .select(['name', 'created_at', 'updated_at'])
    .where('org_id', '=', orgId)
    .where('integration_id', '=', integrationId)
    .orderBy('name')
    .execute();
  return rows.map((r) => ({ name: r.name, createdAt: new Date(r.created_at).toISOString(), updatedAt: new Date(r.updated_at).toISOString() }));
}

/** Creates or replaces a secret; true when it was created. */
export async function putSecret(
  db: Kysely<Database>,
  box: SecretBox,
  input: { orgId: string; integrationId: string; name: string; value: string },
): Promise<boolean> {
  const now = Date.now();
  const ciphertext = box.seal(input.value, aad(input.integrationId, input.name));
  const updated = await db
    .updateTable('secrets')
    .set({ ciphertext, updated_at: now })
    .where('org_id', '=', input.orgId)
    .where('integration_id', '=', input.integrationId)
    .where('name', '=', input.name)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) > 0) return false;
  await db
    .insertInto('secrets')
    .values({ id: newId(), org_id: input.orgId, integration_id: input.integrationId, name: input.name, ciphertext, created_at: now, updated_at: now })
    .execute();
  return true;
}

export async function deleteSecret(db: Kysely<Database>, orgId: string, integrationId: string, name: string): Promise<boolean> {
  const result = await db
    .deleteFrom('secrets')
    .where('org_id', '=', orgId)
    .where('integration_id', '=', integrationId)
    .where('name', '=', name)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The decrypted secrets of an integration, for one execution only. */
export async function loadSecrets(db: Kysely<Database>, box: SecretBox, orgId: string, integrationId: string): Promise<Record<string, string>> {
  // Only the ciphertext is cached: values are decrypted into each execution, never kept.
  const rows = await cachedRead(db, `secrets:${orgId}:${integrationId}`, () =>
    db.selectFrom('secrets').select(['name', 'ciphertext']).where('org_id', '=', orgId).where('integration_id', '=', integrationId).execute(),
  );
  return Object.fromEntries(rows.map((r) => [r.name, box.open(r.ciphertext, aad(integrationId, r.name))]));
}

/** What {@link checkSecrets} found. */
export interface SecretsCheck {
  readonly total: number;
  /** `integrationId/name` of each secret the box cannot decrypt. */
  readonly unreadable: readonly string[];
}

/** Tries to decrypt every stored secret with `box` (a restore checks its master key so). */
export async function checkSecrets(db: Kysely<Database>, box: SecretBox): Promise<SecretsCheck> {
  const rows = await db.selectFrom('secrets').select(['integration_id', 'name', 'ciphertext']).execute();
  const unreadable: string[] = [];
  for (const row of rows) {
    try {
      box.open(row.ciphertext, aad(row.integration_id, row.name));
    } catch {
      unreadable.push(aad(row.integration_id, row.name));
    }
  }
  return { total: rows.length, unreadable };
}

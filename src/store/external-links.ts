/**
 * External links: which entity a source system's record became, and the fingerprint
 * of what a sync last wrote for it (SPEC §3). Queries take a page's worth of external
 * ids at once, so a page costs one lookup, not one per record.
 */
import type { Kysely } from 'kysely';
import type { EntityType } from '../domain/entity-types.js';
import { newId } from '../domain/ids.js';
import type { Database } from './schema.js';

/** A link as the pipeline needs it. */
export interface ExternalLink {
  readonly id: string;
  readonly externalId: string;
  readonly entityType: EntityType;
  readonly entityId: string;
  readonly fingerprint: string;
}

/** Where links live: one organisation's records of one source system. */
export interface LinkScope {
  readonly orgId: string;
  readonly sourceSystemKey: string;
}

/** Rows per multi-row statement: well under SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The links of `externalIds` among entities of `types`, keyed by `${type}\u0000${externalId}`. */
export async function findLinks(
  db: Kysely<Database>,
  scope: LinkScope,
  types: readonly EntityType[],
  externalIds: readonly string[],
): Promise<Map<string, ExternalLink>> {
  const links = new Map<string, ExternalLink>();
  if (externalIds.length === 0 || types.length === 0) return links;
  for (const ids of chunks([...new Set(externalIds)])) {
    const rows = await db
      .selectFrom('external_links')
      .select(['id', 'external_id', 'entity_type', 'entity_id', 'fingerprint'])
      .where('org_id', '=', scope.orgId)
      .where('source_system_key', '=', scope.sourceSystemKey)
      .where('entity_type', 'in', types)
      .where('external_id', 'in', ids)
      .execute();
    for (const row of rows) {
      const link = { id: row.id, externalId: row.external_id, entityType: row.entity_type as EntityType, entityId: row.entity_id, fingerprint: row.fingerprint };
      links.set(linkKey(link.entityType, link.externalId), link);
    }
  }
  return links;
}

/** The key of {@link findLinks}' map. */
export function linkKey(type: EntityType, externalId: string): string {
  return `${type}\u0000${externalId}`;
}

/** A link to write. */
export interface NewLink {
  readonly entityType: EntityType;
  readonly externalId: string;
  readonly entityId: string;
  readonly fingerprint: string;
}

/** Inserts links, many rows per statement. */
export async function insertLinks(db: Kysely<Database>, scope: LinkScope, links: readonly NewLink[], now = Date.now()): Promise<void> {
  for (const part of chunks(links)) {
    await db
      .insertInto('external_links')
      .values(
        part.map((link) => ({
          id: newId(),
          org_id: scope.orgId,
          source_system_key: scope.sourceSystemKey,
          entity_type: link.entityType,
          external_id: link.externalId,
          entity_id: link.entityId,
          fingerprint: link.fingerprint,
          updated_at: now,
        })),
      )
      .execute();
  }
}

/** Records the fingerprint of what was last synced for a link. */
export async function setLinkFingerprint(db: Kysely<Database>, linkId: string, fingerprint: string, now = Date.now()): Promise<void> {
  await db.updateTable('external_links').set({ fingerprint, updated_at: now }).where('id', '=', linkId).execute();
}

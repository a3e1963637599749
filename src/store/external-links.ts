/**
 * External links: which entity a source system's record became, and the fingerprint
 * of what a sync last wrote for it (docs/hooks.md, "PULL hooks"). Queries take a page's worth of external
 * ids at once, so a page costs one lookup, not one per record.
 */
import { sql, type Kysely } from 'kysely';
import type { EntityType } from '../domain/entity-types.js';
import { newId } from '../domain/ids.js';
import type { DialectName } from './dialect.js';
import { insertRows } from './insert-rows.js';
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

type LinkRow = Pick<Database['external_links'], 'id' | 'external_id' | 'entity_type' | 'entity_id' | 'fingerprint'>;

/**
 * The links of `externalIds` among entities of `types`, keyed by `${type}\u0000${externalId}`.
 *
 * PostgreSQL gets the ids as one array and probes the unique key once per (type, id):
 * with `external_id in (…)` its planner, when the organisation's links are newer than
 * the table's statistics (a first sync, a new organisation), estimates one row for the
 * key's prefix and filters every link of the organisation instead, 40 ms per page of
 * 100,000 links and growing with them. `LIMIT 1` keeps the lateral subquery a probe;
 * the key is unique, so it drops nothing. SQLite's planner probes an `in` list by itself.
 */
export async function findLinks(
  db: Kysely<Database>,
  dialect: DialectName,
  scope: LinkScope,
  types: readonly EntityType[],
  externalIds: readonly string[],
): Promise<Map<string, ExternalLink>> {
  const links = new Map<string, ExternalLink>();
  if (externalIds.length === 0 || types.length === 0) return links;
  const unique = [...new Set(externalIds)];
  const add = (rows: readonly LinkRow[]) => {
    for (const row of rows) {
      const link = { id: row.id, externalId: row.external_id, entityType: row.entity_type as EntityType, entityId: row.entity_id, fingerprint: row.fingerprint };
      links.set(linkKey(link.entityType, link.externalId), link);
    }
  };
  if (dialect === 'postgres') {
    const { rows } = await sql<LinkRow>`
      select l.id, l.external_id, l.entity_type, l.entity_id, l.fingerprint
      from unnest(${[...types]}::text[]) as t(entity_type)
      cross join unnest(${unique}::text[]) as x(external_id)
      cross join lateral (
        select id, external_id, entity_type, entity_id, fingerprint from external_links
        where org_id = ${scope.orgId} and source_system_key = ${scope.sourceSystemKey}
          and entity_type = t.entity_type and external_id = x.external_id
        limit 1
      ) as l`.execute(db);
    add(rows);
    return links;
  }
  for (const ids of chunks(unique)) {
    add(
      await db
        .selectFrom('external_links')
        .select(['id', 'external_id', 'entity_type', 'entity_id', 'fingerprint'])
        .where('org_id', '=', scope.orgId)
        .where('source_system_key', '=', scope.sourceSystemKey)
        .where('entity_type', 'in', types)
        .where('external_id', 'in', ids)
        .execute(),
    );
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
  await insertRows(
    db,
    'external_links',
    links.map((link) => ({
      id: newId(),
      org_id: scope.orgId,
      source_system_key: scope.sourceSystemKey,
      entity_type: link.entityType,
      external_id: link.externalId,
      entity_id: link.entityId,
      fingerprint: link.fingerprint,
      updated_at: now,
    })),
  );
}

/** Records the fingerprint of what was last synced for a link. */
export async function setLinkFingerprint(db: Kysely<Database>, linkId: string, fingerprint: string, now = Date.now()): Promise<void> {
  await db.updateTable('external_links').set({ fingerprint, updated_at: now }).where('id', '=', linkId).execute();
}

/** Where an entity came from: the record of a source system it is linked to. */
export interface EntityLink {
  readonly sourceSystemKey: string;
  readonly externalId: string;
  /** The integration with that sourceSystemKey; null once it is deleted (its links stay). */
  readonly integrationId: string | null;
}

/**
 * The links of `entityIds`, by entity id, in sourceSystemKey then externalId order:
 * one query for a whole page of entities (the API's pages are at most 500), not one
 * per entity. Entities without links are absent from the map.
 */
export async function linksOfEntities(db: Kysely<Database>, orgId: string, entityIds: readonly string[]): Promise<Map<string, EntityLink[]>> {
  const links = new Map<string, EntityLink[]>();
  for (const ids of chunks([...new Set(entityIds)])) {
    const rows = await db
      .selectFrom('external_links as l')
      .leftJoin('integrations as i', (join) => join.onRef('i.org_id', '=', 'l.org_id').onRef('i.source_system_key', '=', 'l.source_system_key'))
      .select(['l.entity_id', 'l.source_system_key', 'l.external_id', 'i.id as integration_id'])
      .where('l.org_id', '=', orgId)
      .where('l.entity_id', 'in', ids)
      .orderBy('l.source_system_key')
      .orderBy('l.external_id')
      .execute();
    for (const row of rows) {
      const link: EntityLink = { sourceSystemKey: row.source_system_key, externalId: row.external_id, integrationId: row.integration_id ?? null };
      const list = links.get(row.entity_id);
      if (list) list.push(link);
      else links.set(row.entity_id, [link]);
    }
  }
  return links;
}

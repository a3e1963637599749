/**
 * Keyset pagination over (created_at, id): stable under inserts, no OFFSET scans.
 * A cursor is opaque to clients: base64url of the last row's key.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { invalidField } from '../domain/errors.js';

export interface CursorKey {
  readonly createdAt: number;
  readonly id: string;
}

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify([key.createdAt, key.id])).toString('base64url');
}

export function decodeCursor(cursor: string): CursorKey {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    // Times are integer milliseconds in a bigint column: PostgreSQL refuses 1.5 or 1e300 (a 500 otherwise).
    if (Number.isSafeInteger(createdAt) && typeof id === 'string' && id.length <= 100) return { createdAt: createdAt as number, id };
  } catch {
    // fall through to the error below
  }
  throw invalidField('query/cursor', 'is not a cursor this API returned');
}

/** A page of results, as every list endpoint answers (docs/api.md). */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/**
 * Builds the page from rows fetched with `limit + 1`: the extra row only tells
 * whether there is a next page.
 */
export function toPage<R extends { created_at: number; id: string }, T>(
  rows: R[],
  limit: number,
  map: (row: R) => T,
): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return {
    items: kept.map(map),
    nextCursor: more && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null,
  };
}

/**
 * The where-clause that continues after `key` in `order`, for a single-table query
 * ordered by (created_at, id). Row values compare the same on SQLite and PostgreSQL.
 */
export function pastCursor(key: CursorKey, order: 'asc' | 'desc'): RawBuilder<SqlBool> {
  return order === 'asc'
    ? sql<SqlBool>`(created_at, id) > (${key.createdAt}, ${key.id})`
    : sql<SqlBool>`(created_at, id) < (${key.createdAt}, ${key.id})`;
}

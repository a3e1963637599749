import type SQLite from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';
import { LruMap } from '../lru-map.js';

/**
 * Wraps a better-sqlite3 database so Kysely reuses prepared statements. Kysely prepares
 * every query anew; preparing costs as much as running a small statement, and a PUSH
 * delivery or a PULL page repeats the same few statements thousands of times.
 * Least recently used statements are dropped past `size` (lru-map.ts); `close` replaces
 * the database's own, for an engine that has more to stop.
 */
export function withStatementCache(database: SQLite.Database, { size = 128, close = (): void => void database.close() }: { size?: number; close?: () => void } = {}): SqliteDatabase {
  const cache = new LruMap<string, SQLite.Statement>(size);
  return {
    close,
    prepare(sql) {
      const cached = cache.get(sql);
      // A statement still being iterated (a streamed query) cannot be run again.
      if (cached && !cached.busy) return cached;
      const statement = database.prepare(sql);
      cache.set(sql, statement);
      return statement;
    },
  };
}

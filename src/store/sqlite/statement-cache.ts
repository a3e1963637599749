import type SQLite from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/**
 * Wraps a better-sqlite3 database so Kysely reuses prepared statements. Kysely prepares
 * every query anew; preparing costs as much as running a small statement, and a PUSH
 * delivery or a PULL page repeats the same few statements thousands of times.
 * Least recently used statements are dropped past `size`.
 */
export function withStatementCache(database: SQLite.Database, size = 128): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(sql) {
      const cached = cache.get(sql);
      // A statement still being iterated (a streamed query) cannot be run again.
      if (cached && !cached.busy) {
        cache.delete(sql);
        cache.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      cache.set(sql, statement);
      if (cache.size > size) cache.delete(cache.keys().next().value!);
      return statement;
    },
  };
}

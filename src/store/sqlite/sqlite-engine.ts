import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { SqliteDialect, sql } from 'kysely';
import type { Engine } from '../dialect.js';
import { withStatementCache } from './statement-cache.js';

/**
 * Embedded SQLite (better-sqlite3) in WAL mode: readers never wait for the writer,
 * and one process owns the file.
 */
export function sqliteEngine(file: string): Engine {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  return {
    name: 'sqlite',
    dialect: new SqliteDialect({ database: withStatementCache(database) }),
    jsonText: (column, key) => sql<string | null>`cast(json_extract(${sql.ref(column)}, ${'$.' + JSON.stringify(key)}) as text)`,
  };
}

import path from 'node:path';
import SQLite from 'better-sqlite3';
import { SqliteDialect, sql } from 'kysely';
import type { Engine } from '../dialect.js';
import { ensurePrivateFile, ensurePrivateFolder, narrowExisting } from './data-folder.js';
import { withStatementCache } from './statement-cache.js';
import { BACKSTOP_PAGES, startWalCheckpointer } from './wal-checkpointer.js';

/**
 * Embedded SQLite (better-sqlite3) in WAL mode: readers never wait for the writer,
 * and one process owns the file (folder-lock.ts). The folder is created 0700 and the
 * database 0600 before SQLite opens it; SQLite gives its -wal and -shm files the
 * database's mode.
 */
export function sqliteEngine(file: string): Engine {
  if (file !== ':memory:') {
    ensurePrivateFolder(path.dirname(file));
    ensurePrivateFile(file);
  }
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const checkpointer = file === ':memory:' ? undefined : startWalCheckpointer(file);
  if (checkpointer) database.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  // Left by a version that did not narrow them.
  if (file !== ':memory:') narrowExisting([`${file}-wal`, `${file}-shm`]);
  let stopped: Promise<void> | undefined;
  return {
    name: 'sqlite',
    dialect: new SqliteDialect({
      database: withStatementCache(database, {
        close: () => {
          stopped = checkpointer?.stop();
          database.close();
        },
      }),
    }),
    // The checkpointer's connection may still be closing (and SQLite removing the -wal and
    // -shm files) after the database's own: the data folder is only free once it is done.
    closed: () => stopped ?? Promise.resolve(),
    jsonText: (column, key) => sql<string | null>`cast(json_extract(${sql.ref(column)}, ${'$.' + JSON.stringify(key)}) as text)`,
  };
}

/**
 * Online copies of the embedded database (`hookyard backup` and `hookyard restore`).
 *
 * A backup reads `hookyard.db` through a second, read-only connection while `serve`
 * keeps writing. That is safe without the data folder's lock: the lock guards the
 * server's read cache against writes it does not make, and a backup makes none. In WAL
 * mode a reader never blocks the writer, nor the writer the reader, and SQLite's online
 * backup copies one consistent snapshot: the last commit before the copy began, every
 * write acknowledged before it included. The copy runs in one step after the first, so
 * a write landing between steps (which restarts a stepped backup) cannot keep it from
 * finishing under steady load.
 */
import fs from 'node:fs';
import SQLite from 'better-sqlite3';
import { HookyardError } from '../../domain/errors.js';
import { FILE_MODE } from './data-folder.js';

/** What a copy holds. */
export interface CopySummary {
  readonly bytes: number;
  readonly tables: Readonly<Record<string, number>>;
}

/** Tables counted in the summary a backup and a restore print. */
const COUNTED = ['organisations', 'entities', 'integrations', 'hooks', 'secrets', 'executions', 'events'] as const;

/** Counts rows and checks the file's integrity; throws `HY_BAD_REQUEST` for a file that is not a sound Hookyard database. */
export function inspectCopy(file: string): CopySummary {
  let db: SQLite.Database;
  try {
    db = new SQLite(file, { readonly: true, fileMustExist: true });
  } catch (cause) {
    throw new HookyardError('HY_BAD_REQUEST', `${file} cannot be opened as an SQLite database`, { cause });
  }
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new HookyardError('HY_BAD_REQUEST', `${file} fails SQLite's integrity check: ${String(check)}`);
    const present = new Set((db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((r) => r.name));
    const missing = COUNTED.filter((table) => !present.has(table));
    if (missing.length > 0) throw new HookyardError('HY_BAD_REQUEST', `${file} is not a Hookyard database (no ${missing.join(', ')} table)`);
    const tables = Object.fromEntries(COUNTED.map((table) => [table, (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n]));
    return { bytes: fs.statSync(file).size, tables };
  } catch (err) {
    if (err instanceof HookyardError) throw err;
    throw new HookyardError('HY_BAD_REQUEST', `${file} is not a sound SQLite database: ${(err as Error).message}`, { cause: err });
  } finally {
    db.close();
  }
}

/**
 * Copies the database `source` to `target` (which must not exist) with SQLite's online
 * backup, as one self-contained file (rollback journal, no `-wal`) of mode 0600. The
 * copy is written beside `target` and renamed into place once checked, so `target` is
 * either a whole copy or absent.
 */
export async function backupSqlite(source: string, target: string): Promise<CopySummary> {
  if (!fs.existsSync(source)) throw new HookyardError('HY_NOT_FOUND', `there is no database at ${source}`);
  if (fs.existsSync(target)) throw new HookyardError('HY_CONFLICT', `${target} exists already; choose a new file name`);
  const partial = `${target}.partial-${process.pid}`;
  fs.writeFileSync(partial, '', { mode: FILE_MODE, flag: 'wx' });
  const db = new SQLite(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // After the first step (100 pages), the rest goes in one step: see the file's comment.
    await db.backup(partial, { progress: ({ remainingPages }) => Math.max(remainingPages, 1) });
    const copy = new SQLite(partial);
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    const summary = inspectCopy(partial);
    const fd = fs.openSync(partial, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(partial, target);
    return summary;
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  } finally {
    db.close();
  }
}

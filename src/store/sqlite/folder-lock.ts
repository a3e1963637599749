/**
 * One owner of the embedded data folder. The embedded read cache assumes that its
 * process makes every write, so `serve` holds an exclusive lock on the folder while it
 * runs, and `migrate`, `keys create` and `orgs create` hold it while they write.
 *
 * The lock is an SQLite database of its own (`hookyard.lock`) opened with
 * `locking_mode = EXCLUSIVE` and written once: SQLite then keeps its exclusive file
 * lock until the connection closes, and the operating system drops it when the process
 * dies, so a `kill -9` leaves no stale lock. (A lock on `hookyard.db` itself would not
 * do: in WAL mode other connections still read and write it.) A lock held by another
 * process cannot be read through, so the holder also writes who it is to
 * `hookyard.pid`, which only serves the refusal message; a stale one is overwritten.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { HookyardError } from '../../domain/errors.js';
import { ensurePrivateFile, ensurePrivateFolder, FILE_MODE } from './data-folder.js';

/** The lock database and the holder's description, in the data folder. */
export const LOCK_FILE = 'hookyard.lock';
export const HOLDER_FILE = 'hookyard.pid';

/** Who holds a data folder, as written to {@link HOLDER_FILE}. */
export interface FolderHolder {
  readonly pid: number;
  /** What runs there, e.g. `hookyard serve`. */
  readonly command: string;
  /** ISO time the lock was taken. */
  readonly since: string;
}

/** A held lock; `release` is idempotent. */
export interface FolderLock {
  readonly dataDir: string;
  release(): void;
}

function readHolder(dataDir: string): FolderHolder | undefined {
  try {
    const holder = JSON.parse(fs.readFileSync(path.join(dataDir, HOLDER_FILE), 'utf8')) as FolderHolder;
    return Number.isInteger(holder.pid) ? holder : undefined;
  } catch {
    return undefined;
  }
}

function describeHolder(holder: FolderHolder | undefined): string {
  return holder ? `${holder.command} (pid ${holder.pid}, since ${holder.since})` : 'another process (it has not said which yet)';
}

const isBusy = (err: unknown) => /^SQLITE_(BUSY|LOCKED)/.test(String((err as { code?: unknown }).code));

/**
 * Takes the data folder's lock for `command` (a name for the refusal message others
 * get), creating the folder 0700 when missing. Throws `HY_CONFLICT` naming the folder and
 * the process holding it when another holds it; never waits.
 *
 * @example const lock = lockDataFolder(config.dataDir, 'hookyard serve'); … lock.release();
 */
export function lockDataFolder(dataDir: string, command: string): FolderLock {
  ensurePrivateFolder(dataDir);
  const file = path.join(dataDir, LOCK_FILE);
  ensurePrivateFile(file);
  const db = new SQLite(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock; in this locking mode it is kept after the commit.
    db.exec('create table if not exists taken (at integer not null); delete from taken; insert into taken values (unixepoch())');
  } catch (err) {
    db.close();
    if (!isBusy(err)) throw err;
    throw new HookyardError(
      'HY_CONFLICT',
      `the data folder ${dataDir} is in use by ${describeHolder(readHolder(dataDir))}; stop it first, or make the change through its API`,
      { cause: err },
    );
  }
  const holder: FolderHolder = { pid: process.pid, command, since: new Date().toISOString() };
  const holderFile = path.join(dataDir, HOLDER_FILE);
  fs.writeFileSync(holderFile, `${JSON.stringify(holder)}\n`, { mode: FILE_MODE });
  let held = true;
  return {
    dataDir,
    release() {
      if (!held) return;
      held = false;
      if (readHolder(dataDir)?.pid === process.pid) fs.rmSync(holderFile, { force: true });
      db.close();
    },
  };
}

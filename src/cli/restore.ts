/**
 * `hookyard restore FILE`: puts a copy made by `hookyard backup` into an empty data
 * folder. It refuses a folder that a running `serve` holds (the folder's lock) or that
 * has a database already, and a master key that does not decrypt every secret in the
 * copy, so a restored server never starts with secrets it cannot read.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Command } from 'commander';
import { Kysely, SqliteDialect } from 'kysely';
import { HookyardError } from '../domain/errors.js';
import { createSecretBox } from '../domain/secret-box.js';
import type { Database } from '../store/schema.js';
import { checkSecrets } from '../store/secrets.js';
import { ensurePrivateFolder, FILE_MODE } from '../store/sqlite/data-folder.js';
import { lockDataFolder } from '../store/sqlite/folder-lock.js';
import { inspectCopy } from '../store/sqlite/online-backup.js';
import { describeCopy } from './backup.js';
import { configFrom, withStoreFlags, type StoreFlags } from './store-options.js';

/** The master key the restored folder will use, and whether it must be written there. */
function chooseKey(dataDir: string, keyArg: string | undefined, fromEnv: string | undefined): { key: string; write: boolean } {
  const inFolder = path.join(dataDir, 'master.key');
  const existing = fs.existsSync(inFolder) ? fs.readFileSync(inFolder, 'utf8').trim() : undefined;
  if (keyArg !== undefined) {
    const key = fs.readFileSync(path.resolve(keyArg), 'utf8').trim();
    if (existing !== undefined && existing !== key) throw new HookyardError('HY_CONFLICT', `${inFolder} holds another master key; remove it or leave out --master-key`);
    return { key, write: existing === undefined };
  }
  const key = fromEnv ?? existing;
  if (key === undefined) {
    throw new HookyardError('HY_BAD_REQUEST', 'give the master key of the copy with --master-key KEYFILE (or HOOKYARD_MASTER_KEY): without it its secrets cannot be read');
  }
  return { key, write: false };
}

async function unreadableSecrets(file: string, key: string): Promise<{ total: number; unreadable: readonly string[] }> {
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(file, { readonly: true, fileMustExist: true }) }) });
  try {
    return await checkSecrets(db, createSecretBox(key));
  } finally {
    await db.destroy();
  }
}

/** Builds the `restore` command. */
export function restoreCommand(): Command {
  return withStoreFlags(new Command('restore').description('restore a copy made by hookyard backup into an empty data folder'))
    .argument('<file>', 'the copy to restore')
    .option('--master-key <keyfile>', 'the master key of the copy (as written by backup --master-key-out); put into the data folder')
    .action(async (file: string, flags: StoreFlags & { masterKey?: string }) => {
      const config = configFrom(flags);
      if (config.databaseUrl) throw new HookyardError('HY_BAD_REQUEST', 'hookyard restore fills an embedded data folder; for PostgreSQL use pg_restore');
      const source = path.resolve(file);
      const summary = inspectCopy(source);
      const lock = lockDataFolder(config.dataDir, 'hookyard restore');
      try {
        const target = path.join(config.dataDir, 'hookyard.db');
        const present = [target, `${target}-wal`].filter((f) => fs.existsSync(f));
        if (present.length > 0) {
          throw new HookyardError('HY_CONFLICT', `the data folder ${config.dataDir} has a database already (${present.map((f) => path.basename(f)).join(', ')}); restore into an empty folder`);
        }
        const { key, write } = chooseKey(config.dataDir, flags.masterKey, config.masterKey);
        const secrets = await unreadableSecrets(source, key);
        if (secrets.unreadable.length > 0) {
          throw new HookyardError('HY_BAD_REQUEST', `the master key does not decrypt ${secrets.unreadable.length} of the ${secrets.total} secrets in ${source}; give the key it was made with`);
        }
        ensurePrivateFolder(config.dataDir);
        const partial = `${target}.partial-${process.pid}`;
        fs.copyFileSync(source, partial, fs.constants.COPYFILE_EXCL);
        fs.chmodSync(partial, FILE_MODE);
        fs.renameSync(partial, target);
        if (write) fs.writeFileSync(path.join(config.dataDir, 'master.key'), `${key}\n`, { mode: FILE_MODE, flag: 'wx' });
        console.log(`Restored ${source} into ${config.dataDir}: ${describeCopy(summary)}; all ${secrets.total} secrets decrypt with the master key.`);
      } finally {
        lock.release();
      }
    });
}

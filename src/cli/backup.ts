/**
 * `hookyard backup FILE`: a consistent copy of the embedded database, made while
 * `hookyard serve` runs (or not); see store/sqlite/online-backup.ts for why a second,
 * read-only connection is safe next to the running server. The master key is not put in
 * the copy: together they would reveal every secret, so the key is kept apart, by
 * `--master-key-out KEYFILE` or by whoever keeps `HOOKYARD_MASTER_KEY`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { HookyardError } from '../domain/errors.js';
import { FILE_MODE } from '../store/sqlite/data-folder.js';
import { backupSqlite, type CopySummary } from '../store/sqlite/online-backup.js';
import { configFrom, withStoreFlags, type StoreFlags } from './store-options.js';

/** One line about what a copy holds, e.g. `2 organisations, 140 entities, 3 secrets`. */
export function describeCopy(summary: CopySummary): string {
  const { organisations, entities, integrations, hooks, secrets, executions, events } = summary.tables;
  return `${organisations} organisations, ${entities} entities, ${integrations} integrations, ${hooks} hooks, ${secrets} secrets, ${executions} executions, ${events} events (${summary.bytes} bytes)`;
}

/** Builds the `backup` command. */
export function backupCommand(): Command {
  return withStoreFlags(new Command('backup').description('copy the embedded database to FILE while Hookyard runs'))
    .argument('<file>', 'the copy to write (it must not exist)')
    .option('--master-key-out <keyfile>', 'also write the master key to KEYFILE (mode 0600); keep it apart from the copy')
    .action(async (file: string, flags: StoreFlags & { masterKeyOut?: string }) => {
      const config = configFrom(flags);
      if (config.databaseUrl) {
        throw new HookyardError('HY_BAD_REQUEST', 'hookyard backup copies the embedded database; for PostgreSQL use pg_dump (and keep HOOKYARD_MASTER_KEY with your other secrets)');
      }
      const target = path.resolve(file);
      const summary = await backupSqlite(path.join(config.dataDir, 'hookyard.db'), target);
      console.log(`Backed up ${config.dataDir} to ${target}: ${describeCopy(summary)}`);
      const keyFile = path.join(config.dataDir, 'master.key');
      if (flags.masterKeyOut !== undefined) {
        const key = config.masterKey ?? (fs.existsSync(keyFile) ? fs.readFileSync(keyFile, 'utf8').trim() : undefined);
        if (key === undefined) throw new HookyardError('HY_NOT_FOUND', `there is no master key: ${keyFile} does not exist and HOOKYARD_MASTER_KEY is not set`);
        fs.writeFileSync(path.resolve(flags.masterKeyOut), `${key}\n`, { mode: FILE_MODE, flag: 'wx' });
        console.log(`Wrote the master key to ${path.resolve(flags.masterKeyOut)}: keep it apart from the copy.`);
      } else if (config.masterKey || fs.existsSync(keyFile)) {
        const where = config.masterKey ? 'HOOKYARD_MASTER_KEY' : keyFile;
        console.log(`The master key is not in the copy: keep ${where} safe and apart from it; without it the secrets in the copy cannot be read.`);
      } else {
        console.log(`There is no master key yet (${keyFile} does not exist), so the copy holds no secrets.`);
      }
    });
}

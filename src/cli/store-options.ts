/** Options every command that touches the database shares. */
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { migrate, openStore, type Store } from '../store/db.js';

export interface StoreFlags {
  dataDir?: string;
  databaseUrl?: string;
}

/** Adds `--data-dir` and `--database-url` (they override HOOKYARD_DATA_DIR / HOOKYARD_DATABASE_URL). */
export function withStoreFlags(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'folder of the embedded SQLite database (HOOKYARD_DATA_DIR, default ./data)')
    .option('--database-url <url>', 'postgres://… to use PostgreSQL instead of SQLite (HOOKYARD_DATABASE_URL)');
}

export function configFrom(flags: StoreFlags): Config {
  return loadConfig(process.env, {
    ...(flags.dataDir !== undefined && { dataDir: flags.dataDir }),
    ...(flags.databaseUrl !== undefined && { databaseUrl: flags.databaseUrl }),
  });
}

/** Opens and migrates the configured store, runs `fn`, and always closes the store. */
export async function withStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore(config);
  try {
    await migrate(store);
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Options every command that touches the database shares. */
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { migrate, openStore, type Store } from '../store/db.js';
import { lockDataFolder, type FolderLock } from '../store/sqlite/folder-lock.js';

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

/**
 * The data folder's lock when the store is embedded (it has one owner), else nothing;
 * see store/sqlite/folder-lock.ts.
 */
export function lockEmbeddedStore(config: Config, command: string): FolderLock | undefined {
  return config.databaseUrl ? undefined : lockDataFolder(config.dataDir, command);
}

/**
 * Opens and migrates the configured store, runs `fn` (given the migrations just applied),
 * and always closes the store. An
 * embedded store is locked meanwhile, so this refuses a data folder that a running
 * `serve` owns (its read cache would not see these writes).
 */
export async function withStore<T>(config: Config, command: string, fn: (store: Store, applied: string[]) => Promise<T>): Promise<T> {
  const lock = lockEmbeddedStore(config, command);
  try {
    const store = openStore(config);
    try {
      const applied = await migrate(store);
      return await fn(store, applied);
    } finally {
      await store.close();
    }
  } finally {
    lock?.release();
  }
}

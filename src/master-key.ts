/**
 * The master key that encrypts integration secrets. Given by HOOKYARD_MASTER_KEY; in
 * embedded mode a random one is kept in `<data dir>/master.key` (mode 0600), created
 * on first use. PostgreSQL deployments share one database between machines, so they
 * must be given the key explicitly.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import { HookyardError } from './domain/errors.js';
import { ensurePrivateFolder } from './store/sqlite/data-folder.js';

export function resolveMasterKey(config: Config): string {
  if (config.masterKey) return config.masterKey;
  if (config.databaseUrl) {
    throw new HookyardError('HY_BAD_REQUEST', 'HOOKYARD_MASTER_KEY must be set when HOOKYARD_DATABASE_URL is (every node needs the same key); e.g. `openssl rand -base64 32`');
  }
  const file = path.join(config.dataDir, 'master.key');
  ensurePrivateFolder(config.dataDir);
  try {
    fs.writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return fs.readFileSync(file, 'utf8').trim();
}

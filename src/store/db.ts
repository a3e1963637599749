/**
 * Opens the store: the dialect from configuration (embedded SQLite in the data folder,
 * or PostgreSQL when a `postgres://` URL is given), a typed Kysely instance, and the
 * migrations.
 */
import path from 'node:path';
import { Kysely, Migrator, type Migration, type MigrationProvider } from 'kysely';
import { HookyardError } from '../domain/errors.js';
import type { Engine } from './dialect.js';
import type { Database } from './schema.js';
import { CONFIG_CHANNEL, ReadCache, attachReadCache } from './read-cache.js';
import { signallingDialect } from './outbox-signal.js';
import { attachGroupCommit } from './transaction.js';
import { postgresEngine } from './postgres/postgres-engine.js';
import { sqliteEngine } from './sqlite/sqlite-engine.js';
import * as m0001 from './migrations/0001-initial.js';
import * as m0002 from './migrations/0002-job-sequence.js';
import * as m0003 from './migrations/0003-events-notify.js';
import * as m0004 from './migrations/0004-job-claim-indexes.js';
import * as m0005 from './migrations/0005-remote-hooks.js';
import * as m0006 from './migrations/0006-events-retention.js';
import * as m0007 from './migrations/0007-config-notify.js';
import * as m0008 from './migrations/0008-automations.js';
import * as m0009 from './migrations/0009-automation-schedule-runs.js';
import * as m0010 from './migrations/0010-outbox-indexes.js';
import * as m0011 from './migrations/0011-jobs-notify.js';
import * as m0012 from './migrations/0012-events-unnotify.js';
import * as m0013 from './migrations/0013-sync-foreign-keys.js';

/** The open database: typed queries through `db`, dialect specifics through `engine`. */
export interface Store {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** `postgres://…`, or undefined for SQLite. */
  readonly databaseUrl?: string;
  /** Folder of the SQLite file (`hookyard.db`). */
  readonly dataDir: string;
}

/** The migrations in order; each is a numbered file in `migrations/`. */
const MIGRATIONS = [
  ['0001-initial', m0001],
  ['0002-job-sequence', m0002],
  ['0003-events-notify', m0003],
  ['0004-job-claim-indexes', m0004],
  ['0005-remote-hooks', m0005],
  ['0006-events-retention', m0006],
  ['0007-config-notify', m0007],
  ['0008-automations', m0008],
  ['0009-automation-schedule-runs', m0009],
  ['0010-outbox-indexes', m0010],
  ['0011-jobs-notify', m0011],
  ['0012-events-unnotify', m0012],
  ['0013-sync-foreign-keys', m0013],
] as const;

export function openStore(options: StoreOptions): Store {
  const url = options.databaseUrl;
  let engine: Engine;
  if (url === undefined) {
    engine = sqliteEngine(path.join(options.dataDir, 'hookyard.db'));
  } else if (/^postgres(ql)?:\/\//.test(url)) {
    engine = postgresEngine(url);
  } else {
    throw new HookyardError('HY_BAD_REQUEST', `HOOKYARD_DATABASE_URL must start with postgres://, got "${url.split(':')[0]}:…"`);
  }
  // One process makes every write to an embedded database, so its cache sees them all. A
  // shared PostgreSQL also tells every process of the others' writes (migration 0007), and
  // the cache keeps values only while it listens.
  const notifications = engine.notifications;
  const cache = new ReadCache(notifications === undefined ? {} : { shared: { ping: () => notifications.notify(db, CONFIG_CHANNEL) } });
  const db: Kysely<Database> = new Kysely<Database>({ dialect: signallingDialect(engine.dialect), plugins: [cache] });
  attachReadCache(db, cache);
  if (engine.name === 'sqlite') attachGroupCommit(db);
  const listening = notifications
    ?.listen(CONFIG_CHANNEL, () => cache.changedElsewhere(), (on) => cache.listening(on))
    // Without notifications the cache stays off: every read goes to the database.
    .catch(() => undefined);
  return {
    db,
    engine,
    async close() {
      cache.listening(false);
      await (await listening)?.close();
      await db.destroy();
      await engine.closed?.();
    },
  };
}

class StaticProvider implements MigrationProvider {
  constructor(private readonly engine: Engine) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const engine = this.engine;
    return Object.fromEntries(
      MIGRATIONS.map(([name, module]) => [name, { up: (db: Kysely<any>) => module.up(db, engine.name) }]),
    );
  }
}

/** Brings the schema up to date; safe to call from several processes at once. */
export async function migrate(store: Store): Promise<string[]> {
  const migrator = new Migrator({ db: store.db, provider: new StaticProvider(store.engine) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw new HookyardError('HY_INTERNAL', `migration failed: ${(error as Error).message ?? error}`, { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

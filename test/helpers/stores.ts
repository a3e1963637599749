/**
 * Runs a test suite once per storage engine, as Kysely's own tests do: SQLite in a
 * fresh temporary folder, and the machine's real PostgreSQL in a fresh database.
 *
 * PostgreSQL is found at HOOKYARD_TEST_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres).
 * When no server answers, its suites are skipped with a message, except with CI=true,
 * where that is a failure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';
import { migrate, openStore, type Store } from '../../src/store/db.js';

export const PG_ADMIN_URL = process.env.HOOKYARD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** How to get a fresh, empty, migrated database of one engine. */
export interface TestEngine {
  readonly name: 'sqlite' | 'postgres';
  /** Settings that point a Hookyard process at a fresh database. */
  createDatabase(): Promise<{ databaseUrl?: string; dataDir: string; drop(): Promise<void> }>;
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-test-'));
}

const sqlite: TestEngine = {
  name: 'sqlite',
  async createDatabase() {
    const dataDir = tempDir();
    return { dataDir, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  },
};

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

const postgres: TestEngine = {
  name: 'postgres',
  async createDatabase() {
    const name = `hookyard_t_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`create database ${name}`);
    } finally {
      await admin.end();
    }
    const dataDir = tempDir();
    return {
      databaseUrl: withDatabase(PG_ADMIN_URL, name),
      dataDir,
      async drop() {
        fs.rmSync(dataDir, { recursive: true, force: true });
        const c = new pg.Client({ connectionString: PG_ADMIN_URL });
        await c.connect();
        try {
          // pg's pool.end() resolves before its clients' sockets close; forcing the drop while
          // one is still closing makes that client throw an uncaught 57P01. Wait for them first.
          for (let i = 0; i < 50; i++) {
            const { rows } = await c.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
            if (rows[0].n === 0) break;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          await c.query(`drop database if exists ${name} with (force)`);
        } finally {
          await c.end();
        }
      },
    };
  },
};

let pgAvailable: Promise<boolean> | undefined;

/** Whether the PostgreSQL server answers; asked once per test file. */
export function postgresAvailable(): Promise<boolean> {
  pgAvailable ??= (async () => {
    const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      await c.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await c.end().catch(() => {});
    }
  })();
  return pgAvailable;
}

const pgUp = await postgresAvailable();
if (!pgUp) {
  if (process.env.CI === 'true') {
    throw new Error(`PostgreSQL does not answer at ${PG_ADMIN_URL}, and CI=true requires it`);
  }
  console.warn(`[hookyard tests] PostgreSQL does not answer at ${PG_ADMIN_URL}: its suites are skipped`);
}

/** The engines whose server is present. */
export const ENGINES: readonly TestEngine[] = pgUp ? [sqlite, postgres] : [sqlite];

/**
 * `describe` the suite once per engine. Engines whose server is absent appear as
 * skipped suites, so the report shows what did not run.
 */
export function describeEachEngine(title: string, suite: (engine: TestEngine) => void): void {
  describe.each([sqlite, postgres].map((e) => ({ name: e.name, engine: e })))(`${title} [$name]`, ({ engine }) => {
    if (engine.name === 'postgres' && !pgUp) {
      describe.skip('PostgreSQL is not running', () => suite(engine));
      return;
    }
    suite(engine);
  });
}

/** A fresh migrated store of the given engine; call `dispose` in afterAll/afterEach. */
export async function freshStore(engine: TestEngine): Promise<{ store: Store; databaseUrl?: string; dispose(): Promise<void> }> {
  const target = await engine.createDatabase();
  const store = openStore(target);
  await migrate(store);
  return {
    store,
    databaseUrl: target.databaseUrl,
    async dispose() {
      await store.close();
      await target.drop();
    },
  };
}

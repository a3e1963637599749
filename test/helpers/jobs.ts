/** Helpers for the job layer's tests. */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { migrate, openStore, type Store } from '../../src/store/db.js';
import type { Database } from '../../src/store/schema.js';
import type { TestEngine } from './stores.js';

/** Inserts an organisation (jobs reference one) and returns its id. */
export async function insertOrg(db: Kysely<Database>): Promise<string> {
  const id = randomUUID();
  await db.insertInto('organisations').values({ id, slug: `org-${id.slice(0, 8)}`, name: 'Test', time_zone: 'UTC', created_at: Date.now() }).execute();
  return id;
}

/** A job kind no other test claims. */
export function uniqueKind(label: string): string {
  return `test.${label}.${randomUUID().slice(0, 8)}`;
}

/** Resolves once `check` returns true, polling every 10 ms; rejects after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A promise with its resolve function outside. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A fresh migrated database with an organisation, and a second pool on it. */
export interface JobStores {
  readonly store: Store;
  /** PostgreSQL: a second pool on the same database, standing for a second machine; SQLite: `store`. */
  readonly other: Store;
  readonly orgId: string;
  dispose(): Promise<void>;
}

export async function openJobStores(engine: TestEngine): Promise<JobStores> {
  const target = await engine.createDatabase();
  const store = openStore(target);
  await migrate(store);
  const other = engine.name === 'postgres' ? openStore(target) : store;
  const orgId = await insertOrg(store.db);
  return {
    store,
    other,
    orgId,
    async dispose() {
      if (other !== store) await other.close();
      await store.close();
      await target.drop();
    },
  };
}

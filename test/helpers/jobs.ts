/** Helpers for the job layer's tests. */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.js';

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

/**
 * SQL text built once and kept, per database adapter (one per dialect: a transaction
 * shares its database's) and key. The queue's statements run for every job; Kysely
 * would build each anew from every value of every row, though the text only depends on
 * the shape (the row count, the number of kinds), and the values are bound.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

const texts = new WeakMap<object, Map<string, string>>();

/** The SQL of `key` on `db`'s dialect: `build()`'s, the first time. */
export function builtSql(db: Kysely<Database>, key: string, build: () => string): string {
  const adapter = db.getExecutor().adapter;
  let byKey = texts.get(adapter);
  if (!byKey) texts.set(adapter, (byKey = new Map()));
  let text = byKey.get(key);
  if (text === undefined) byKey.set(key, (text = build()));
  return text;
}

/**
 * SQL text built once and kept, per database adapter (one per dialect: a transaction
 * shares its database's) and shape. The queue's statements run for every job and a PULL
 * page inserts hundreds of rows; Kysely would build each statement anew from every value
 * of every row, though the text only depends on the shape (the table and columns, the row
 * count, the number of kinds), and the values are bound. SQLite then also finds its
 * prepared statement by that same string.
 */
import type { Kysely } from 'kysely';
import { LruMap } from './lru-map.js';
import type { Database } from './schema.js';

/**
 * Shapes kept per dialect. A PUSH load uses about 150 (enqueues, claims and completions
 * of 1 to 64 rows), a PULL sync a few dozen; an insert of 500 rows is 10 – 30 KB of text,
 * so a dialect's texts stay under about 8 MB even when every shape is that large.
 */
const MAX_SHAPES = 256;

const texts = new WeakMap<object, LruMap<string, string>>();

/** The SQL of shape `key` on `db`'s dialect: `build()`'s, the first time (and again once evicted). */
export function builtSql(db: Kysely<Database>, key: string, build: () => string): string {
  const adapter = db.getExecutor().adapter;
  let byKey = texts.get(adapter);
  if (!byKey) texts.set(adapter, (byKey = new LruMap(MAX_SHAPES)));
  let text = byKey.get(key);
  if (text === undefined) byKey.set(key, (text = build()));
  return text;
}

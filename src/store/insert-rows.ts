/**
 * Multi-row inserts for batches (PULL pages): many rows per statement, with the
 * statement's SQL built by Kysely once per shape instead of once per call.
 */
import { CompiledQuery, type Insertable, type Kysely } from 'kysely';
import { builtSql } from './built-sql.js';
import type { Database } from './schema.js';

/** Rows per statement: 5,000 parameters at 10 columns, well under SQLite's and PostgreSQL's limits. */
const ROWS_PER_STATEMENT = 500;

/**
 * Inserts `rows` into `table`, up to {@link ROWS_PER_STATEMENT} per statement. Every row
 * must have the same keys, and no `undefined` value. Kysely parses every value of every
 * row when it builds an insert (a tenth of a first PULL sync); the SQL only depends on the
 * table, the columns and the row count, so it is built once per shape (built-sql.ts).
 */
export async function insertRows<T extends keyof Database & string>(db: Kysely<Database>, table: T, rows: readonly Insertable<Database[T]>[]): Promise<void> {
  if (rows.length === 0) return;
  const first = rows[0]!;
  const columns = Object.keys(first) as (keyof typeof first & string)[];
  const shape = `insert:${table}:${columns.join(',')}`;
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const part = rows.slice(start, start + ROWS_PER_STATEMENT);
    // Built from copies of the first row, so its columns are in `columns`' order.
    const text = builtSql(db, `${shape}:${part.length}`, () => db.insertInto(table).values(new Array(part.length).fill(first) as never).compile().sql);
    const parameters: unknown[] = [];
    for (const row of part) for (const column of columns) parameters.push(row[column]);
    await db.executeQuery(CompiledQuery.raw(text, parameters));
  }
}

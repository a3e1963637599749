/**
 * The small interface behind which SQLite and PostgreSQL differ. Everything else in
 * `store/` is dialect-free Kysely.
 */
import type { Dialect, RawBuilder } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

export interface Engine {
  readonly name: DialectName;
  /** The Kysely dialect, with a connection (pool) already configured. */
  readonly dialect: Dialect;
  /** The text value of top-level `key` of a JSON text column, for filters. */
  jsonText(column: string, key: string): RawBuilder<string | null>;
}

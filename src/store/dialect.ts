/**
 * The small interface behind which SQLite and PostgreSQL differ. Everything else in
 * `store/` is dialect-free Kysely.
 */
import type { Dialect, Kysely, RawBuilder } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

export interface Engine {
  readonly name: DialectName;
  /** The Kysely dialect, with a connection (pool) already configured. */
  readonly dialect: Dialect;
  /** The text value of top-level `key` of a JSON text column, for filters. */
  jsonText(column: string, key: string): RawBuilder<string | null>;
  /** Cross-process wake-ups (PostgreSQL LISTEN/NOTIFY); absent where one process owns the data. */
  readonly notifications?: Notifications;
  /** Resolves once what the engine runs beside its connection has ended, after the database is destroyed. */
  closed?(): Promise<void>;
}

/** Wakes other processes that share the database, e.g. workers after an enqueue. */
export interface Notifications {
  /** Sends a notification on `channel` through `db`; inside a transaction it goes out on commit. */
  notify(db: Kysely<any>, channel: string): Promise<void>;
  /**
   * Calls `onNotify` for every notification on `channel`, over a dedicated connection that
   * reconnects by itself; resolves once listening. `onState` hears when the connection is
   * lost (false: notifications may be missed from then on) and listens again (true).
   */
  listen(channel: string, onNotify: () => void, onState?: (listening: boolean) => void): Promise<Listening>;
}

/** A running `listen`; `close` ends its connection. */
export interface Listening {
  close(): Promise<void>;
}

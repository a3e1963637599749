/**
 * Wake-ups for the outbox dispatcher when outbox events are written: the store tells this
 * process's dispatchers once a statement or transaction that inserted events has
 * committed ({@link signallingDialect}, on both engines).
 *
 * Every `serve` and `worker` process runs a dispatcher, so the process that wrote an
 * event dispatches it; on PostgreSQL the dispatchers of several processes take turns
 * under a lock, and one that finds the lock taken tries again shortly (dispatch.ts).
 * Events written by anything else (psql, a process without a dispatcher) are found by the
 * dispatcher's poll.
 *
 * PostgreSQL once sent a notification from every transaction that wrote events (migration
 * 0003, dropped by 0012). A transaction that notifies takes a lock that is database-wide
 * and held through its commit, so every API write's commit, WAL flush included, waited
 * for the one before: about 3,800 such inserts a second where plain ones made 11,000 –
 * 15,000, from 32 clients on 10 connections.
 *
 * Listeners are per process, not per store: a wake-up for another store of the same
 * process (tests open many) costs that dispatcher one cheap read.
 */
import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryCompiler, QueryResult, TransactionSettings } from 'kysely';
import { createSignal } from '../domain/signal.js';

/** How a driver is handed the compiler for savepoint commands. */
type Compile = QueryCompiler['compileQuery'];

const outboxWrite = createSignal();

/** Calls `listener` whenever events were committed in this process; returns the unsubscribe function. */
export const onOutboxWrite = outboxWrite.on;

/** Whether a statement inserts outbox events (every statement the store builds names the table so). */
const insertsEvents = (query: CompiledQuery): boolean => query.sql.includes('insert into "events"');

/** A connection of {@link SignallingDriver}: whether its open transaction has inserted events. */
class SignallingConnection implements DatabaseConnection {
  readonly inner: DatabaseConnection;
  inTransaction = false;
  wroteEvents = false;

  constructor(inner: DatabaseConnection) {
    this.inner = inner;
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.inner.executeQuery<R>(query);
    if (insertsEvents(query)) {
      if (this.inTransaction) this.wroteEvents = true;
      else outboxWrite.emit();
    }
    return result;
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

/** A driver that signals {@link onOutboxWrite} after each commit (or statement outside one) that inserted events. */
class SignallingDriver implements Driver {
  readonly #inner: Driver;

  constructor(inner: Driver) {
    this.#inner = inner;
  }

  init(): Promise<void> {
    return this.#inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return new SignallingConnection(await this.#inner.acquireConnection());
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const c = connection as SignallingConnection;
    await this.#inner.beginTransaction(c.inner, settings);
    c.inTransaction = true;
    c.wroteEvents = false;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as SignallingConnection;
    try {
      await this.#inner.commitTransaction(c.inner);
      if (c.wroteEvents) outboxWrite.emit();
    } finally {
      // A failed commit wrote nothing that stands (the caller rolls back).
      c.inTransaction = false;
      c.wroteEvents = false;
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as SignallingConnection;
    c.inTransaction = false;
    c.wroteEvents = false;
    await this.#inner.rollbackTransaction(c.inner);
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: Compile): Promise<void> {
    await this.#inner.savepoint!((connection as SignallingConnection).inner, name, compile);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: Compile): Promise<void> {
    // What the rolled-back part wrote may be gone; a wake-up too many costs one read.
    await this.#inner.rollbackToSavepoint!((connection as SignallingConnection).inner, name, compile);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: Compile): Promise<void> {
    await this.#inner.releaseSavepoint!((connection as SignallingConnection).inner, name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection((connection as SignallingConnection).inner);
  }

  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}

/** `dialect`, whose driver signals {@link onOutboxWrite} once events are committed. */
export function signallingDialect(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new SignallingDriver(dialect.createDriver()),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
}

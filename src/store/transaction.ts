/** Running work in one transaction without nesting one inside another, and group commit. */
import { CompiledQuery, type ControlledTransaction, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Runs `work` in a transaction: the caller's, when `db` already is one (a PULL page
 * writes many entities in its own), else a new one, or, on the embedded store, a
 * savepoint of a transaction shared with the others that start in the same turn of the
 * event loop (see {@link GroupCommit}).
 */
export function inTransaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db);
  const group = groups.get(db);
  return group ? group.run(work) : db.transaction().execute(work);
}

interface Queued {
  readonly work: (trx: Kysely<Database>) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The savepoint commands of a work, run as they are: Kysely's savepoint API builds a new
 * transaction object and compiles its command for every one, and a group of entity
 * writes runs two of them per work.
 */
const savepoint = (trx: Kysely<Database>, command: 'savepoint' | 'release' | 'rollback to') => trx.executeQuery(CompiledQuery.raw(`${command} "work"`));

/**
 * Group commit: the works that start in one turn of the event loop share one transaction
 * and one commit. A commit is the expensive part of a small write (SQLite writes every
 * page the transaction touched to the WAL, and concurrent writes append to the same table
 * and index pages; PostgreSQL flushes its WAL), so one commit for many writes pays it once.
 * Used for the embedded store's entity writes ({@link inTransaction}); a worker's job
 * outcomes commit in groups of their own (jobs/outcome-commit.ts).
 *
 * Each work runs in its own savepoint (a work alone, in the transaction itself), one after
 * the other, as separate transactions would: a work that throws is rolled back to its
 * savepoint and its caller gets the error, and the others go on. The callers whose work succeeded hear of it only once the shared
 * transaction has committed, and all of them get the error if the commit fails.
 */
class GroupCommit {
  readonly #db: Kysely<Database>;
  #queue: Queued[] = [];

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  run<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      // One flush per turn. One that starts while the last still commits waits for SQLite's
      // one connection; on PostgreSQL it takes another.
      if (this.#queue.length === 1) setImmediate(() => void this.#flush());
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    const unsettled = new Set(batch);
    const succeeded: Array<readonly [Queued, unknown]> = [];
    let trx: ControlledTransaction<Database> | undefined;
    try {
      trx = await this.#db.startTransaction().execute();
      // A work alone needs no savepoint: its failure rolls back only itself (two statements
      // fewer for a write that had the turn to itself).
      const alone = batch.length === 1;
      for (const item of batch) {
        if (alone) {
          try {
            succeeded.push([item, await item.work(trx)]);
          } catch (error) {
            unsettled.delete(item);
            item.reject(error);
            await trx.rollback().execute();
            return;
          }
          continue;
        }
        await savepoint(trx, 'savepoint');
        try {
          succeeded.push([item, await item.work(trx)]);
          await savepoint(trx, 'release');
        } catch (error) {
          unsettled.delete(item);
          item.reject(error);
          await savepoint(trx, 'rollback to');
          await savepoint(trx, 'release');
        }
      }
      await trx.commit().execute();
    } catch (error) {
      // The shared transaction failed (begin, a savepoint command, the commit): none of it stands.
      await trx?.rollback().execute().catch(() => undefined);
      for (const item of unsettled) item.reject(error);
      return;
    }
    for (const [item, value] of succeeded) item.resolve(value);
  }
}

const groups = new WeakMap<Kysely<any>, GroupCommit>();

/** Makes {@link inTransaction} on `db` (a root instance of the embedded store) commit in groups. */
export function attachGroupCommit(db: Kysely<Database>): void {
  groups.set(db, new GroupCommit(db));
}

import type { Kysely } from 'kysely';
import { createSignal, type Signal } from '../domain/signal.js';
import type { Engine } from '../store/dialect.js';
import type { Database } from '../store/schema.js';
import { enqueueJobs } from './queue.js';
import type { NewJob } from './types.js';

/** The notification channel that wakes workers after an enqueue. */
export const JOBS_CHANNEL = 'hookyard_jobs';

/** In-process wake-ups, per store, so every `JobQueue` over one store reaches every worker. */
const localWakeUps = new WeakMap<Kysely<Database>, Signal>();

/**
 * The process's entry to the queue: enqueues jobs and wakes the workers that wait for
 * them, in this process and, on PostgreSQL, in every other one (LISTEN/NOTIFY).
 */
export class JobQueue {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  readonly now: () => number;
  readonly #wakeUp: Signal;

  constructor(store: { readonly db: Kysely<Database>; readonly engine: Engine }, options: { readonly now?: () => number } = {}) {
    this.db = store.db;
    this.engine = store.engine;
    this.now = options.now ?? Date.now;
    let wakeUp = localWakeUps.get(store.db);
    if (wakeUp === undefined) localWakeUps.set(store.db, (wakeUp = createSignal()));
    this.#wakeUp = wakeUp;
  }

  /**
   * Enqueues jobs (see {@link enqueueJobs}); pass `{ db: trx }` to commit them with the
   * caller's own writes.
   *
   * @example await db.transaction().execute(async (trx) => { await saveEntity(trx, e); await queue.enqueue(job, { db: trx }); });
   * @returns the ids of the jobs inserted; a job whose unique key exists is left out.
   */
  async enqueue(jobs: NewJob | readonly NewJob[], options: { readonly db?: Kysely<Database> } = {}): Promise<string[]> {
    const db = options.db ?? this.db;
    const ids = await enqueueJobs(db, 'kind' in jobs ? [jobs] : jobs, this.now());
    if (ids.length > 0) await this.#wake(db);
    return ids;
  }

  /**
   * Calls `listener` after jobs are enqueued; resolves once listening.
   *
   * @returns the unsubscribe function.
   */
  async subscribe(listener: () => void): Promise<() => Promise<void>> {
    const notifications = this.engine.notifications;
    if (notifications === undefined) {
      const off = this.#wakeUp.on(listener);
      return async () => off();
    }
    const listening = await notifications.listen(JOBS_CHANNEL, listener);
    return () => listening.close();
  }

  async #wake(db: Kysely<Database>): Promise<void> {
    const notifications = this.engine.notifications;
    // NOTIFY inside the caller's transaction is sent on commit, to this process too, so a
    // worker never wakes for a job it cannot see yet.
    if (notifications !== undefined) return notifications.notify(db, JOBS_CHANNEL);
    // SQLite: one connection, so a worker woken before the caller commits waits for the commit.
    this.#wakeUp.emit();
  }
}

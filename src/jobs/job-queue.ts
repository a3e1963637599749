import type { Kysely } from 'kysely';
import { createSignal, type Signal } from '../domain/signal.js';
import type { Engine } from '../store/dialect.js';
import type { Database } from '../store/schema.js';
import { enqueueJobs } from './queue.js';
import type { NewJob } from './types.js';

/** The notification channel that wakes workers after an enqueue (sent by migration 0011's trigger). */
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
    const ids = await enqueueJobs(options.db ?? this.db, 'kind' in jobs ? [jobs] : jobs, this.now());
    // PostgreSQL: the insert's trigger notifies every node on commit (migration 0011), so a
    // worker never wakes for a job it cannot see yet. SQLite: one connection, so a worker
    // woken before the caller commits waits for the commit.
    if (ids.length > 0 && this.engine.notifications === undefined) this.#wakeUp.emit();
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
}

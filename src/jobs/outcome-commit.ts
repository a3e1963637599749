/**
 * The outcomes of a worker's attempts that end in the same turn of the event loop, or
 * while the group before them is being written, share one transaction and one commit
 * (as graphile-worker batches its completions), and their
 * like writes share statements: every completion is one update, every batched write (an
 * execution record per attempt) one call for the group. A PUSH delivery's outcome was a
 * savepoint, an insert, an update and a release of its own; on PostgreSQL each of those
 * is a round trip.
 *
 * On PostgreSQL a group whose attempts all completed and have no writes of their own (a
 * PUSH flood's groups) is one statement: its batched writes become `with` queries of the
 * completion (store/postgres/one-statement.ts), one round trip instead of four (begin, the
 * insert, the completion, commit).
 *
 * When a group's transaction fails (one attempt's write throws), it is rolled back and
 * each attempt's outcome is written again alone, so one bad write costs only its own
 * attempt: that attempt's caller gets the error, the others commit.
 */
import { PostgresAdapter, type CompiledQuery, type Kysely } from 'kysely';
import { asOneStatement } from '../store/postgres/one-statement.js';
import type { Database } from '../store/schema.js';
import type { Backoff } from './backoff.js';
import type { JobOutcome } from './job-metrics.js';
import { completeJobs, completionQuery, failJob } from './queue.js';
import type { ClaimedJob } from './types.js';

export type Write = (db: Kysely<Database>) => Promise<unknown>;
/** Builds the one statement that writes the items of a group's attempts. */
export type WriteAll = (db: Kysely<Database>, items: readonly unknown[]) => CompiledQuery;

/** What one attempt leaves to write: its handler's writes, then its outcome. */
export interface AttemptOutcome {
  readonly job: ClaimedJob;
  readonly writes: readonly Write[];
  readonly batched: ReadonlyArray<readonly [WriteAll, unknown]>;
  /** Why the attempt failed; undefined when it completed. */
  readonly failure: Error | undefined;
}

interface Queued {
  readonly attempt: AttemptOutcome;
  readonly resolve: (outcome: JobOutcome | undefined) => void;
  readonly reject: (error: unknown) => void;
}

/** The statements of the attempts' batched writes: one per writer, its items in the order added. */
function batchedWrites(db: Kysely<Database>, attempts: readonly AttemptOutcome[]): CompiledQuery[] {
  const byWriter = new Map<WriteAll, unknown[]>();
  for (const attempt of attempts) {
    for (const [writeAll, item] of attempt.batched) {
      const items = byWriter.get(writeAll);
      if (items) items.push(item);
      else byWriter.set(writeAll, [item]);
    }
  }
  return [...byWriter].map(([writeAll, items]) => writeAll(db, items));
}

/** Writes the outcomes of a group of attempts in `trx`; undefined for an attempt whose lease was lost. */
async function writeOutcomes(trx: Kysely<Database>, attempts: readonly AttemptOutcome[], backoff: Backoff, now: number): Promise<Array<JobOutcome | undefined>> {
  for (const attempt of attempts) for (const write of attempt.writes) await write(trx);
  for (const write of batchedWrites(trx, attempts)) await trx.executeQuery(write);
  const completed = await completeJobs(
    trx,
    attempts.filter((a) => a.failure === undefined).map((a) => a.job),
    now,
  );
  const outcomes: Array<JobOutcome | undefined> = [];
  for (const { job, failure } of attempts) {
    if (failure === undefined) {
      outcomes.push(completed.has(job.id) ? 'completed' : undefined);
      continue;
    }
    const status = await failJob(trx, job, failure, { backoff, now });
    outcomes.push(status === undefined ? undefined : status === 'failed' ? 'failed' : 'retried');
  }
  return outcomes;
}

/** Gathers the outcomes of one worker's attempts and commits them in groups. */
export class OutcomeCommit {
  readonly #db: Kysely<Database>;
  readonly #backoff: Backoff;
  readonly #now: () => number;
  /** PostgreSQL: a group of plain completions is one statement. */
  readonly #oneStatement: boolean;
  #queue: Queued[] = [];
  /** The group being written; the outcomes that come meanwhile wait and go in the next. */
  #flushing: Promise<void> | undefined;

  constructor(db: Kysely<Database>, options: { readonly backoff: Backoff; readonly now: () => number }) {
    this.#db = db;
    this.#backoff = options.backoff;
    this.#now = options.now;
    this.#oneStatement = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  /**
   * Writes `attempt`'s outcome with the others of this turn.
   *
   * @returns how the job ended once that committed, or undefined when its lease was lost (nothing of the job changed).
   */
  write(attempt: AttemptOutcome): Promise<JobOutcome | undefined> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ attempt, resolve, reject });
      // One group at a time: the outcomes that end while one commits would wait for
      // SQLite's one connection anyway, and on PostgreSQL they share the next commit (one
      // WAL flush) instead of taking a connection and a commit each.
      if (this.#queue.length === 1 && !this.#flushing) setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    const group = this.#queue;
    this.#queue = [];
    this.#flushing = this.#writeGroup(group).finally(() => {
      this.#flushing = undefined;
      if (this.#queue.length > 0) setImmediate(() => this.#flush());
    });
  }

  async #writeGroup(group: readonly Queued[]): Promise<void> {
    try {
      const outcomes = await this.#commit(group.map((q) => q.attempt));
      group.forEach((q, i) => q.resolve(outcomes[i]));
    } catch (error) {
      if (group.length === 1) return group[0]!.reject(error);
      // Some attempt's write failed and took the group's transaction with it: each alone.
      for (const q of group) {
        await this.#commit([q.attempt]).then(([outcome]) => q.resolve(outcome), q.reject);
      }
    }
  }

  async #commit(attempts: readonly AttemptOutcome[]): Promise<Array<JobOutcome | undefined>> {
    if (this.#oneStatement && attempts.every((a) => a.failure === undefined && a.writes.length === 0)) {
      const db = this.#db;
      const jobs = attempts.map((a) => a.job);
      const { rows } = await db.executeQuery(asOneStatement(batchedWrites(db, attempts), completionQuery(db, jobs, this.#now())));
      const completed = new Set(rows.map((row) => row.id));
      return jobs.map((job) => (completed.has(job.id) ? 'completed' : undefined));
    }
    return this.#db.transaction().execute((trx) => writeOutcomes(trx, attempts, this.#backoff, this.#now()));
  }
}

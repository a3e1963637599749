/**
 * The shapes of the job layer: what callers enqueue, what workers claim and what
 * handlers receive. Jobs know nothing of hooks: a kind, an organisation and a JSON payload.
 */
import type { CompiledQuery, Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/** Where a job is in its life. `completed` and `failed` are final. */
export type JobStatus = 'pending' | 'running' | 'completed' | 'failed';

/** A job to enqueue. */
export interface NewJob {
  /** Selects the handler, e.g. `pull.run` or `push.deliver`. */
  readonly kind: string;
  readonly orgId: string;
  /** Any JSON value; `undefined` is stored as `null`. */
  readonly payload?: unknown;
  /** Milliseconds since the epoch; defaults to now. */
  readonly runAt?: number;
  /** Attempts before the job is `failed`; defaults to 1. */
  readonly maxAttempts?: number;
  /** When a job with this key already exists, enqueueing is a no-op (a schedule slot, an event delivery). */
  readonly uniqueKey?: string;
  /** Jobs with the same ordering key run one at a time, oldest first (one entity's events). */
  readonly orderingKey?: string;
}

/** A job a worker holds a lease on. */
export interface ClaimedJob<P = unknown> {
  readonly id: string;
  readonly kind: string;
  readonly orgId: string;
  readonly payload: P;
  readonly runAt: number;
  readonly createdAt: number;
  readonly uniqueKey: string | null;
  readonly orderingKey: string | null;
  /** This attempt, from 1. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** The previous attempt was interrupted: its worker stopped renewing the lease (it died, or hung). */
  readonly recovery: boolean;
  /** A recovery whose interrupted attempt was the last one: the job is only closed, not run again. */
  readonly exhausted: boolean;
  /** The lease token; only its holder may renew, complete or fail the job. */
  readonly lease: string;
  readonly leaseExpiresAt: number;
}

/** What a handler gets besides its job. */
export interface JobContext {
  /** Aborted when the worker loses the lease or gives up waiting for the handler on stop. */
  readonly signal: AbortSignal;
  readonly workerId: string;
  /**
   * Adds a write to the transaction that records this attempt's outcome (completed, or
   * failed and maybe retried), so both commit together: one commit per attempt instead
   * of two. Writes run in the order added, before the outcome. None runs when the signal
   * aborted (lease lost, worker stopped): the attempt then has no outcome here, and the
   * job's recovery closes it (`JobHandler.interrupted`).
   *
   * @example ctx.atOutcome((db) => insertFinishedExecutions(db, [run]));
   */
  atOutcome(write: (db: Kysely<Database>) => Promise<unknown>): void;
  /**
   * {@link atOutcome} for a write that many attempts make alike: the attempts whose
   * outcomes commit together give their items to one call of `writeAll`, which builds
   * the one statement that writes them all (one insert of every execution record of the
   * group instead of one insert each). It runs after their own `atOutcome` writes, or on
   * PostgreSQL, when they have none, in the same statement as their completion. Items
   * reach `writeAll` in the order they were added.
   *
   * @example ctx.atOutcomeBatch(finishedExecutionsInsert, run);
   */
  atOutcomeBatch<T>(writeAll: (db: Kysely<Database>, items: readonly T[]) => CompiledQuery, item: T): void;
}

/**
 * Runs the jobs of one kind. `run` is one attempt: it resolves to complete the job and
 * throws to fail the attempt (retried with backoff until `maxAttempts`).
 */
export interface JobHandler<P = unknown> {
  run(job: ClaimedJob<P>, ctx: JobContext): Promise<void>;
  /**
   * Closes what an interrupted attempt left open (PULL marks its execution
   * `failed: interrupted`). Called once per recovery, before the retry, and also when no
   * attempt is left (`job.exhausted`), in which case `run` is not called.
   */
  interrupted?(job: ClaimedJob<P>, ctx: JobContext): Promise<void>;
}

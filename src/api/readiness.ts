/**
 * Whether a process should get traffic (`/readyz`): not while its migrations run, not
 * when its database does not answer, not once its shutdown has begun. The platform
 * moves the phase; each check names itself when it fails, so the answer says why.
 */
import type { FastifyInstance } from 'fastify';
import { sql, type Kysely } from 'kysely';
import { HookyardError, coerceError } from '../domain/errors.js';
import type { Database } from '../store/schema.js';

/** Where the process is in its life. */
export type ReadinessPhase = 'migrating' | 'ready' | 'stopping';

/** The checks `/readyz` makes, in order; the first that fails is named. */
export type ReadinessCheck = 'migrations' | 'shutdown' | 'database';

/** A failed check, as `/readyz` reports it. */
export interface NotReady {
  readonly check: ReadinessCheck;
  readonly message: string;
}

/** A database that takes longer than this to answer `select 1` counts as down. */
const DATABASE_TIMEOUT_MS = 2000;

/** Rejects with `HY_UNAVAILABLE` when `promise` has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new HookyardError('HY_UNAVAILABLE', `${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The readiness of one process. */
export class Readiness {
  #phase: ReadinessPhase;

  constructor(phase: ReadinessPhase = 'ready') {
    this.#phase = phase;
  }

  get phase(): ReadinessPhase {
    return this.#phase;
  }

  /** Moves to `phase`; a process that is stopping never becomes ready again. */
  set(phase: ReadinessPhase): void {
    if (this.#phase !== 'stopping') this.#phase = phase;
  }

  /** Runs the checks; resolves to the first that failed, or undefined when ready. */
  async check(db: Kysely<Database>): Promise<NotReady | undefined> {
    if (this.#phase === 'migrating') return { check: 'migrations', message: 'database migrations are running' };
    if (this.#phase === 'stopping') return { check: 'shutdown', message: 'the process is shutting down' };
    try {
      await withTimeout(sql`select 1`.execute(db), DATABASE_TIMEOUT_MS, 'the database check');
    } catch (thrown) {
      return { check: 'database', message: `the database does not answer: ${coerceError(thrown).message}` };
    }
    return undefined;
  }
}

/** Makes the routes of `app` answer 503 while migrations run: the tables they read may not exist yet. */
export function refuseWhileMigrating(app: FastifyInstance, readiness: Readiness): void {
  app.addHook('onRequest', async () => {
    if (readiness.phase === 'migrating') {
      throw new HookyardError('HY_UNAVAILABLE', 'Hookyard is starting: database migrations are running', { retryAfterSeconds: 1 });
    }
  });
}

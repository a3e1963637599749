/**
 * Write-behind for executions of API pre/post hooks and inbound calls: the caller's
 * response must not wait for the execution record. Records are gathered for up to
 * {@link GATHER_MS} (or {@link CHUNK} of them) and written together, after the responses
 * are on their way: on SQLite an insert of one row costs ~190 µs of CPU, most of it its
 * commit, and an insert of twenty ~17 µs a row.
 *
 * The price: a crash in that moment loses those records (never the entity write, which
 * committed before). A pre/post hook run or an inbound call is not retried work, so
 * nothing else is lost.
 */
import type { Kysely } from 'kysely';
import { coerceError } from '../domain/errors.js';
import { insertFinishedExecutions, type FinishedExecution } from '../store/executions.js';
import type { Database } from '../store/schema.js';

/** Rows per insert: well under the bound-parameter limits of both engines. */
const CHUNK = 100;

/** How long a record waits for others to share its insert; short beside a minor GC's interval, so none outlives one. */
const GATHER_MS = 10;

/** Gathers finished runs and writes them in batches. */
export class ExecutionRecorder {
  readonly #db: Kysely<Database>;
  readonly #onError: (error: Error) => void;
  #pending: FinishedExecution[] = [];
  #writing: Promise<void> | undefined;
  #gathering: NodeJS.Timeout | undefined;

  constructor(db: Kysely<Database>, onError: (error: Error) => void = (error) => console.error(`[hookyard executions] ${error.message}`)) {
    this.#db = db;
    this.#onError = onError;
  }

  /** Queues a finished run to be written soon. */
  record(run: FinishedExecution): void {
    this.#pending.push(run);
    // A write in progress gathers what comes meanwhile for the next one.
    if (this.#writing) return;
    if (this.#pending.length >= CHUNK) void this.flush();
    else this.#gathering ??= setTimeout(() => void this.flush(), GATHER_MS);
  }

  /** Writes everything queued so far; resolves when it is stored. Never rejects: failures go to `onError`. */
  async flush(): Promise<void> {
    clearTimeout(this.#gathering);
    this.#gathering = undefined;
    while (this.#writing) await this.#writing;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#writing = this.#write(batch).finally(() => {
      this.#writing = undefined;
      if (this.#pending.length >= CHUNK) void this.flush();
      else if (this.#pending.length > 0) this.#gathering ??= setTimeout(() => void this.flush(), GATHER_MS);
    });
    await this.#writing;
  }

  async #write(batch: readonly FinishedExecution[]): Promise<void> {
    for (let i = 0; i < batch.length; i += CHUNK) {
      try {
        await insertFinishedExecutions(this.#db, batch.slice(i, i + CHUNK));
      } catch (thrown) {
        this.#onError(coerceError(thrown));
      }
    }
  }
}

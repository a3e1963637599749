/**
 * Write-behind for executions of API pre/post hooks: the caller's response must not
 * wait for its hooks' execution records. Records are gathered and written together on
 * the next turn of the event loop, after the response is on its way.
 *
 * The price: a crash in that moment loses those records (never the entity write, which
 * committed before). A pre/post hook run is not retried work, so nothing else is lost.
 */
import type { Kysely } from 'kysely';
import { coerceError } from '../domain/errors.js';
import { insertFinishedExecutions, type FinishedExecution } from '../store/executions.js';
import type { Database } from '../store/schema.js';

/** Rows per insert: well under the bound-parameter limits of both engines. */
const CHUNK = 100;

/** Gathers finished runs and writes them in batches. */
export class ExecutionRecorder {
  readonly #db: Kysely<Database>;
  readonly #onError: (error: Error) => void;
  #pending: FinishedExecution[] = [];
  #writing: Promise<void> | undefined;

  constructor(db: Kysely<Database>, onError: (error: Error) => void = (error) => console.error(`[hookyard executions] ${error.message}`)) {
    this.#db = db;
    this.#onError = onError;
  }

  /** Queues a finished run to be written soon. */
  record(run: FinishedExecution): void {
    this.#pending.push(run);
    if (this.#pending.length === 1 && !this.#writing) setImmediate(() => void this.flush());
  }

  /** Writes everything queued so far; resolves when it is stored. Never rejects: failures go to `onError`. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#writing = this.#write(batch).finally(() => {
      this.#writing = undefined;
      if (this.#pending.length > 0) setImmediate(() => void this.flush());
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

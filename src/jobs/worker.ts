/**
 * The worker loop: claims ready jobs of the kinds it has handlers for, runs up to
 * `concurrency` at once, renews their leases while they run, and records each outcome.
 */
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { HookyardError, coerceError } from '../domain/errors.js';
import { exponentialBackoff, type Backoff } from './backoff.js';
import type { HandlerTable } from './handler-table.js';
import type { JobQueue } from './job-queue.js';
import type { JobMetrics, JobOutcome } from './job-metrics.js';
import { OutcomeCommit, type Write, type WriteAll } from './outcome-commit.js';
import { claimJobs, renewLeases } from './queue.js';
import type { ClaimedJob, JobContext } from './types.js';

/** How a worker runs. */
export interface JobWorkerOptions {
  readonly queue: JobQueue;
  readonly handlers: HandlerTable;
  /** Jobs run at once; default 4. */
  readonly concurrency?: number;
  /** The longest wait between claims when nothing wakes the worker; default 2 s. */
  readonly pollIntervalMs?: number;
  /** How long a claim holds a job without renewal; renewed every third of it. Default 60 s. */
  readonly leaseMs?: number;
  /** Names the worker in lease tokens; default `host:pid:random`. */
  readonly workerId?: string;
  /** Wait before the next attempt; default {@link exponentialBackoff}(). */
  readonly backoff?: Backoff;
  /** Failures of the worker itself (the database, a lost lease); handler errors go to the job's `last_error`. */
  readonly onError?: (error: Error, job?: ClaimedJob) => void;
  /** Told of every claim and of every outcome once it committed. */
  readonly metrics?: JobMetrics;
}

interface Running {
  readonly job: ClaimedJob;
  readonly controller: AbortController;
  /** The handler has returned or thrown: only its outcome is left to write. */
  settled: boolean;
}

/**
 * Runs jobs until stopped.
 *
 * @example
 * const worker = new JobWorker({ queue, handlers, concurrency: 4 });
 * await worker.start();
 * …
 * await worker.stop({ timeoutMs: 10_000 });
 */
export class JobWorker {
  readonly id: string;
  readonly #queue: JobQueue;
  readonly #handlers: HandlerTable;
  readonly #concurrency: number;
  readonly #pollIntervalMs: number;
  readonly #leaseMs: number;
  readonly #recoveryIntervalMs: number;
  readonly #backoff: Backoff;
  readonly #onError: (error: Error, job?: ClaimedJob) => void;
  readonly #metrics: JobMetrics | undefined;
  readonly #running = new Map<string, { readonly entry: Running; readonly done: Promise<void> }>();
  #state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  #loop: Promise<void> = Promise.resolve();
  #renewTimer: NodeJS.Timeout | undefined;
  #renewing = false;
  #unsubscribe: (() => Promise<void>) | undefined;
  #wake: (() => void) | undefined;
  #woken = false;
  /** The outcomes of jobs that end together share one commit (outcome-commit.ts). */
  readonly #outcomes: OutcomeCommit;
  /** When the next claim also looks for expired leases (queue clock). */
  #nextRecovery = 0;

  constructor(options: JobWorkerOptions) {
    this.id = options.workerId ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.#queue = options.queue;
    this.#handlers = options.handlers;
    this.#concurrency = options.concurrency ?? 4;
    this.#pollIntervalMs = options.pollIntervalMs ?? 2000;
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#recoveryIntervalMs = Math.min(1000, Math.floor(this.#leaseMs / 3));
    this.#backoff = options.backoff ?? exponentialBackoff();
    this.#outcomes = new OutcomeCommit(this.#queue.db, { backoff: this.#backoff, now: this.#queue.now });
    this.#metrics = options.metrics;
    this.#onError = options.onError ?? ((error) => console.error(`[hookyard worker] ${error.message}`));
    if (!Number.isInteger(this.#concurrency) || this.#concurrency < 1) {
      throw new HookyardError('HY_BAD_REQUEST', `concurrency must be a positive integer, got ${this.#concurrency}`);
    }
  }

  /** The ids of the jobs running now. */
  get runningJobs(): string[] {
    return [...this.#running.keys()];
  }

  /** Starts claiming; resolves once the worker listens for enqueues. */
  async start(): Promise<void> {
    if (this.#state !== 'idle') throw new HookyardError('HY_CONFLICT', 'a worker starts only once');
    this.#state = 'running';
    try {
      this.#unsubscribe = await this.#queue.subscribe(() => this.#nudge());
    } catch (thrown) {
      // Without wake-ups the worker still polls.
      this.#onError(new HookyardError('HY_UNAVAILABLE', 'cannot listen for enqueued jobs', { cause: coerceError(thrown) }));
    }
    this.#renewTimer = setInterval(() => void this.#renewLeases(), Math.max(1, Math.floor(this.#leaseMs / 3)));
    this.#loop = this.#claimLoop();
  }

  /**
   * Stops claiming and waits up to `timeoutMs` (default 30 s) for running jobs. Jobs still
   * running then are abandoned: their signal aborts and their lease lapses, so another
   * worker recovers them as interrupted.
   *
   * @returns the ids of the abandoned jobs.
   */
  async stop(options: { readonly timeoutMs?: number } = {}): Promise<{ abandoned: string[] }> {
    if (this.#state !== 'running') return { abandoned: [] };
    this.#state = 'stopping';
    this.#nudge();
    await this.#loop;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...this.#running.values()].map((r) => r.done)),
      new Promise((resolve) => (timer = setTimeout(resolve, options.timeoutMs ?? 30_000))),
    ]);
    clearTimeout(timer);
    clearInterval(this.#renewTimer);
    const abandoned = [...this.#running.values()].map((r) => r.entry);
    for (const entry of abandoned) entry.controller.abort(new HookyardError('HY_UNAVAILABLE', 'the worker stopped'));
    this.#running.clear();
    await this.#unsubscribe?.().catch((thrown: unknown) => this.#onError(coerceError(thrown)));
    this.#state = 'stopped';
    return { abandoned: abandoned.map((entry) => entry.job.id) };
  }

  async #claimLoop(): Promise<void> {
    while (this.#state === 'running') {
      const free = this.#concurrency - this.#running.size;
      const kinds = this.#handlers.kinds();
      let claimed = 0;
      if (free > 0 && kinds.length > 0) {
        try {
          const now = this.#queue.now();
          const recover = now >= this.#nextRecovery;
          const jobs = await claimJobs(this.#queue.db, {
            dialect: this.#queue.engine.name,
            workerId: this.id,
            kinds,
            limit: free,
            leaseMs: this.#leaseMs,
            now,
            recover,
          });
          // Expired leases are rare: look for them again after a while, or at once while
          // a claim is still finding them.
          if (recover && !jobs.some((job) => job.recovery)) this.#nextRecovery = now + this.#recoveryIntervalMs;
          claimed = jobs.length;
          for (const job of jobs) {
            this.#metrics?.claimed(job.kind, job.recovery);
            this.#launch(job);
          }
        } catch (thrown) {
          this.#onError(coerceError(thrown));
        }
      }
      // A full batch means more may be ready; otherwise wait for an enqueue, a free slot or the poll.
      if (claimed === 0 || claimed < free) await this.#sleep();
    }
  }

  #launch(job: ClaimedJob): void {
    const entry: Running = { job, controller: new AbortController(), settled: false };
    const done = this.#execute(entry).finally(() => {
      this.#running.delete(job.id);
      this.#nudge();
    });
    this.#running.set(job.id, { entry, done });
  }

  async #execute(entry: Running): Promise<void> {
    const { job, controller } = entry;
    const writes: Write[] = [];
    const batched: Array<readonly [WriteAll, unknown]> = [];
    const ctx: JobContext = {
      signal: controller.signal,
      workerId: this.id,
      atOutcome: (write) => void writes.push(write),
      atOutcomeBatch: (writeAll, item) => void batched.push([writeAll as WriteAll, item]),
    };
    let failure: Error | undefined;
    try {
      const handler = this.#handlers.get(job.kind);
      if (handler === undefined) throw new HookyardError('HY_INTERNAL', `no handler is registered for job kind "${job.kind}"`);
      if (job.recovery) await handler.interrupted?.(job, ctx);
      if (job.exhausted) {
        failure = new HookyardError('HY_INTERNAL', `attempt ${job.attempt} of ${job.maxAttempts} was interrupted (its lease expired) and no attempt is left`);
      } else {
        await handler.run(job, ctx);
      }
    } catch (thrown) {
      failure = coerceError(thrown);
    }
    entry.settled = true;
    // Lease lost or worker stopped: another attempt owns the job (or will), so this one
    // MUST NOT write its outcome.
    if (controller.signal.aborted) return;
    await this.#outcomes
      .write({ job, writes, batched, failure })
      .then((outcome: JobOutcome | undefined) => outcome && this.#metrics?.finished(job.kind, outcome))
      .catch((thrown: unknown) => this.#onError(coerceError(thrown), job));
  }

  async #renewLeases(): Promise<void> {
    const entries = [...this.#running.values()].map((r) => r.entry).filter((e) => !e.settled);
    if (this.#renewing || entries.length === 0) return;
    this.#renewing = true;
    try {
      const held = await renewLeases(this.#queue.db, entries.map((e) => e.job), this.#leaseMs, this.#queue.now());
      for (const entry of entries) {
        if (held.has(entry.job.id) || entry.settled) continue;
        const error = new HookyardError('HY_CONFLICT', `lost the lease of job ${entry.job.id}`);
        entry.controller.abort(error);
        this.#onError(error, entry.job);
      }
    } catch (thrown) {
      this.#onError(coerceError(thrown));
    } finally {
      this.#renewing = false;
    }
  }

  #sleep(): Promise<void> {
    if (this.#woken) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#wake?.(), this.#pollIntervalMs);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
    });
  }

  #nudge(): void {
    if (this.#wake) this.#wake();
    else this.#woken = true;
  }
}

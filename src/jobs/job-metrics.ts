/**
 * What the job layer reports as jobs move, for the metrics of a process. The worker
 * calls it; the platform passes in an implementation (see api/platform-metrics.ts), so
 * the job layer knows nothing of Prometheus.
 */

/** How an attempt ended once its outcome was written. */
export type JobOutcome = 'completed' | 'retried' | 'failed';

/** Receives job movements; every method must be cheap and must not throw. */
export interface JobMetrics {
  /** A worker claimed a job; `recovery` when its previous attempt lost its lease. */
  claimed(kind: string, recovery: boolean): void;
  /** A job's attempt ended and its outcome committed. */
  finished(kind: string, outcome: JobOutcome): void;
}

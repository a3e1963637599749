/**
 * What every engine function gets: the platform's shared services, passed in (never
 * imported as singletons) so each pipeline can be tested alone.
 */
import type { SecretBox } from '../domain/secret-box.js';
import type { HandlerTable, JobQueue } from '../jobs/index.js';
import type { Sandbox } from '../sandbox/index.js';
import type { Store } from '../store/db.js';
import type { ExecutionProgress } from './execution-progress.js';
import type { RetentionPolicy } from './maintenance.js';
import type { RunMetrics } from './run-metrics.js';

export interface EngineDeps {
  readonly store: Store;
  readonly secretBox: SecretBox;
  readonly sandbox: Sandbox;
  readonly queue: JobQueue;
  /** Where runs, deliveries and clean-ups are reported; none in most tests. */
  readonly metrics?: RunMetrics;
  /** How long history is kept; the defaults of maintenance.ts when absent. */
  readonly retention?: RetentionPolicy;
  /** Where running executions report their progress (the live progress stream); none in most tests. */
  readonly progress?: ExecutionProgress;
}

/**
 * An engine feature's job handlers: registers them in the table and returns the
 * function that unregisters them.
 */
export type JobRegistration = (handlers: HandlerTable, deps: EngineDeps) => () => void;

/** A long-running loop of the engine (a scheduler, a dispatcher); returns its stop function. */
export type BackgroundService = (deps: EngineDeps) => () => Promise<void>;

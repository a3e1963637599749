/**
 * The job kinds the engine runs, one registration per feature. The worker of every
 * `serve` and `worker` process registers them all.
 */
import type { HandlerTable } from '../jobs/index.js';
import type { EngineDeps, JobRegistration } from './deps.js';

export const JOB_REGISTRATIONS: readonly JobRegistration[] = [];

/** Registers every engine job kind; returns the function that unregisters them. */
export function registerEngineJobs(handlers: HandlerTable, deps: EngineDeps): () => void {
  const unregister = JOB_REGISTRATIONS.map((register) => register(handlers, deps));
  return () => unregister.forEach((fn) => fn());
}

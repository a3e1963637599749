/**
 * What the engine runs in the background of every `serve` and `worker` process: job
 * kinds (one registration per feature) and long-running services (scheduler ticks,
 * outbox dispatch, clean-ups). Features add themselves to these tables.
 */
import type { HandlerTable } from '../jobs/index.js';
import { registerAutomationJobs } from './automations/run-jobs.js';
import { automationScheduler } from './automations/triggers/schedule.js';
import type { BackgroundService, EngineDeps, JobRegistration } from './deps.js';
import { maintenance } from './maintenance.js';
import { outboxDispatchService } from './outbox/dispatch.js';
import { pullScheduler, registerPullJobs } from './pull/pull-jobs.js';
import { registerPushJobs } from './push/push-jobs.js';

export const JOB_REGISTRATIONS: readonly JobRegistration[] = [registerPushJobs, registerPullJobs, registerAutomationJobs];

export const BACKGROUND_SERVICES: readonly BackgroundService[] = [outboxDispatchService, pullScheduler(), automationScheduler(), maintenance()];

/** Registers every engine job kind; returns the function that unregisters them. */
export function registerEngineJobs(handlers: HandlerTable, deps: EngineDeps): () => void {
  const unregister = JOB_REGISTRATIONS.map((register) => register(handlers, deps));
  return () => unregister.forEach((fn) => fn());
}

/** Starts every background service; returns the function that stops them all. */
export function startBackgroundServices(deps: EngineDeps): () => Promise<void> {
  const stops = BACKGROUND_SERVICES.map((start) => start(deps));
  return async () => {
    await Promise.all(stops.map((stop) => stop()));
  };
}

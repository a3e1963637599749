/** The durable job layer: queue, workers and scheduler over the store's `jobs` table. */
export type { ClaimedJob, JobContext, JobHandler, JobStatus, NewJob } from './types.js';
export { exponentialBackoff, type Backoff } from './backoff.js';
export { claimJobs, completeJobs, enqueueJobs, failJob, renewLeases, type ClaimOptions, type HeldJob } from './queue.js';
export { JobQueue, JOBS_CHANNEL } from './job-queue.js';
export { HandlerTable } from './handler-table.js';
export { JobWorker, type JobWorkerOptions } from './worker.js';
export type { JobMetrics, JobOutcome } from './job-metrics.js';
export { queueDepth, type KindDepth } from './queue-depth.js';
export {
  SCHEDULE_INTERVALS,
  cronPattern,
  latestSlot,
  nextSlot,
  slotsBetween,
  utcOffsetMinutes,
  type Schedule,
  type ScheduleInterval,
} from './schedule-slots.js';
export {
  HOOK_SLOTS,
  scheduleOrderingKey,
  scheduleSlotKey,
  startScheduler,
  tickScheduler,
  type ScheduledItem,
  type ScheduledRun,
  type ScheduledSource,
  type SlotPlan,
  type SchedulerOptions,
  type TickResult,
} from './scheduler.js';

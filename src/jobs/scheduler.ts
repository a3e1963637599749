/**
 * The scheduler: on each tick, enqueues the latest due slot of every scheduled thing
 * under a unique key, so any number of nodes may tick and a slot still runs once.
 */
import { coerceError } from '../domain/errors.js';
import type { JobQueue } from './job-queue.js';
import { latestSlot, type Schedule } from './schedule-slots.js';
import type { NewJob } from './types.js';

/** Something that runs on a schedule: a hook with its schedule and its organisation's time zone. */
export interface ScheduledItem {
  /** Names the item in unique keys and payloads, e.g. the hook id. */
  readonly id: string;
  readonly orgId: string;
  readonly schedule: Schedule;
  /** IANA name, e.g. `Europe/Berlin`. */
  readonly timeZone: string;
  /** Slots before this instant never run, so a schedule saved now does not start with a catch-up run. */
  readonly notBefore?: number;
}

/** The payload of a scheduled job. */
export interface ScheduledRun {
  readonly id: string;
  /** The slot, as an ISO instant. */
  readonly slot: string;
}

/** What a tick enqueues and how. */
export interface SchedulerOptions {
  readonly queue: JobQueue;
  /** The job kind of scheduled runs, e.g. `pull.scheduled`. */
  readonly kind: string;
  /** Lists the scheduled things now (enabled hooks with a schedule). */
  readonly list: () => Promise<readonly ScheduledItem[]>;
  readonly maxAttempts?: number;
}

/** The outcome of one tick. */
export interface TickResult {
  /** Ids of the jobs enqueued; slots already enqueued (by this node or another) are not. */
  readonly enqueued: string[];
  /** Items skipped because their schedule or time zone is invalid. */
  readonly errors: ReadonlyArray<{ readonly id: string; readonly error: Error }>;
}

/** The unique key of one slot of one item. */
export function scheduleSlotKey(id: string, slot: Date): string {
  return `schedule:${id}:${slot.toISOString()}`;
}

/**
 * Enqueues the latest slot at or before now of every item. Slots missed while no node
 * was ticking collapse into that one run; the runs of one item never overlap (they share
 * an ordering key). The unique key is what stops a slot from running twice, so finished
 * jobs must be kept longer than the longest interval (a day, plus an hour for DST).
 */
export async function tickScheduler(options: SchedulerOptions): Promise<TickResult> {
  const now = options.queue.now();
  const jobs: NewJob[] = [];
  const errors: { id: string; error: Error }[] = [];
  for (const item of await options.list()) {
    let slot: Date;
    try {
      slot = latestSlot(item.schedule, item.timeZone, new Date(now));
    } catch (thrown) {
      errors.push({ id: item.id, error: coerceError(thrown) });
      continue;
    }
    if (item.notBefore !== undefined && slot.getTime() < item.notBefore) continue;
    const payload: ScheduledRun = { id: item.id, slot: slot.toISOString() };
    jobs.push({
      kind: options.kind,
      orgId: item.orgId,
      payload,
      runAt: slot.getTime(),
      maxAttempts: options.maxAttempts,
      uniqueKey: scheduleSlotKey(item.id, slot),
      orderingKey: `schedule:${item.id}`,
    });
  }
  return { enqueued: await options.queue.enqueue(jobs), errors };
}

/**
 * Ticks every `intervalMs` (default 15 s) until stopped.
 *
 * @returns the stop function; it waits for a tick in progress.
 */
export function startScheduler(
  options: SchedulerOptions & { readonly intervalMs?: number; readonly onError?: (error: Error) => void },
): () => Promise<void> {
  const onError = options.onError ?? ((error: Error) => console.error(`[hookyard scheduler] ${error.message}`));
  let current: Promise<void> = Promise.resolve();
  const tick = (): void => {
    current = current.then(async () => {
      try {
        const { errors } = await tickScheduler(options);
        for (const { id, error } of errors) onError(new Error(`schedule of ${id}: ${error.message}`, { cause: error }));
      } catch (thrown) {
        onError(coerceError(thrown));
      }
    });
  };
  const timer = setInterval(tick, options.intervalMs ?? 15_000);
  tick();
  return async () => {
    clearInterval(timer);
    await current;
  };
}

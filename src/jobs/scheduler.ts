/**
 * The scheduler: on each tick, enqueues the latest due slot of every scheduled thing
 * under a unique key, so any number of nodes may tick and a slot still runs once.
 */
import { coerceError } from '../domain/errors.js';
import type { JobQueue } from './job-queue.js';
import { latestSlot, type Schedule } from './schedule-slots.js';
import type { NewJob } from './types.js';

/** What every scheduled thing has: the id that names it in unique keys, its organisation, and since when it may run. */
export interface ScheduledSource {
  /** Names the item in unique keys and payloads, e.g. the hook id. */
  readonly id: string;
  readonly orgId: string;
  /** Slots before this instant never run, so a schedule saved now does not start with a catch-up run. */
  readonly notBefore?: number;
}

/** Something that runs on a schedule: a hook with its schedule and its organisation's time zone. */
export interface ScheduledItem extends ScheduledSource {
  readonly schedule: Schedule;
  /** IANA name, e.g. `Europe/Berlin`. */
  readonly timeZone: string;
}

/** The payload of a scheduled job. */
export interface ScheduledRun {
  readonly id: string;
  /** The slot, as an ISO instant. */
  readonly slot: string;
}

/**
 * How a tick finds an item's due slot and turns it into a job: hook schedules by
 * default ({@link HOOK_SLOTS}), other schedules (automation schedule cards) by their own.
 */
export interface SlotPlan<T extends ScheduledSource> {
  /** The latest slot at or before `at` that should run, or undefined; throws on a broken schedule. */
  latestSlot(item: T, at: Date): Date | undefined | Promise<Date | undefined>;
  /** The slot's payload and the unique key that makes it run once. */
  job(item: T, slot: Date): { readonly payload: unknown; readonly uniqueKey: string };
}

/** What a tick enqueues and how. */
export interface SchedulerOptions<T extends ScheduledSource = ScheduledItem> {
  readonly queue: JobQueue;
  /** The job kind of scheduled runs, e.g. `pull.scheduled`. */
  readonly kind: string;
  /** Lists the scheduled things now (enabled hooks with a schedule). */
  readonly list: () => Promise<readonly T[]>;
  readonly maxAttempts?: number;
  /** How items' slots are found; default {@link HOOK_SLOTS}, for items that are {@link ScheduledItem}s. */
  readonly slots?: SlotPlan<T>;
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

/** The ordering key of an item's slots: the runs of one item never overlap. */
export function scheduleOrderingKey(id: string): string {
  return `schedule:${id}`;
}

/** Hook schedules: the latest slot of the interval, as `{ id, slot }` under {@link scheduleSlotKey}. */
export const HOOK_SLOTS: SlotPlan<ScheduledItem> = Object.freeze({
  latestSlot: (item: ScheduledItem, at: Date) => latestSlot(item.schedule, item.timeZone, at),
  job: (item: ScheduledItem, slot: Date) => ({ payload: { id: item.id, slot: slot.toISOString() } satisfies ScheduledRun, uniqueKey: scheduleSlotKey(item.id, slot) }),
});

/**
 * Enqueues the latest slot at or before now of every item. Slots missed while no node
 * was ticking collapse into that one run; the runs of one item never overlap (they share
 * an ordering key). The unique key is what stops a slot from running twice, so finished
 * jobs must be kept longer than the longest interval (a day, plus an hour for DST).
 */
export async function tickScheduler<T extends ScheduledSource = ScheduledItem>(options: SchedulerOptions<T>): Promise<TickResult> {
  // Without `slots`, the items are hook schedules (T's default).
  const slots = options.slots ?? (HOOK_SLOTS as unknown as SlotPlan<T>);
  const now = options.queue.now();
  const jobs: NewJob[] = [];
  const errors: { id: string; error: Error }[] = [];
  for (const item of await options.list()) {
    let slot: Date | undefined;
    try {
      slot = await slots.latestSlot(item, new Date(now));
    } catch (thrown) {
      errors.push({ id: item.id, error: coerceError(thrown) });
      continue;
    }
    if (slot === undefined || (item.notBefore !== undefined && slot.getTime() < item.notBefore)) continue;
    const { payload, uniqueKey } = slots.job(item, slot);
    jobs.push({
      kind: options.kind,
      orgId: item.orgId,
      payload,
      runAt: slot.getTime(),
      maxAttempts: options.maxAttempts,
      uniqueKey,
      orderingKey: scheduleOrderingKey(item.id),
    });
  }
  return { enqueued: await options.queue.enqueue(jobs), errors };
}

/**
 * Ticks every `intervalMs` (default 15 s) until stopped.
 *
 * @returns the stop function; it waits for a tick in progress.
 */
export function startScheduler<T extends ScheduledSource = ScheduledItem>(
  options: SchedulerOptions<T> & { readonly intervalMs?: number; readonly onError?: (error: Error) => void },
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

/**
 * The schedule trigger: a background service that, on each tick of the shared scheduler,
 * enqueues one `automation.run` job for the latest due slot of every enabled automation
 * whose trigger is a schedule card, with `trigger: { slot }` the slot in ISO 8601 with the
 * card's offset. The slot's unique key makes it run once whatever the number of nodes.
 *
 * Missed slots: after downtime only the latest missed slot runs, once, and only if it is
 * at most {@link MISSED_SLOT_GRACE_MS} late (finished jobs, and the unique keys that keep a
 * slot from running twice, are kept a little longer than that). Slots from before the
 * automation's last save never run.
 *
 * `maxRuns` counts runs that happened: executions triggered by the schedule that finished
 * (completed, failed or timed out; tallied so that pruned ones still count), plus slots
 * enqueued and not yet finished, so a tick never enqueues past the limit while earlier
 * slots wait in the queue. Skipped executions and slots never run do not count.
 */
import type { Kysely } from 'kysely';
import type { ScheduleTrigger } from '../../../domain/automations.js';
import { formatWithOffset, latestRun } from '../../../domain/schedule-card.js';
import { scheduleOrderingKey, startScheduler, type JobQueue, type ScheduledSource, type SchedulerOptions, type SlotPlan } from '../../../jobs/index.js';
import { countFinishedScheduleRuns, countUnfinishedJobs, listScheduledAutomations } from '../../../store/scheduled-automations.js';
import type { Database } from '../../../store/schema.js';
import type { BackgroundService } from '../../deps.js';
import { AUTOMATION_ATTEMPTS, AUTOMATION_RUN, type AutomationRunPayload } from '../run-job.js';

/** A slot later than this is dropped rather than run (finished jobs are kept at least 26 hours). */
export const MISSED_SLOT_GRACE_MS = 24 * 3_600_000;

/** One automation as the scheduler ticks over it. */
export interface ScheduledAutomationItem extends ScheduledSource {
  readonly trigger: ScheduleTrigger;
  readonly orgTimeZone: string;
}

/**
 * The unique key of one slot of one automation: `automation:<id>:schedule:<slot ISO>`,
 * e.g. `automation:a1:schedule:2026-12-01T08:00:00.000Z`.
 */
export function automationSlotKey(automationId: string, slot: Date): string {
  return `automation:${automationId}:schedule:${slot.toISOString()}`;
}

/**
 * The runs of an automation that count towards its card's `maxRuns`: finished
 * executions triggered by the schedule, and its slots enqueued but not yet finished.
 * What `GET /v1/automations/{id}/schedule` passes to `upcomingRuns` as `runsSoFar`.
 */
export async function countScheduleRuns(db: Kysely<Database>, orgId: string, automationId: string): Promise<number> {
  const [finished, waiting] = await Promise.all([
    countFinishedScheduleRuns(db, orgId, automationId),
    countUnfinishedJobs(db, orgId, AUTOMATION_RUN, scheduleOrderingKey(automationId)),
  ]);
  return finished + waiting;
}

/** How the scheduler finds an automation's due slot and makes its `automation.run` job. */
export function automationSlots(db: Kysely<Database>): SlotPlan<ScheduledAutomationItem> {
  return {
    async latestSlot(item, at) {
      const card = item.trigger.schedule;
      const notBefore = new Date(Math.max(item.notBefore ?? 0, at.getTime() - MISSED_SLOT_GRACE_MS));
      const slot = latestRun(card, { orgTimeZone: item.orgTimeZone, at, notBefore });
      if (slot === undefined || card.maxRuns === undefined) return slot;
      return (await countScheduleRuns(db, item.orgId, item.id)) < card.maxRuns ? slot : undefined;
    },
    job(item, slot) {
      // `{{trigger.slot}}` reads as the card's local time: 2026-12-01T09:00:00+01:00.
      const local = formatWithOffset(slot, item.trigger.schedule.timeZone ?? item.orgTimeZone);
      const payload: AutomationRunPayload = { automationId: item.id, triggerType: 'schedule', trigger: { slot: local } };
      return { payload, uniqueKey: automationSlotKey(item.id, slot) };
    },
  };
}

/** The scheduler's settings for automations: what one tick lists and enqueues. */
export function automationSchedulerOptions(db: Kysely<Database>, queue: JobQueue): SchedulerOptions<ScheduledAutomationItem> {
  return {
    queue,
    kind: AUTOMATION_RUN,
    // As every `automation.run`: a failed run is not retried; only an attempt whose process died runs again.
    maxAttempts: AUTOMATION_ATTEMPTS,
    slots: automationSlots(db),
    list: async () =>
      (await listScheduledAutomations(db)).map((automation) => ({
        id: automation.automationId,
        orgId: automation.orgId,
        trigger: automation.trigger,
        orgTimeZone: automation.orgTimeZone,
        notBefore: automation.updatedAt,
      })),
  };
}

/** The schedule trigger as a background service, ticking every `intervalMs` (default 15 s). */
export function automationScheduler(options: { readonly intervalMs?: number } = {}): BackgroundService {
  return (deps) => startScheduler({ ...automationSchedulerOptions(deps.store.db, deps.queue), intervalMs: options.intervalMs });
}

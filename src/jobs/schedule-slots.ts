/**
 * Pure slot maths for hook schedules (docs/hooks.md, "PULL hooks"): when does a schedule fire, in the
 * organisation's time zone. Computed with croner; nothing here starts a timer.
 *
 * Clock changes (documented choice):
 * - 15m, 30m and 1h follow real time: a slot every interval, aligned to the minutes of the
 *   organisation's clock (Asia/Kolkata's hourly slots fall at :30 UTC). A DST change moves
 *   the clock by a whole hour, so these slots go on evenly through it: none is skipped
 *   and none repeats, even in the hour that happens twice.
 * - 6h, 12h and 24h follow the wall clock: they fall on the preferred hour and every
 *   interval from it. When the clock springs forward over a slot (02:00 in Europe/Berlin on
 *   the last Sunday of March), the slot runs at the first instant after the gap (03:00 CEST),
 *   so no day loses its run. When the clock falls back and the hour happens twice, the slot
 *   runs once, at its second occurrence (02:00 CET). The real time between two slots then
 *   grows or shrinks by the hour the clock moved, nothing else.
 */
import { Cron } from 'croner';
import { HookyardError } from '../domain/errors.js';

/** The intervals a hook may run at. */
export const SCHEDULE_INTERVALS = Object.freeze(['15m', '30m', '1h', '6h', '12h', '24h'] as const);

export type ScheduleInterval = (typeof SCHEDULE_INTERVALS)[number];

/** A hook's schedule: `preferredHour` (0–23, default 0) matters for intervals over an hour. */
export interface Schedule {
  readonly interval: ScheduleInterval;
  readonly preferredHour?: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const INTERVAL_MS: Readonly<Record<ScheduleInterval, number>> = Object.freeze({
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': HOUR,
  '6h': 6 * HOUR,
  '12h': 12 * HOUR,
  '24h': 24 * HOUR,
});

/** The schedule as a five-field cron pattern in the organisation's clock. */
export function cronPattern(schedule: Schedule): string {
  const ms = INTERVAL_MS[schedule.interval];
  if (ms === undefined) throw new HookyardError('HY_VALIDATION', `unknown schedule interval "${schedule.interval}"`);
  if (ms <= HOUR) return ms === HOUR ? '0 * * * *' : `*/${ms / MINUTE} * * * *`;
  const hour = schedule.preferredHour ?? 0;
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) {
    throw new HookyardError('HY_VALIDATION', `preferredHour must be an integer 0–23, got ${hour}`);
  }
  const every = ms / HOUR;
  const hours = Array.from({ length: 24 / every }, (_, i) => (hour + i * every) % 24).sort((a, b) => a - b);
  return `0 ${hours.join(',')} * * *`;
}

/** The first slot strictly after `after`. */
export function nextSlot(schedule: Schedule, timeZone: string, after: Date): Date {
  const pattern = cronPattern(schedule);
  const offset = utcOffsetMinutes(timeZone, after);
  if (INTERVAL_MS[schedule.interval] > HOUR) return cronNext(pattern, { timezone: timeZone }, after);
  const next = cronNext(pattern, { utcOffset: offset }, after);
  // A zone whose offset changes by part of an hour (Australia/Lord_Howe) re-aligns at once.
  const later = utcOffsetMinutes(timeZone, next);
  return later === offset ? next : cronNext(pattern, { utcOffset: later }, after);
}

/** The slots in `(from, to]`, oldest first. */
export function slotsBetween(schedule: Schedule, timeZone: string, from: Date, to: Date): Date[] {
  const slots: Date[] = [];
  for (let slot = nextSlot(schedule, timeZone, from); slot <= to; slot = nextSlot(schedule, timeZone, slot)) slots.push(slot);
  return slots;
}

/** The latest slot at or before `at`. */
export function latestSlot(schedule: Schedule, timeZone: string, at: Date): Date {
  // One interval back, plus the hour a clock change can stretch it by, always holds a slot.
  const from = new Date(at.getTime() - INTERVAL_MS[schedule.interval] - 2 * HOUR);
  const slots = slotsBetween(schedule, timeZone, from, at);
  return slots[slots.length - 1]!;
}

function cronNext(pattern: string, zone: { timezone: string } | { utcOffset: number }, after: Date): Date {
  const next = new Cron(pattern, { ...zone, paused: true }).nextRun(after);
  if (next === null) throw new HookyardError('HY_INTERNAL', `cron pattern "${pattern}" has no next run after ${after.toISOString()}`);
  return next;
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at `at`, in minutes (Asia/Kolkata: 330). */
export function utcOffsetMinutes(timeZone: string, at: Date): number {
  let format = offsetFormats.get(timeZone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    } catch (thrown) {
      throw new HookyardError('HY_VALIDATION', `unknown time zone "${timeZone}"`, { cause: thrown });
    }
    offsetFormats.set(timeZone, format);
  }
  const name = format.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (match === null) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

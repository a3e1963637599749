/**
 * The run instants of a schedule card, computed with Temporal in the card's zone: a
 * lazy, ascending sequence that the public functions of schedule-card.ts take from.
 *
 * Semantics (RFC 5545-like, documented in docs/automations.md "Schedule cards"):
 * - `once`: start, unless start's local time does not exist (a DST gap).
 * - `minutes`/`hours` count elapsed time from start's instant; `weekdays` keeps the
 *   instants whose local day is one of them.
 * - `days`/`weeks`/`months` count calendar periods from start's day, week (Monday to
 *   Sunday) or month; each day of a period runs at each of `times` (else start's time).
 *   A month without start's day of the month is skipped; `weekdays` chooses the days of
 *   a week and filters those of `days` and `months`.
 * - A local time inside a DST gap is skipped that day; one that happens twice runs at its
 *   first occurrence. Nothing runs before start's instant nor at or after end's.
 */
import { Temporal } from 'temporal-polyfill';
import { WEEKDAYS, type ScheduleCard, type ScheduleUnit } from './automations.js';

const MINUTE = 60_000;
const ELAPSED_MS: Readonly<Partial<Record<ScheduleUnit, number>>> = Object.freeze({ minutes: MINUTE, hours: 60 * MINUTE });
/** Local date-times are written with four-digit years: nothing runs from the year 10000. */
const LAST_YEAR = 9999;
const HORIZON_MS = Date.UTC(LAST_YEAR + 1, 0, 1);
/**
 * Periods (or elapsed steps) in a row without a run after which the sequence ends: a card
 * whose days never fall on its weekdays (every 7 days from a Monday, on Tuesdays) would
 * otherwise be searched to the year 9999. No real card needs more: the longest honest gap
 * is a 29 February every 12 months, 8 years (96 periods).
 */
const MAX_EMPTY_PERIODS = 2000;

/** A card read once: its zone, bounds and the parts every period needs. */
export interface CardPlan {
  readonly card: ScheduleCard;
  readonly zone: string;
  readonly start: Temporal.PlainDateTime;
  /** Start's instant; a start inside a DST gap is read as RFC 5545 does (the offset before the gap). */
  readonly startMs: number;
  readonly endMs: number;
  /** End's local date: periods after it hold no run. */
  readonly endDate?: Temporal.PlainDate;
  /** ISO day numbers, Monday 1; undefined when every day runs. */
  readonly weekdays?: ReadonlySet<number>;
  /** Local times of each running day, ascending. */
  readonly times: readonly Temporal.PlainTime[];
}

/** Parses a card that passed validation; throws a RangeError on one that did not. */
export function planOf(card: ScheduleCard, orgTimeZone: string): CardPlan {
  const zone = card.timeZone ?? orgTimeZone;
  const start = Temporal.PlainDateTime.from(card.start, { overflow: 'reject' });
  const startMs = start.toZonedDateTime(zone, { disambiguation: 'compatible' }).epochMilliseconds;
  const end = card.end === undefined ? undefined : Temporal.PlainDateTime.from(card.end, { overflow: 'reject' });
  const endMs = end === undefined ? HORIZON_MS : end.toZonedDateTime(zone, { disambiguation: 'compatible' }).epochMilliseconds;
  const weekdays = card.weekdays === undefined ? undefined : new Set(card.weekdays.map((day) => WEEKDAYS.indexOf(day) + 1));
  const times =
    card.times === undefined
      ? [start.toPlainTime()]
      : card.times.map((time) => Temporal.PlainTime.from(time, { overflow: 'reject' })).sort(Temporal.PlainTime.compare);
  return { card, zone, start, startMs, endMs, endDate: end?.toPlainDate(), weekdays, times };
}

/** The instant of a local date-time, or undefined when the clock skips it (a DST gap); a repeated one is its first occurrence. */
export function localInstant(local: Temporal.PlainDateTime, zone: string): number | undefined {
  const zoned = local.toZonedDateTime(zone, { disambiguation: 'earlier' });
  // In a gap, 'earlier' moves the time back by the gap: the wall clock then differs.
  return Temporal.PlainDateTime.compare(zoned.toPlainDateTime(), local) === 0 ? zoned.epochMilliseconds : undefined;
}

/** The card's run instants strictly after `afterMs`, ascending, in epoch milliseconds. */
export function* runsAfter(plan: CardPlan, afterMs: number): Generator<number, void, undefined> {
  const { card } = plan;
  if (card.kind === 'once') {
    const at = localInstant(plan.start, plan.zone);
    if (at !== undefined && at > afterMs && at < plan.endMs) yield at;
    return;
  }
  const every = card.every;
  if (every === undefined) return;
  const stepMs = ELAPSED_MS[every.unit];
  if (stepMs === undefined) yield* calendarRuns(plan, every.n, every.unit, afterMs);
  else yield* elapsedRuns(plan, every.n * stepMs, afterMs);
}

function* elapsedRuns(plan: CardPlan, stepMs: number, afterMs: number): Generator<number, void, undefined> {
  const anchor = plan.startMs;
  let k = Math.max(0, Math.floor((afterMs - anchor) / stepMs) + 1);
  for (let empty = 0; empty < MAX_EMPTY_PERIODS; ) {
    const at = anchor + k * stepMs;
    if (at >= plan.endMs) return;
    if (plan.weekdays !== undefined) {
      const local = Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(plan.zone);
      if (!plan.weekdays.has(local.dayOfWeek)) {
        // Jump to the first step of the next local day rather than walk a day of minutes.
        const nextDay = local.toPlainDate().add({ days: 1 }).toZonedDateTime({ timeZone: plan.zone }).epochMilliseconds;
        k = Math.max(k + 1, Math.ceil((nextDay - anchor) / stepMs));
        empty++;
        continue;
      }
    }
    yield at;
    empty = 0;
    k++;
  }
}

/** The days of the period `k` periods after start's, ascending, before the weekday filter of days and months. */
type PeriodDays = (k: number) => Temporal.PlainDate[];

function periodsOf(plan: CardPlan, n: number, unit: ScheduleUnit): { readonly days: PeriodDays; readonly indexOf: (date: Temporal.PlainDate) => number } {
  const startDate = plan.start.toPlainDate();
  if (unit === 'days') {
    return { days: (k) => [startDate.add({ days: k * n })], indexOf: (date) => Math.floor(startDate.until(date).days / n) };
  }
  if (unit === 'weeks') {
    const monday = (date: Temporal.PlainDate) => date.subtract({ days: date.dayOfWeek - 1 });
    const firstWeek = monday(startDate);
    const weekdays = plan.weekdays === undefined ? [startDate.dayOfWeek] : [...plan.weekdays].sort((a, b) => a - b);
    return {
      days: (k) => {
        const week = firstWeek.add({ days: 7 * k * n });
        return weekdays.map((day) => week.add({ days: day - 1 }));
      },
      indexOf: (date) => Math.floor(firstWeek.until(monday(date)).days / (7 * n)),
    };
  }
  const firstMonth = startDate.toPlainYearMonth();
  return {
    days: (k) => {
      const month = firstMonth.add({ months: k * n });
      // RFC 5545 ignores invalid dates: no 31 February, no run that month.
      return startDate.day > month.daysInMonth ? [] : [month.toPlainDate({ day: startDate.day })];
    },
    indexOf: (date) => Math.floor(((date.year - firstMonth.year) * 12 + date.month - firstMonth.month) / n),
  };
}

function* calendarRuns(plan: CardPlan, n: number, unit: ScheduleUnit, afterMs: number): Generator<number, void, undefined> {
  const periods = periodsOf(plan, n, unit);
  // A day before `after`'s local date, in case the clock went back over midnight.
  const from = Temporal.Instant.fromEpochMilliseconds(Math.max(afterMs, plan.startMs)).toZonedDateTimeISO(plan.zone).toPlainDate().subtract({ days: 1 });
  const filter = unit === 'weeks' ? undefined : plan.weekdays;
  for (let k = Math.max(0, periods.indexOf(from)), empty = 0; empty < MAX_EMPTY_PERIODS; k++) {
    const days = periods.days(k);
    const first = days[0];
    if (first !== undefined && (first.year > LAST_YEAR || (plan.endDate !== undefined && Temporal.PlainDate.compare(first, plan.endDate) > 0))) return;
    let ran = false;
    for (const day of days) {
      if (filter !== undefined && !filter.has(day.dayOfWeek)) continue;
      for (const time of plan.times) {
        const at = localInstant(day.toPlainDateTime(time), plan.zone);
        if (at === undefined || at < plan.startMs) continue;
        if (at >= plan.endMs) return;
        ran = true;
        if (at > afterMs) yield at;
      }
    }
    empty = ran ? 0 : empty + 1;
  }
}

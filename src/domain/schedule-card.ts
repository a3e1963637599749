/**
 * Schedule cards (the `schedule` trigger of automations): whether a card is well formed
 * and can run at all, and when it runs. The rules of the run times are in
 * schedule-card-runs.ts; here are the questions asked of them.
 */
import { Temporal } from 'temporal-polyfill';
import { SCHEDULE_UNITS, WEEKDAYS, type ScheduleCard, type ScheduleTrigger } from './automations.js';
import { issue, type FieldIssue } from './field-issues.js';
import { isTimeZone } from './organisations.js';
import { planOf, runsAfter } from './schedule-card-runs.js';

/** The largest `every.n`: beyond it a card's periods outrun the dates it can write. */
export const MAX_EVERY_N = 10_000;

const FIELDS = ['kind', 'start', 'timeZone', 'every', 'weekdays', 'times', 'end', 'maxRuns'] as const;
/** Fields that only mean something for a recurring card. */
const RECURRING_ONLY = ['every', 'weekdays', 'times', 'end', 'maxRuns'] as const;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;
const LOCAL_TIME = /^\d{2}:\d{2}$/;

function isLocalDateTime(value: unknown): value is string {
  if (typeof value !== 'string' || !LOCAL_DATE_TIME.test(value)) return false;
  try {
    Temporal.PlainDateTime.from(value, { overflow: 'reject' });
    return true;
  } catch {
    return false;
  }
}

function isLocalTime(value: unknown): value is string {
  if (typeof value !== 'string' || !LOCAL_TIME.test(value)) return false;
  try {
    Temporal.PlainTime.from(value, { overflow: 'reject' });
    return true;
  } catch {
    return false;
  }
}

/** Issues of a list of distinct strings that each pass `valid`. */
function listIssues(path: string, value: unknown, valid: (item: unknown) => boolean, expected: string): FieldIssue[] {
  if (!Array.isArray(value)) return [issue(path, `must be an array of ${expected}`)];
  if (value.length === 0) return [issue(path, 'must list at least one value (without any, the schedule never runs)')];
  const seen = new Set<unknown>();
  return value.flatMap((item: unknown, index) => {
    const at = `${path}/${index}`;
    if (!valid(item)) return [issue(at, `must be ${expected}, got ${JSON.stringify(item) ?? String(item)}`)];
    if (seen.has(item)) return [issue(at, `repeats ${JSON.stringify(item)}`)];
    seen.add(item);
    return [];
  });
}

function everyIssues(every: unknown): FieldIssue[] {
  if (typeof every !== 'object' || every === null || Array.isArray(every)) return [issue('every', 'must be an object { n, unit }')];
  const fields = every as Record<string, unknown>;
  const issues = Object.keys(fields)
    .filter((key) => key !== 'n' && key !== 'unit')
    .map((key) => issue(`every/${key}`, 'is not a field of every (n, unit)'));
  const { n, unit } = fields;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_EVERY_N) {
    issues.push(issue('every/n', `must be an integer from 1 to ${MAX_EVERY_N}`));
  }
  if (!(SCHEDULE_UNITS as readonly unknown[]).includes(unit)) issues.push(issue('every/unit', `must be one of ${SCHEDULE_UNITS.join(', ')}`));
  return issues;
}

/** The shape of each field, without asking whether the card ever runs. */
function shapeIssues(fields: Record<string, unknown>): FieldIssue[] {
  const issues = Object.keys(fields)
    .filter((key) => !(FIELDS as readonly string[]).includes(key))
    .map((key) => issue(key, `is not a schedule card field (${FIELDS.join(', ')})`));
  const { kind, start, timeZone, every, weekdays, times, end, maxRuns } = fields;
  if (kind !== 'once' && kind !== 'recurring') issues.push(issue('kind', 'must be "once" or "recurring"'));
  if (!isLocalDateTime(start)) issues.push(issue('start', 'must be a local date and time YYYY-MM-DDTHH:mm, e.g. 2026-12-01T09:00'));
  if (timeZone !== undefined && (typeof timeZone !== 'string' || !isTimeZone(timeZone) || /^[+-]/.test(timeZone))) {
    issues.push(issue('timeZone', 'must be an IANA time zone such as "Europe/Amsterdam"'));
  }
  if (kind === 'once') {
    for (const key of RECURRING_ONLY) if (fields[key] !== undefined) issues.push(issue(key, 'only applies to a recurring schedule (once runs at start)'));
    return issues;
  }
  if (every === undefined) issues.push(issue('every', 'is required for a recurring schedule'));
  else issues.push(...everyIssues(every));
  if (weekdays !== undefined) issues.push(...listIssues('weekdays', weekdays, (day) => (WEEKDAYS as readonly unknown[]).includes(day), `a weekday (${WEEKDAYS.join(', ')})`));
  if (times !== undefined) {
    const unit = (every as { unit?: unknown } | undefined)?.unit;
    // Minutes and hours already say when in the day: every n units from start's time.
    if (unit === 'minutes' || unit === 'hours') issues.push(issue('times', `cannot be combined with every ${unit}: those run every n ${unit} from start`));
    else issues.push(...listIssues('times', times, isLocalTime, 'a local time HH:mm'));
  }
  if (end !== undefined) {
    if (!isLocalDateTime(end)) issues.push(issue('end', 'must be a local date and time YYYY-MM-DDTHH:mm, e.g. 2027-06-30T00:00'));
    else if (isLocalDateTime(start) && Temporal.PlainDateTime.compare(end, start) <= 0) issues.push(issue('end', 'must be after start'));
  }
  if (maxRuns !== undefined && (typeof maxRuns !== 'number' || !Number.isSafeInteger(maxRuns) || maxRuns < 1)) {
    issues.push(issue('maxRuns', 'must be an integer of at least 1'));
  }
  return issues;
}

/** Whether the card has a run strictly after `after`. */
function runsAgain(card: ScheduleCard, orgTimeZone: string, after: Date): boolean {
  return !runsAfter(planOf(card, orgTimeZone), after.getTime()).next().done;
}

/** Names why a well-formed card never runs after `now`: the field that stops it. */
function neverRunsIssue(card: ScheduleCard, orgTimeZone: string, now: Date): FieldIssue | undefined {
  if (runsAgain(card, orgTimeZone, now)) return undefined;
  const zone = card.timeZone ?? orgTimeZone;
  if (card.kind === 'once') {
    const start = Temporal.PlainDateTime.from(card.start).toZonedDateTime(zone, { disambiguation: 'compatible' });
    return start.epochMilliseconds <= now.getTime()
      ? issue('start', `is in the past (${zone}): a once schedule would never run`)
      : issue('start', `does not exist in ${zone} (the clock skips it that day): the schedule would never run`);
  }
  if (card.end !== undefined && runsAgain({ ...card, end: undefined }, orgTimeZone, now)) {
    return issue('end', 'leaves no run: the schedule would never run (again)');
  }
  if (card.weekdays !== undefined && runsAgain({ ...card, weekdays: undefined }, orgTimeZone, now)) {
    return issue('weekdays', 'matches none of the days the schedule falls on: it would never run');
  }
  return issue('', 'never yields a run time: the schedule would never run');
}

/**
 * The problems of a schedule card, paths relative to the card (`every/unit`,
 * `weekdays/2`): shapes, unknown fields, and a card that can never run after `now`
 * (a past `once`, an `end` before the first run, weekdays that no day falls on).
 * `maxRuns` is not weighed against runs already made.
 *
 * @example validateScheduleCard({ kind: 'once', start: '2026-12-01T09:00' }, { orgTimeZone: 'Europe/Amsterdam', now: new Date() })
 */
export function validateScheduleCard(card: unknown, options: { readonly orgTimeZone: string; readonly now: Date }): FieldIssue[] {
  if (typeof card !== 'object' || card === null || Array.isArray(card)) return [issue('', 'must be an object')];
  const issues = shapeIssues(card as Record<string, unknown>);
  if (issues.length > 0) return issues;
  const never = neverRunsIssue(card as ScheduleCard, options.orgTimeZone, options.now);
  return never === undefined ? [] : [never];
}

/** Options of {@link nextRuns}. */
export interface NextRunsOptions {
  /** The zone of a card without `timeZone`. */
  readonly orgTimeZone: string;
  /** Runs strictly after this instant. */
  readonly after: Date;
  readonly count: number;
  /** Runs already made, weighed against `maxRuns`; default 0. */
  readonly runsSoFar?: number;
}

/**
 * The next `count` run instants of a valid card strictly after `after`, ascending,
 * before `end` and no more than `maxRuns - runsSoFar`.
 *
 * @example nextRuns(card, { orgTimeZone: 'Europe/Amsterdam', after: new Date(), count: 5 })
 */
export function nextRuns(card: ScheduleCard, options: NextRunsOptions): Date[] {
  const left = Math.min(options.count, card.maxRuns === undefined ? Infinity : card.maxRuns - (options.runsSoFar ?? 0));
  const runs: Date[] = [];
  if (left <= 0) return runs;
  for (const at of runsAfter(planOf(card, options.orgTimeZone), options.after.getTime())) {
    runs.push(new Date(at));
    if (runs.length >= left) break;
  }
  return runs;
}

const HOUR = 3_600_000;

/**
 * The latest run instant of a valid card in `[notBefore, at]`, or undefined; `maxRuns` is
 * the caller's to weigh. Searches back from `at` in doubling windows, so a card that runs
 * every minute costs an hour's runs, not a day's.
 */
export function latestRun(card: ScheduleCard, options: { readonly orgTimeZone: string; readonly at: Date; readonly notBefore: Date }): Date | undefined {
  const plan = planOf(card, options.orgTimeZone);
  const atMs = options.at.getTime();
  const floor = options.notBefore.getTime();
  if (floor > atMs) return undefined;
  for (let span = HOUR; ; span *= 2) {
    const from = Math.max(floor, atMs - span);
    let last: number | undefined;
    for (const run of runsAfter(plan, from - 1)) {
      if (run > atMs) break;
      last = run;
    }
    if (last !== undefined) return new Date(last);
    if (from === floor) return undefined;
  }
}

/** An instant as ISO 8601 with the zone's offset, to the second: `2026-12-01T09:00:00+01:00`. */
export function formatWithOffset(at: Date, timeZone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(at.getTime()).toZonedDateTimeISO(timeZone).toString({ timeZoneName: 'never', smallestUnit: 'second' });
}

/**
 * The next `count` run times of a schedule trigger after `now`, as ISO 8601 with the
 * card's offset: what `GET /v1/automations/{id}/schedule?count=N` answers.
 *
 * @example upcomingRuns(automation.trigger, org.timeZone, new Date(), 5, await countScheduleRuns(db, orgId, id))
 */
export function upcomingRuns(trigger: ScheduleTrigger, orgTimeZone: string, now: Date, count: number, runsSoFar = 0): string[] {
  const card = trigger.schedule;
  const zone = card.timeZone ?? orgTimeZone;
  return nextRuns(card, { orgTimeZone, after: now, count, runsSoFar }).map((at) => formatWithOffset(at, zone));
}

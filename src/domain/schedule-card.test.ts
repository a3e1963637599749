import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Temporal } from 'temporal-polyfill';
import { WEEKDAYS, type ScheduleCard, type Weekday } from './automations.js';
import { formatWithOffset, latestRun, nextRuns, upcomingRuns, validateScheduleCard } from './schedule-card.js';

const AMS = 'Europe/Amsterdam';
const NY = 'America/New_York';
const iso = (dates: readonly Date[]) => dates.map((d) => d.toISOString());
const runs = (card: ScheduleCard, after: string, count: number, runsSoFar?: number) =>
  iso(nextRuns(card, { orgTimeZone: AMS, after: new Date(after), count, runsSoFar }));

describe('nextRuns', () => {
  it('skips a daily 02:30 on the day Amsterdam springs forward over it', () => {
    const card: ScheduleCard = { kind: 'recurring', start: '2027-03-26T02:30', every: { n: 1, unit: 'days' } };
    expect(runs(card, '2027-03-01T00:00:00Z', 4)).toEqual([
      '2027-03-26T01:30:00.000Z', // 02:30 CET
      '2027-03-27T01:30:00.000Z',
      // 2027-03-28 02:30 does not exist (02:00 -> 03:00)
      '2027-03-29T00:30:00.000Z', // 02:30 CEST
      '2027-03-30T00:30:00.000Z',
    ]);
  });

  it('runs a daily 02:30 once, at its first occurrence, on the day Amsterdam falls back', () => {
    const card: ScheduleCard = { kind: 'recurring', start: '2026-10-24T02:30', every: { n: 1, unit: 'days' } };
    expect(runs(card, '2026-10-01T00:00:00Z', 3)).toEqual([
      '2026-10-24T00:30:00.000Z',
      '2026-10-25T00:30:00.000Z', // 02:30 CEST; 02:30 CET (01:30Z) does not run
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('follows New York through both of its clock changes', () => {
    const spring: ScheduleCard = { kind: 'recurring', start: '2027-03-13T02:30', timeZone: NY, every: { n: 1, unit: 'days' } };
    expect(runs(spring, '2027-03-01T00:00:00Z', 2)).toEqual(['2027-03-13T07:30:00.000Z', '2027-03-15T06:30:00.000Z']);
    const fall: ScheduleCard = { kind: 'recurring', start: '2026-10-31T01:30', timeZone: NY, every: { n: 1, unit: 'days' } };
    expect(runs(fall, '2026-10-01T00:00:00Z', 3)).toEqual([
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z', // 01:30 EDT, not 01:30 EST
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('counts hours in elapsed time across the clock changes', () => {
    const spring: ScheduleCard = { kind: 'recurring', start: '2027-03-28T00:00', every: { n: 1, unit: 'hours' } };
    expect(upcomingRuns({ type: 'schedule', schedule: spring }, AMS, new Date('2027-03-27T00:00:00Z'), 4)).toEqual([
      '2027-03-28T00:00:00+01:00',
      '2027-03-28T01:00:00+01:00',
      '2027-03-28T03:00:00+02:00',
      '2027-03-28T04:00:00+02:00',
    ]);
    const fall: ScheduleCard = { kind: 'recurring', start: '2026-11-01T00:00', timeZone: NY, every: { n: 1, unit: 'hours' } };
    expect(upcomingRuns({ type: 'schedule', schedule: fall }, AMS, new Date('2026-11-01T00:00:00Z'), 4)).toEqual([
      '2026-11-01T00:00:00-04:00',
      '2026-11-01T01:00:00-04:00',
      '2026-11-01T01:00:00-05:00',
      '2026-11-01T02:00:00-05:00',
    ]);
  });

  it('runs every other week on monday, wednesday and friday at 09:00 and 17:30, in local time', () => {
    const card: ScheduleCard = {
      kind: 'recurring',
      start: '2027-03-15T09:00',
      every: { n: 2, unit: 'weeks' },
      weekdays: ['fri', 'mon', 'wed'],
      times: ['17:30', '09:00'],
    };
    expect(upcomingRuns({ type: 'schedule', schedule: card }, AMS, new Date('2027-03-01T00:00:00Z'), 8)).toEqual([
      '2027-03-15T09:00:00+01:00',
      '2027-03-15T17:30:00+01:00',
      '2027-03-17T09:00:00+01:00',
      '2027-03-17T17:30:00+01:00',
      '2027-03-19T09:00:00+01:00',
      '2027-03-19T17:30:00+01:00',
      // the week of 22 March is skipped; Amsterdam moved to CEST on the 28th
      '2027-03-29T09:00:00+02:00',
      '2027-03-29T17:30:00+02:00',
    ]);
  });

  it('counts weeks from the week of start, never running before start', () => {
    const card: ScheduleCard = { kind: 'recurring', start: '2027-03-17T09:00', every: { n: 2, unit: 'weeks' }, weekdays: ['mon', 'fri'] };
    expect(upcomingRuns({ type: 'schedule', schedule: card }, AMS, new Date('2027-03-01T00:00:00Z'), 4)).toEqual([
      '2027-03-19T09:00:00+01:00',
      '2027-03-29T09:00:00+02:00',
      '2027-04-02T09:00:00+02:00',
      '2027-04-12T09:00:00+02:00',
    ]);
  });

  it('runs monthly on the 31st and skips the months without one', () => {
    const card: ScheduleCard = { kind: 'recurring', start: '2027-01-31T10:00', every: { n: 1, unit: 'months' } };
    expect(upcomingRuns({ type: 'schedule', schedule: card }, AMS, new Date('2027-01-01T00:00:00Z'), 5)).toEqual([
      '2027-01-31T10:00:00+01:00',
      '2027-03-31T10:00:00+02:00',
      '2027-05-31T10:00:00+02:00',
      '2027-07-31T10:00:00+02:00',
      '2027-08-31T10:00:00+02:00',
    ]);
  });

  it('keeps only the days of a monthly card that fall on its weekdays', () => {
    // The 31st of 2027 that are Mondays or Fridays: May 31 (Mon), Dec 31 (Fri).
    const card: ScheduleCard = { kind: 'recurring', start: '2027-01-31T10:00', every: { n: 1, unit: 'months' }, weekdays: ['mon', 'fri'] };
    expect(runs(card, '2027-01-01T00:00:00Z', 2)).toEqual(['2027-05-31T08:00:00.000Z', '2027-12-31T09:00:00.000Z']);
  });

  it('filters the days of a daily card by weekday and runs it at each of its times', () => {
    const card: ScheduleCard = { kind: 'recurring', start: '2026-12-04T12:00', every: { n: 1, unit: 'days' }, weekdays: ['sat', 'mon'], times: ['08:00', '18:00'] };
    // Friday 4 December: start is 12:00, so only 18:00 would run, but Friday is not listed.
    expect(runs(card, '2026-12-01T00:00:00Z', 4)).toEqual([
      '2026-12-05T07:00:00.000Z',
      '2026-12-05T17:00:00.000Z',
      '2026-12-07T07:00:00.000Z',
      '2026-12-07T17:00:00.000Z',
    ]);
  });

  it('stops before end', () => {
    const card: ScheduleCard = { kind: 'recurring', start: '2026-12-01T09:00', every: { n: 1, unit: 'days' }, end: '2026-12-04T09:00' };
    expect(runs(card, '2026-11-01T00:00:00Z', 10)).toEqual(['2026-12-01T08:00:00.000Z', '2026-12-02T08:00:00.000Z', '2026-12-03T08:00:00.000Z']);
  });

  it('gives no more than maxRuns minus the runs already made', () => {
    const card: ScheduleCard = { kind: 'recurring', start: '2026-12-01T09:00', every: { n: 1, unit: 'days' }, maxRuns: 5 };
    expect(runs(card, '2026-12-02T12:00:00Z', 10, 3)).toEqual(['2026-12-03T08:00:00.000Z', '2026-12-04T08:00:00.000Z']);
    expect(runs(card, '2026-12-02T12:00:00Z', 10, 5)).toEqual([]);
    expect(runs(card, '2026-12-02T12:00:00Z', 1, 0)).toEqual(['2026-12-03T08:00:00.000Z']);
  });

  it('runs a once card at start, and never after it', () => {
    const card: ScheduleCard = { kind: 'once', start: '2026-12-24T18:00', timeZone: NY };
    expect(runs(card, '2026-12-01T00:00:00Z', 3)).toEqual(['2026-12-24T23:00:00.000Z']);
    expect(runs(card, '2026-12-24T23:00:00Z', 3)).toEqual([]);
  });
});

describe('latestRun', () => {
  const hourly: ScheduleCard = { kind: 'recurring', start: '2026-12-01T09:15', every: { n: 1, unit: 'hours' } };

  it('finds the latest run at or before the instant, not before notBefore', () => {
    const at = new Date('2026-12-01T12:15:00Z');
    expect(latestRun(hourly, { orgTimeZone: AMS, at, notBefore: new Date(0) })?.toISOString()).toBe('2026-12-01T12:15:00.000Z');
    const justAfter = new Date('2026-12-01T12:14:59Z');
    expect(latestRun(hourly, { orgTimeZone: AMS, at: justAfter, notBefore: new Date(0) })?.toISOString()).toBe('2026-12-01T11:15:00.000Z');
    expect(latestRun(hourly, { orgTimeZone: AMS, at: justAfter, notBefore: new Date('2026-12-01T11:15:01Z') })).toBeUndefined();
  });

  it('looks back more than a day for a weekly card', () => {
    const weekly: ScheduleCard = { kind: 'recurring', start: '2026-11-30T09:00', every: { n: 1, unit: 'weeks' } };
    const at = new Date('2026-12-04T00:00:00Z');
    expect(latestRun(weekly, { orgTimeZone: AMS, at, notBefore: new Date(0) })?.toISOString()).toBe('2026-11-30T08:00:00.000Z');
    expect(latestRun(weekly, { orgTimeZone: AMS, at, notBefore: new Date('2026-12-01T00:00:00Z') })).toBeUndefined();
  });
});

describe('formatWithOffset', () => {
  it('writes the instant in the zone with its offset, to the second', () => {
    expect(formatWithOffset(new Date('2026-12-01T08:00:00.250Z'), AMS)).toBe('2026-12-01T09:00:00+01:00');
    expect(formatWithOffset(new Date('2026-12-01T08:00:00Z'), 'UTC')).toBe('2026-12-01T08:00:00+00:00');
    expect(formatWithOffset(new Date('2026-12-01T08:00:00Z'), 'Asia/Kolkata')).toBe('2026-12-01T13:30:00+05:30');
  });
});

describe('validateScheduleCard', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  const check = (card: unknown) => validateScheduleCard(card, { orgTimeZone: AMS, now });
  const paths = (card: unknown) => check(card).map((i) => i.path);
  const daily = { kind: 'recurring', start: '2026-12-01T09:00', every: { n: 1, unit: 'days' } };

  it('accepts cards that run', () => {
    expect(check(daily)).toEqual([]);
    expect(check({ kind: 'once', start: '2026-12-01T14:00', timeZone: NY })).toEqual([]);
    expect(check({ ...daily, every: { n: 2, unit: 'weeks' }, weekdays: ['mon', 'fri'], times: ['09:00', '17:30'], end: '2027-06-30T00:00', maxRuns: 10 })).toEqual([]);
  });

  it('names each malformed field relative to the card', () => {
    expect(check('daily')).toEqual([{ path: '', message: 'the record must be an object' }]);
    expect(paths({ ...daily, colour: 'red' })).toEqual(['colour']);
    expect(paths({ ...daily, kind: 'often' })).toEqual(['kind']);
    for (const start of ['2026-12-01 09:00', '2026-02-30T09:00', '2026-12-01T24:00', '2026-12-01T09:00:00', 20261201]) {
      expect(paths({ ...daily, start })).toEqual(['start']);
    }
    expect(paths({ ...daily, timeZone: 'Nowhere/Land' })).toEqual(['timeZone']);
    expect(paths({ ...daily, timeZone: '+01:00' })).toEqual(['timeZone']);
    expect(paths({ ...daily, every: { n: 1, unit: 'years' } })).toEqual(['every/unit']);
    expect(paths({ ...daily, every: { n: 0, unit: 'days' } })).toEqual(['every/n']);
    expect(paths({ ...daily, every: { n: 1.5, unit: 'days' } })).toEqual(['every/n']);
    expect(paths({ ...daily, every: { n: 1, unit: 'days', at: 3 } })).toEqual(['every/at']);
    expect(paths({ ...daily, weekdays: ['mon', 'tue', 'someday'] })).toEqual(['weekdays/2']);
    expect(paths({ ...daily, weekdays: ['mon', 'mon'] })).toEqual(['weekdays/1']);
    expect(paths({ ...daily, weekdays: [] })).toEqual(['weekdays']);
    expect(paths({ ...daily, times: ['09:00', '25:00', '9:30'] })).toEqual(['times/1', 'times/2']);
    expect(paths({ ...daily, end: '2027-06-30' })).toEqual(['end']);
    expect(paths({ ...daily, maxRuns: 0 })).toEqual(['maxRuns']);
    expect(paths({ ...daily, maxRuns: 2.5 })).toEqual(['maxRuns']);
  });

  it('refuses fields a card of its kind cannot use', () => {
    expect(paths({ kind: 'once', start: '2026-12-02T09:00', every: { n: 1, unit: 'days' } })).toEqual(['every']);
    expect(paths({ kind: 'once', start: '2026-12-02T09:00', maxRuns: 1, weekdays: ['mon'] })).toEqual(['weekdays', 'maxRuns']);
    expect(paths({ kind: 'recurring', start: '2026-12-01T09:00' })).toEqual(['every']);
    expect(paths({ ...daily, every: { n: 15, unit: 'minutes' }, times: ['09:00'] })).toEqual(['times']);
  });

  it('refuses a card that can never run', () => {
    expect(paths({ ...daily, end: '2026-12-01T09:00' })).toEqual(['end']);
    expect(paths({ ...daily, end: '2026-11-30T09:00' })).toEqual(['end']);
    const past = check({ kind: 'once', start: '2026-12-01T12:59' });
    expect(past).toEqual([{ path: 'start', message: 'start is in the past (Europe/Amsterdam): a once schedule would never run' }]);
    expect(check({ kind: 'once', start: '2027-03-28T02:30' })[0]?.message).toMatch(/does not exist in Europe\/Amsterdam/);
    // The only run would be 10:00, after end.
    expect(paths({ ...daily, times: ['10:00'], end: '2026-12-01T09:30' })).toEqual(['end']);
    // Every end before now leaves nothing to run any more.
    expect(paths({ ...daily, start: '2026-11-01T09:00', end: '2026-11-20T00:00' })).toEqual(['end']);
    // Every 7 days from a Monday is always a Monday.
    expect(paths({ ...daily, start: '2026-12-07T09:00', every: { n: 7, unit: 'days' }, weekdays: ['tue', 'sun'] })).toEqual(['weekdays']);
    expect(paths({ ...daily, start: '2026-12-07T09:00', every: { n: 14, unit: 'days' }, weekdays: ['mon'] })).toEqual([]);
  });
});

/** The wall clock at an instant, read with Intl rather than Temporal. */
function wallClock(ms: number, timeZone: string): { date: string; time: string; weekday: Weekday } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', weekday: 'short' })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}`, weekday: parts.weekday!.toLowerCase() as Weekday };
}

const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;
/** Days since the epoch of the Monday of the date's week (1970-01-01 was a Thursday). */
const mondayOf = (date: string) => dayNumber(date) - ((dayNumber(date) + 3) % 7);
const instantOf = (local: string, zone: string) => Temporal.PlainDateTime.from(local).toZonedDateTime(zone).epochMilliseconds;

describe('nextRuns, for any card', () => {
  const zones = fc.constantFrom(AMS, NY, 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC');
  const clock = fc.oneof(
    fc.constantFrom('00:00', '01:30', '02:00', '02:30', '03:00', '23:45'),
    fc.integer({ min: 0, max: 1439 }).map((m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`),
  );
  const day = fc.integer({ min: 0, max: 3 * 365 }).map((d) => new Date(Date.UTC(2026, 0, 1) + d * 86_400_000).toISOString().slice(0, 10));
  const every = fc.oneof(
    fc.record({ n: fc.integer({ min: 1, max: 240 }), unit: fc.constant('minutes' as const) }),
    fc.record({ n: fc.integer({ min: 1, max: 30 }), unit: fc.constant('hours' as const) }),
    fc.record({ n: fc.integer({ min: 1, max: 10 }), unit: fc.constant('days' as const) }),
    fc.record({ n: fc.integer({ min: 1, max: 4 }), unit: fc.constant('weeks' as const) }),
    fc.record({ n: fc.integer({ min: 1, max: 13 }), unit: fc.constant('months' as const) }),
  );
  const scenario = fc
    .record({
      zone: zones,
      once: fc.boolean(),
      startDay: day,
      startTime: clock,
      every,
      weekdays: fc.option(fc.subarray([...WEEKDAYS], { minLength: 1 }), { nil: undefined }),
      times: fc.option(fc.uniqueArray(clock, { minLength: 1, maxLength: 4 }), { nil: undefined }),
      endDays: fc.option(fc.integer({ min: 1, max: 400 }), { nil: undefined }),
      maxRuns: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
      runsSoFar: fc.integer({ min: 0, max: 5 }),
      afterMinutes: fc.integer({ min: -10 * 1440, max: 400 * 1440 }),
      count: fc.integer({ min: 1, max: 15 }),
    })
    .map((s) => {
      const start = `${s.startDay}T${s.startTime}`;
      const calendar = s.every.unit !== 'minutes' && s.every.unit !== 'hours';
      const end = s.endDays === undefined ? undefined : Temporal.PlainDateTime.from(start).add({ days: s.endDays }).toString({ smallestUnit: 'minute' });
      const card: ScheduleCard = s.once
        ? { kind: 'once', start, timeZone: s.zone }
        : { kind: 'recurring', start, timeZone: s.zone, every: s.every, weekdays: s.weekdays, times: calendar ? s.times : undefined, end, maxRuns: s.maxRuns };
      return { card, after: instantOf(start, s.zone) + s.afterMinutes * 60_000, count: s.count, runsSoFar: s.runsSoFar };
    });

  it('gives strictly increasing instants after `after`, before end, no more than asked, each at a local time the card allows', () => {
    fc.assert(
      fc.property(scenario, ({ card, after, count, runsSoFar }) => {
        const zone = card.timeZone!;
        const got = nextRuns(card, { orgTimeZone: 'UTC', after: new Date(after), count, runsSoFar }).map((d) => d.getTime());
        const left = card.maxRuns === undefined ? count : Math.min(count, card.maxRuns - runsSoFar);
        expect(got.length).toBeLessThanOrEqual(Math.max(0, left));
        const startMs = instantOf(card.start, zone);
        const start = wallClock(startMs, zone);
        got.forEach((run, i) => {
          expect(run).toBeGreaterThan(i === 0 ? after : got[i - 1]!);
          expect(run).toBeGreaterThanOrEqual(startMs);
          if (card.end !== undefined) expect(run).toBeLessThan(instantOf(card.end, zone));
          const local = wallClock(run, zone);
          if (card.kind === 'once') {
            expect(`${local.date}T${local.time}`).toBe(card.start);
            return;
          }
          const { n, unit } = card.every!;
          if (card.weekdays !== undefined) expect(card.weekdays).toContain(local.weekday);
          if (unit === 'minutes' || unit === 'hours') {
            expect((run - startMs) % (n * (unit === 'minutes' ? 60_000 : 3_600_000))).toBe(0);
            return;
          }
          expect(card.times ?? [card.start.slice(11)]).toContain(local.time);
          // The first occurrence of a repeated local time (Lord Howe moves by half an hour).
          for (const back of [30, 60]) expect(wallClock(run - back * 60_000, zone)).not.toEqual(local);
          const startDate = card.start.slice(0, 10);
          if (unit === 'days') expect((dayNumber(local.date) - dayNumber(startDate)) % n).toBe(0);
          if (unit === 'weeks') expect(((mondayOf(local.date) - mondayOf(startDate)) / 7) % n).toBe(0);
          if (unit === 'months') {
            expect(local.date.slice(8)).toBe(startDate.slice(8));
            const months = (Number(local.date.slice(0, 4)) - Number(startDate.slice(0, 4))) * 12 + Number(local.date.slice(5, 7)) - Number(startDate.slice(5, 7));
            expect(months % n).toBe(0);
          }
        });
        // Asked again from each run, the sequence goes on where it was.
        got.slice(0, -1).forEach((run, i) => {
          const next = nextRuns(card, { orgTimeZone: 'UTC', after: new Date(run), count: 1, runsSoFar: runsSoFar + i + 1 });
          expect(next.map((d) => d.getTime())).toEqual([got[i + 1]]);
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('validateScheduleCard, for any input', () => {
  it('answers issues, never throws, and accepts only cards nextRuns can read', () => {
    const field = fc.oneof(fc.anything(), fc.constantFrom('once', 'recurring', '2026-12-01T09:00', '2027-03-28T02:30', 'Europe/Amsterdam', 'mon', '09:00'));
    const every = fc.oneof(field, fc.record({ n: fc.oneof(fc.integer({ min: -2, max: 20_000 }), field), unit: fc.oneof(fc.constantFrom('minutes', 'days', 'months'), field) }));
    const card = fc.oneof(
      fc.anything(),
      fc.record(
        { kind: field, start: field, timeZone: field, every, weekdays: fc.oneof(field, fc.array(field)), times: fc.oneof(field, fc.array(field)), end: field, maxRuns: field },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(card, (input) => {
        const issues = validateScheduleCard(input, { orgTimeZone: AMS, now: new Date('2026-12-01T00:00:00Z') });
        for (const { path, message } of issues) expect(message.startsWith(path === '' ? 'the record' : path)).toBe(true);
        if (issues.length === 0) expect(() => nextRuns(input as ScheduleCard, { orgTimeZone: AMS, after: new Date('2026-12-01T00:00:00Z'), count: 3 })).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});

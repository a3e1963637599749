import { describe, expect, it } from 'vitest';
import { cronPattern, latestSlot, nextSlot, slotsBetween, utcOffsetMinutes, type Schedule } from './schedule-slots.js';

/** Slots in `(from, to]` as local wall-clock times of `timeZone`, with the UTC instant. */
function local(schedule: Schedule, timeZone: string, from: string, to: string): string[] {
  return slotsBetween(schedule, timeZone, new Date(from), new Date(to)).map(
    (d) => `${d.toLocaleString('sv-SE', { timeZone })} (${d.toISOString().slice(11, 16)}Z)`,
  );
}

describe('schedule slots', () => {
  it('turns every interval into a cron pattern, starting from the preferred hour', () => {
    expect(cronPattern({ interval: '15m' })).toBe('*/15 * * * *');
    expect(cronPattern({ interval: '30m', preferredHour: 7 })).toBe('*/30 * * * *');
    expect(cronPattern({ interval: '1h', preferredHour: 7 })).toBe('0 * * * *');
    expect(cronPattern({ interval: '6h', preferredHour: 2 })).toBe('0 2,8,14,20 * * *');
    expect(cronPattern({ interval: '6h', preferredHour: 23 })).toBe('0 5,11,17,23 * * *');
    expect(cronPattern({ interval: '12h', preferredHour: 15 })).toBe('0 3,15 * * *');
    expect(cronPattern({ interval: '24h', preferredHour: 9 })).toBe('0 9 * * *');
    expect(cronPattern({ interval: '24h' })).toBe('0 0 * * *');
  });

  it('rejects an unknown interval and a preferred hour outside 0–23', () => {
    expect(() => cronPattern({ interval: '2h' as never })).toThrow(/interval/);
    expect(() => cronPattern({ interval: '6h', preferredHour: 24 })).toThrow(/preferredHour/);
  });

  it('rejects an unknown time zone', () => {
    expect(() => nextSlot({ interval: '1h' }, 'Mars/Olympus', new Date())).toThrow(/time zone/);
  });

  it('runs sub-daily intervals in UTC on the clock minutes', () => {
    const from = '2025-06-01T10:00:00Z';
    expect(local({ interval: '15m' }, 'UTC', from, '2025-06-01T11:00:00Z')).toEqual([
      '2025-06-01 10:15:00 (10:15Z)',
      '2025-06-01 10:30:00 (10:30Z)',
      '2025-06-01 10:45:00 (10:45Z)',
      '2025-06-01 11:00:00 (11:00Z)',
    ]);
    expect(local({ interval: '30m' }, 'UTC', from, '2025-06-01T11:00:00Z')).toHaveLength(2);
    expect(local({ interval: '1h' }, 'UTC', from, '2025-06-01T13:00:00Z')).toHaveLength(3);
  });

  it('places intervals over an hour on the preferred hour and every interval from it', () => {
    const day = ['2025-06-01T00:00:00Z', '2025-06-02T00:00:00Z'] as const;
    expect(local({ interval: '6h', preferredHour: 2 }, 'UTC', ...day)).toEqual([
      '2025-06-01 02:00:00 (02:00Z)',
      '2025-06-01 08:00:00 (08:00Z)',
      '2025-06-01 14:00:00 (14:00Z)',
      '2025-06-01 20:00:00 (20:00Z)',
    ]);
    expect(local({ interval: '12h', preferredHour: 5 }, 'UTC', ...day)).toEqual(['2025-06-01 05:00:00 (05:00Z)', '2025-06-01 17:00:00 (17:00Z)']);
    expect(local({ interval: '24h', preferredHour: 23 }, 'UTC', ...day)).toEqual(['2025-06-01 23:00:00 (23:00Z)']);
  });

  it('follows a half-hour time zone: Asia/Kolkata', () => {
    expect(utcOffsetMinutes('Asia/Kolkata', new Date('2025-06-01T00:00:00Z'))).toBe(330);
    expect(local({ interval: '1h' }, 'Asia/Kolkata', '2025-06-01T00:00:00Z', '2025-06-01T02:00:00Z')).toEqual([
      '2025-06-01 06:00:00 (00:30Z)',
      '2025-06-01 07:00:00 (01:30Z)',
    ]);
    expect(local({ interval: '30m' }, 'Asia/Kolkata', '2025-05-31T23:59:00Z', '2025-06-01T01:00:00Z')).toEqual([
      '2025-06-01 05:30:00 (00:00Z)',
      '2025-06-01 06:00:00 (00:30Z)',
      '2025-06-01 06:30:00 (01:00Z)',
    ]);
    expect(local({ interval: '6h', preferredHour: 2 }, 'Asia/Kolkata', '2025-06-01T00:00:00Z', '2025-06-02T00:00:00Z')).toEqual([
      '2025-06-01 08:00:00 (02:30Z)',
      '2025-06-01 14:00:00 (08:30Z)',
      '2025-06-01 20:00:00 (14:30Z)',
      '2025-06-02 02:00:00 (20:30Z)',
    ]);
  });

  it('follows a half-hour time zone with DST: Australia/Adelaide', () => {
    // Adelaide leaves daylight time (+10:30 → +9:30) at 03:00 local on 6 April 2025.
    expect(local({ interval: '24h', preferredHour: 9 }, 'Australia/Adelaide', '2025-04-04T12:00:00Z', '2025-04-07T12:00:00Z')).toEqual([
      '2025-04-05 09:00:00 (22:30Z)',
      '2025-04-06 09:00:00 (23:30Z)',
      '2025-04-07 09:00:00 (23:30Z)',
    ]);
    const hourly = slotsBetween({ interval: '1h' }, 'Australia/Adelaide', new Date('2025-04-05T14:00:00Z'), new Date('2025-04-05T19:00:00Z'));
    expect(hourly.map((d) => d.toISOString().slice(11, 16))).toEqual(['14:30', '15:30', '16:30', '17:30', '18:30']);
  });

  describe('across a Europe/Berlin DST change', () => {
    const berlin = 'Europe/Berlin';

    it('spring forward: a wall-clock slot inside the skipped hour runs when the clock resumes, once', () => {
      // 30 March 2025: 02:00 CET jumps to 03:00 CEST.
      expect(local({ interval: '6h', preferredHour: 2 }, berlin, '2025-03-29T12:00:00Z', '2025-03-31T11:00:00Z')).toEqual([
        '2025-03-29 14:00:00 (13:00Z)',
        '2025-03-29 20:00:00 (19:00Z)',
        '2025-03-30 03:00:00 (01:00Z)',
        '2025-03-30 08:00:00 (06:00Z)',
        '2025-03-30 14:00:00 (12:00Z)',
        '2025-03-30 20:00:00 (18:00Z)',
        '2025-03-31 02:00:00 (00:00Z)',
        '2025-03-31 08:00:00 (06:00Z)',
      ]);
      expect(local({ interval: '24h', preferredHour: 2 }, berlin, '2025-03-29T00:00:00Z', '2025-03-31T12:00:00Z')).toEqual([
        '2025-03-29 02:00:00 (01:00Z)',
        '2025-03-30 03:00:00 (01:00Z)',
        '2025-03-31 02:00:00 (00:00Z)',
      ]);
    });

    it('fall back: a wall-clock slot in the repeated hour runs once', () => {
      // 26 October 2025: 03:00 CEST falls back to 02:00 CET; 02:00–02:59 happens twice.
      expect(local({ interval: '12h', preferredHour: 2 }, berlin, '2025-10-24T23:00:00Z', '2025-10-27T12:00:00Z')).toEqual([
        '2025-10-25 02:00:00 (00:00Z)',
        '2025-10-25 14:00:00 (12:00Z)',
        '2025-10-26 02:00:00 (01:00Z)',
        '2025-10-26 14:00:00 (13:00Z)',
        '2025-10-27 02:00:00 (01:00Z)',
      ]);
    });

    it('keeps sub-daily intervals even in real time through both changes', () => {
      for (const [from, to] of [
        ['2025-03-29T22:00:00Z', '2025-03-30T03:00:00Z'],
        ['2025-10-25T22:00:00Z', '2025-10-26T03:00:00Z'],
      ] as const) {
        for (const [interval, minutes] of [['15m', 15], ['30m', 30], ['1h', 60]] as const) {
          const slots = slotsBetween({ interval }, berlin, new Date(from), new Date(to)).map((d) => d.getTime());
          expect(slots).toHaveLength((5 * 60) / minutes);
          expect(new Set(slots.slice(1).map((t, i) => t - slots[i]!))).toEqual(new Set([minutes * 60_000]));
        }
      }
      // Both 02:30s of the repeated hour run, half an hour apart in real time from their neighbours.
      expect(local({ interval: '30m' }, berlin, '2025-10-25T23:45:00Z', '2025-10-26T01:45:00Z')).toEqual([
        '2025-10-26 02:00:00 (00:00Z)',
        '2025-10-26 02:30:00 (00:30Z)',
        '2025-10-26 02:00:00 (01:00Z)',
        '2025-10-26 02:30:00 (01:30Z)',
      ]);
    });
  });

  it('finds the next slot strictly after an instant, and the latest at or before it', () => {
    const schedule: Schedule = { interval: '6h', preferredHour: 2 };
    const slot = new Date('2025-06-01T08:00:00Z');
    expect(nextSlot(schedule, 'UTC', slot).toISOString()).toBe('2025-06-01T14:00:00.000Z');
    expect(latestSlot(schedule, 'UTC', slot).toISOString()).toBe('2025-06-01T08:00:00.000Z');
    expect(latestSlot(schedule, 'UTC', new Date('2025-06-01T07:59:59.999Z')).toISOString()).toBe('2025-06-01T02:00:00.000Z');
    expect(latestSlot({ interval: '24h', preferredHour: 2 }, 'Europe/Berlin', new Date('2025-03-30T12:00:00Z')).toISOString()).toBe(
      '2025-03-30T01:00:00.000Z',
    );
    expect(latestSlot({ interval: '15m' }, 'Asia/Kolkata', new Date('2025-06-01T00:10:00Z')).toISOString()).toBe('2025-06-01T00:00:00.000Z');
  });
});

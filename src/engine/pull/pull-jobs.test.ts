import { describe, expect, test } from 'vitest';
import { clockHourStart } from './pull-jobs.js';

describe('clockHourStart (the hourly PULL limit counts per clock hour of the organisation)', () => {
  test('starts UTC hours on the hour', () => {
    expect(new Date(clockHourStart('UTC', Date.parse('2025-06-01T10:42:00Z'))).toISOString()).toBe('2025-06-01T10:00:00.000Z');
  });

  test('starts Asia/Kolkata hours at half past the UTC hour', () => {
    expect(new Date(clockHourStart('Asia/Kolkata', Date.parse('2025-06-01T10:42:00Z'))).toISOString()).toBe('2025-06-01T10:30:00.000Z');
    expect(new Date(clockHourStart('Asia/Kolkata', Date.parse('2025-06-01T10:12:00Z'))).toISOString()).toBe('2025-06-01T09:30:00.000Z');
  });

  test('follows a DST change: the hour after Europe/Berlin springs forward starts at 03:00 CEST', () => {
    // 2025-03-30 01:00Z is 03:00 CEST, right after the clock jumped from 02:00 CET.
    expect(new Date(clockHourStart('Europe/Berlin', Date.parse('2025-03-30T01:20:00Z'))).toISOString()).toBe('2025-03-30T01:00:00.000Z');
    expect(new Date(clockHourStart('Australia/Lord_Howe', Date.parse('2025-06-01T10:42:00Z'))).toISOString()).toBe('2025-06-01T10:30:00.000Z');
  });
});

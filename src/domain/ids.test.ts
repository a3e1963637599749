import { validate, version } from 'uuid';
import { describe, expect, test, vi } from 'vitest';
import { newId } from './ids.js';

/** The creation time in ms, from an id's first 48 bits. */
const ms = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

describe('newId', () => {
  test('makes UUIDv7s whose first 48 bits are the time in ms, increasing and unique over many in one millisecond', () => {
    const before = Date.now();
    const ids = Array.from({ length: 20_000 }, () => newId());
    const after = Date.now();
    expect(ids.filter((id) => !/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id))).toEqual([]);
    expect(ids.filter((id) => !validate(id) || version(id) !== 7)).toEqual([]);
    expect(ms(ids[0]!)).toBeGreaterThanOrEqual(before);
    expect(ms(ids.at(-1)!)).toBeLessThanOrEqual(after + 1);
    expect(ids.findIndex((id, i) => i > 0 && id <= ids[i - 1]!)).toBe(-1);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('draws fresh random bits: two ids of one millisecond differ in their random tail', () => {
    const tails = new Set(Array.from({ length: 1000 }, () => newId().slice(-10)));
    expect(tails.size).toBeGreaterThan(990);
  });

  test('keep increasing, in the last id\'s millisecond, when the clock steps back', () => {
    const first = newId();
    const now = vi.spyOn(Date, 'now').mockReturnValue(ms(first) - 5_000);
    try {
      const later = [newId(), newId(), newId()];
      const all = [first, ...later];
      expect(all).toEqual([...all].sort());
      expect(new Set(all).size).toBe(4);
      expect(later.map(ms)).toEqual([ms(first), ms(first), ms(first)]);
    } finally {
      now.mockRestore();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { LruMap } from './lru-map.js';

describe('a map of at most n entries', () => {
  it('lets the entry kept first and never read again go first', () => {
    const lru = new LruMap<string, number>(4);
    ['a', 'b', 'c', 'd', 'e'].forEach((key, i) => lru.set(key, i));
    expect(lru.size).toBe(4);
    expect(lru.get('a')).toBeUndefined();
    lru.set('a', 9);
    // Keeping `a` again pushed out `b`, the oldest then.
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('e')).toBe(4);
    expect(lru.get('a')).toBe(9);
  });

  it('keeps an entry read within the last half-limit of entries kept', () => {
    const lru = new LruMap<string, number>(4);
    ['a', 'b', 'c', 'd'].forEach((key, i) => lru.set(key, i));
    // Three entries kept since `a`: more than half the limit, so this hit moves it to the end.
    expect(lru.get('a')).toBe(0);
    ['e', 'f', 'g'].forEach((key, i) => lru.set(key, 4 + i));
    expect(lru.get('a')).toBe(0);
    expect(lru.get('b')).toBeUndefined();
  });

  it('keeps a value set again under its key once, at the end', () => {
    const lru = new LruMap<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.set('a', 3);
    lru.set('c', 4);
    expect([lru.get('a'), lru.get('b'), lru.get('c'), lru.size]).toEqual([3, undefined, 4, 2]);
  });

  it('forgets everything on clear', () => {
    const lru = new LruMap<string, number>(2);
    lru.set('a', 1);
    lru.clear();
    expect([lru.get('a'), lru.size]).toEqual([undefined, 0]);
  });
});

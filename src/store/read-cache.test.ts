import { describe, expect, it } from 'vitest';
import { ReadCache } from './read-cache.js';

describe('the read cache past its size limit', () => {
  /** Reads `key` through `cache`; answers whether it was loaded (a miss). */
  async function loaded(cache: ReadCache, key: string): Promise<boolean> {
    let miss = false;
    await cache.read(key, async () => ((miss = true), key));
    return miss;
  }

  it('lets the entry kept first and never read again go first', async () => {
    const cache = new ReadCache({ maxEntries: 4 });
    for (const key of ['a', 'b', 'c', 'd', 'e']) await loaded(cache, key);
    expect(await loaded(cache, 'a')).toBe(true);
    // Keeping `a` again pushed out `b`, the oldest then.
    expect(await loaded(cache, 'b')).toBe(true);
    expect(await loaded(cache, 'e')).toBe(false);
  });

  it('keeps an entry read within the last half-limit of entries kept', async () => {
    const cache = new ReadCache({ maxEntries: 4 });
    for (const key of ['a', 'b', 'c', 'd']) await loaded(cache, key);
    // Three entries kept since `a`: more than half the limit, so this hit moves it to the end.
    expect(await loaded(cache, 'a')).toBe(false);
    for (const key of ['e', 'f', 'g']) await loaded(cache, key);
    expect(await loaded(cache, 'a')).toBe(false);
    expect(await loaded(cache, 'b')).toBe(true);
  });

  it('answers the hits of a working set under the limit from memory, however many', async () => {
    const cache = new ReadCache({ maxEntries: 4 });
    let loads = 0;
    for (let i = 0; i < 1000; i++) for (const key of ['a', 'b', 'c']) await cache.read(key, async () => ++loads);
    expect(loads).toBe(3);
  });
});

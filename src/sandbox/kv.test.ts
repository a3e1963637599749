import { describe, expect, test } from 'vitest';
import { MemoryKvStore, dryRunKv } from './kv.js';

describe('MemoryKvStore', () => {
  test('stores copies of JSON values and lists keys by prefix, sorted', async () => {
    const kv = new MemoryKvStore();
    const value = { a: [1] };
    await kv.set('b:2', value, { ttlSeconds: 60 });
    await kv.set('b:1', 'x', { ttlSeconds: 60 });
    await kv.set('c', null, { ttlSeconds: 60 });
    value.a.push(2);
    expect(await kv.get('b:2')).toEqual({ a: [1] });
    expect(await kv.get('c')).toBeNull();
    expect(await kv.get('missing')).toBeUndefined();
    expect(await kv.list('b:')).toEqual(['b:1', 'b:2']);
    await kv.delete('b:1');
    expect(await kv.list('')).toEqual(['b:2', 'c']);
  });

  test('expires entries after their time to live, and set renews it', async () => {
    let now = 0;
    const kv = new MemoryKvStore(() => now);
    await kv.set('k', 1, { ttlSeconds: 10 });
    now = 9_000;
    await kv.set('k', 2, { ttlSeconds: 10 });
    now = 15_000;
    expect(await kv.get('k')).toBe(2);
    now = 19_000;
    expect(await kv.get('k')).toBeUndefined();
    expect(await kv.list('')).toEqual([]);
  });
});

describe('dryRunKv', () => {
  test('reads through, keeps writes and deletes to itself', async () => {
    const store = new MemoryKvStore();
    await store.set('a', 1, { ttlSeconds: 60 });
    await store.set('b', 2, { ttlSeconds: 60 });
    const dry = dryRunKv(store);
    await dry.set('c', 3, { ttlSeconds: 60 });
    await dry.delete('a');
    expect([await dry.get('a'), await dry.get('b'), await dry.get('c')]).toEqual([undefined, 2, 3]);
    expect(await dry.list('')).toEqual(['b', 'c']);
    expect(await store.list('')).toEqual(['a', 'b']);
  });
});

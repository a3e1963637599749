import fs from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { createIsolateSandbox } from './isolate-sandbox.js';
import { IsolateLanes } from './isolate-lanes.js';
import { MemoryKvStore } from './kv.js';

/** A call that settles when told to. */
function deferred() {
  let settle!: (value: string) => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<string>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  return { promise, settle, fail };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('isolate lanes', () => {
  test('run at most one call per lane, and the waiting ones in order', async () => {
    const lanes = new IsolateLanes(2, 60_000);
    const calls = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const results = calls.map((call, i) =>
      lanes.run(() => {
        started.push(i);
        return call.promise;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(lanes.waiting).toBe(2);
    calls[1].settle('b');
    await expect(results[1]).resolves.toBe('b');
    await tick();
    expect(started).toEqual([0, 1, 2]);
    calls[0].fail(new Error('a failed'));
    await expect(results[0]).rejects.toThrow('a failed');
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    calls[2].settle('c');
    calls[3].settle('d');
    await expect(Promise.all(results.slice(2))).resolves.toEqual(['c', 'd']);
  });

  test('a call that throws before it returns a promise frees its lane', async () => {
    const lanes = new IsolateLanes(1, 60_000);
    const thrown = lanes.run<string>(() => {
      throw new Error('no promise');
    });
    await expect(thrown).rejects.toThrow('no promise');
    await expect(lanes.run(async () => 'next')).resolves.toBe('next');
  });

  test('a call that holds its lane too long stops counting, and the waiting calls go on', async () => {
    const lanes = new IsolateLanes(1, 5);
    const spinning = deferred();
    void lanes.run(() => spinning.promise);
    // Resolves only if it starts while the first call still holds its lane.
    await expect(lanes.run(async () => 'went on')).resolves.toBe('went on');
    spinning.settle('done at last');
  });
});

describe('isolate lanes in the sandbox', () => {
  const sandbox = createIsolateSandbox({ maxIdleIsolates: 64 });
  afterAll(() => sandbox.close());

  // Each continuation after an await is an async call into the isolate. Without lanes,
  // isolated-vm gave most of them a thread of their own once more were in flight than its
  // pool has threads: about one new thread for every two continuations here.
  test.skipIf(process.platform !== 'linux')('continuations of many runs in flight do not make a thread each', async () => {
    const code = 'async function run() { for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 1)); return 1; }';
    const kv = new MemoryKvStore();
    const one = async () => {
      const result = await sandbox.run({ orgId: 'org-lanes', integrationId: 'lanes', hookId: 'lanes', hookVersion: 1, type: 'push', code, kv });
      expect(result.status).toBe('completed');
    };
    const RUNS = 16;
    const ROUNDS = 10;
    await Promise.all(Array.from({ length: RUNS }, one));
    const threads = () => fs.readdirSync('/proc/self/task');
    const before = new Set(threads());
    const seen = new Set<string>();
    const look = setInterval(() => {
      for (const id of threads()) if (!before.has(id)) seen.add(id);
    }, 1);
    try {
      await Promise.all(Array.from({ length: RUNS }, async () => {
        for (let i = 0; i < ROUNDS; i++) await one();
      }));
    } finally {
      clearInterval(look);
    }
    const continuations = RUNS * ROUNDS * 10;
    expect(seen.size).toBeLessThan(continuations / 8);
  });
});

import { afterAll, describe, expect, test } from 'vitest';
import { MemoryKvStore } from './kv.js';
import { DEFAULT_LIMITS, checkLimitOverrides, deploymentLimits, resolveLimits } from './limits.js';
import { loadConfig } from '../config.js';
import { createSandbox } from './supervisor.js';
import type { RunRequest } from './types.js';

const sandbox = createSandbox();
afterAll(() => sandbox.close());

let version = 0;
function run(code: string, extra: Partial<RunRequest> = {}) {
  return sandbox.run({ orgId: 'org-limits', hookId: 'hook', hookVersion: ++version, type: 'push', code, kv: new MemoryKvStore(), ...extra });
}

describe('default limits', () => {
  test('follow the table of docs/hooks.md "Limits" per hook type', () => {
    expect(DEFAULT_LIMITS.pull).toMatchObject({ memoryMb: 128, timeMs: 30_000, httpRequests: 50, httpResponseBytes: 10 * 1024 * 1024 });
    expect(DEFAULT_LIMITS.push).toMatchObject({ timeMs: 10_000, httpRequests: 50 });
    expect(DEFAULT_LIMITS.pre).toMatchObject({ timeMs: 2_000, httpRequests: 10 });
    expect(DEFAULT_LIMITS.post).toMatchObject({ timeMs: 2_000, httpRequests: 10 });
    expect(DEFAULT_LIMITS.inbound).toMatchObject({ timeMs: 10_000, httpRequests: 50, kvKeyLength: 256, kvValueBytes: 65_536 });
  });

  test('take overrides and refuse values that are not positive', () => {
    expect(resolveLimits('pre', { timeMs: 50 }).timeMs).toBe(50);
    expect(() => resolveLimits('pre', { timeMs: 0 })).toThrow(/timeMs must be a positive number/);
  });
});

describe("a deployment's limits", () => {
  test('change the defaults for every hook type, then for one, and leave the rest', () => {
    const limits = deploymentLimits({ all: { memoryMb: 256, timeMs: 20_000 }, pull: { timeMs: 60_000, pages: 500 }, pre: { httpRequests: 3 } });
    expect(limits.pull).toMatchObject({ memoryMb: 256, timeMs: 60_000, pages: 500, httpRequests: 50 });
    expect(limits.push).toMatchObject({ memoryMb: 256, timeMs: 20_000, pages: 100 });
    expect(limits.pre).toMatchObject({ memoryMb: 256, timeMs: 20_000, httpRequests: 3 });
    expect(limits.post.httpRequests).toBe(10);
    expect(deploymentLimits(undefined)).toBe(DEFAULT_LIMITS);
    // A run's own overrides apply over the deployment's.
    expect(resolveLimits('pre', { timeMs: 50 }, limits)).toMatchObject({ timeMs: 50, httpRequests: 3 });
  });

  test('are refused with what is wrong, where: a scope, a name, a value', () => {
    const refusal = (value: unknown) => {
      try {
        checkLimitOverrides(value);
      } catch (thrown) {
        return (thrown as Error).message;
      }
      return undefined;
    };
    expect(refusal([])).toMatch(/must be a JSON object/);
    expect(refusal({ cron: {} })).toMatch(/^cron: is not "all" or a hook type/);
    expect(refusal({ pull: 5 })).toMatch(/^pull: must be an object of limits/);
    expect(refusal({ pull: { timeout: 5 } })).toMatch(/^pull\.timeout: is not a limit \(memoryMb, timeMs/);
    for (const bad of [0, -1, 1.5, '100', null]) expect(refusal({ all: { timeMs: bad } }), String(bad)).toBe('all.timeMs: must be a positive integer');
    expect(refusal({ all: { timeMs: 1 }, inbound: { logLines: 10 } })).toBeUndefined();
  });

  test('come from HOOKYARD_HOOK_LIMITS, and a bad one stops the start naming the setting', () => {
    const config = loadConfig({ HOOKYARD_HOOK_LIMITS: '{ "push": { "timeMs": 1500 } }' }, { dataDir: '/nonexistent' });
    expect(config.hookLimits).toEqual({ push: { timeMs: 1500 } });
    expect(loadConfig({}, { dataDir: '/nonexistent' }).hookLimits).toBeUndefined();
    expect(() => loadConfig({ HOOKYARD_HOOK_LIMITS: '{ push: 1 }' }, { dataDir: '/nonexistent' })).toThrow(/^HOOKYARD_HOOK_LIMITS is not JSON/);
    expect(() => loadConfig({ HOOKYARD_HOOK_LIMITS: '{ "push": { "timeMs": 0 } }' }, { dataDir: '/nonexistent' })).toThrow('HOOKYARD_HOOK_LIMITS: push.timeMs: must be a positive integer');
  });

  test('hold the runs of a sandbox made with them, and say so in the breach', async () => {
    const strict = createSandbox({ limits: { push: { timeMs: 300, kvEntries: 1 } } });
    try {
      expect(strict.limits('push')).toMatchObject({ timeMs: 300, kvEntries: 1 });
      expect(strict.limits('pull').timeMs).toBe(30_000);
      const spin = await strict.run({ orgId: 'org-limits', hookId: 'spin', hookVersion: 1, type: 'push', code: 'async function run() { for (;;) {} }', kv: new MemoryKvStore() });
      expect(spin).toMatchObject({ status: 'timed_out', error: { limit: 'timeMs', message: expect.stringContaining('longer than 300 ms') } });
      const sets = 'async function run(ctx) { await ctx.kv.set("a", 1); await ctx.kv.set("b", 2); }';
      const kv = await strict.run({ orgId: 'org-limits', hookId: 'kv', hookVersion: 1, type: 'push', code: sets, kv: new MemoryKvStore() });
      expect(kv).toMatchObject({ status: 'failed', error: { limit: 'kvEntries', message: expect.stringContaining('at most 1 entries') } });
    } finally {
      await strict.close();
    }
  });
});

describe('each limit ends the run with a message naming it', () => {
  test('heap: allocating past the memory limit fails the run', async () => {
    const result = await run('async function run() { const keep = []; for (;;) keep.push(new Array(1e5).fill({ a: 1 })); }', { limits: { memoryMb: 32 } });
    expect(result).toMatchObject({ status: 'failed', error: { limit: 'memoryMb', message: 'Memory limit exceeded: the hook used more than 32 MB' } });
  });

  test('time: an endless loop ends as timed_out', async () => {
    const result = await run('async function run() { for (;;) {} }', { limits: { timeMs: 100 } });
    expect(result).toMatchObject({ status: 'timed_out', error: { limit: 'timeMs', message: 'Time limit exceeded: the hook ran longer than 100 ms' } });
  });

  test('time: a promise that never settles ends as timed_out', async () => {
    const result = await run('async function run() { await new Promise(() => {}); }', { limits: { timeMs: 100 } });
    expect(result).toMatchObject({ status: 'timed_out', error: { limit: 'timeMs' } });
  });

  test('time: a loop after an awaited host call ends as timed_out', async () => {
    const result = await run('async function run(ctx) { await ctx.kv.get("k"); for (;;) {} }', { limits: { timeMs: 100 } });
    expect(result).toMatchObject({ status: 'timed_out', error: { limit: 'timeMs' } });
  });

  test('time: an endless loop in top-level code ends as timed_out', async () => {
    const result = await run('for (;;) {}\nasync function run() {}', { limits: { timeMs: 100 } });
    expect(result.status).toBe('timed_out');
  });

  test('time: a timer that would fire after the deadline ends the run as timed_out', async () => {
    const result = await run('async function run() { await new Promise((r) => setTimeout(r, 60_000)); }', { limits: { timeMs: 100 } });
    expect(result.status).toBe('timed_out');
  });

  test('log volume: lines past the cap are dropped with one note', async () => {
    const result = await run('async function run() { for (let i = 0; i < 50; i++) console.log("line " + i); return "done"; }', {
      limits: { logLines: 10 },
    });
    expect(result.status).toBe('completed');
    expect(result.logs).toHaveLength(11);
    expect(result.logs[10]).toMatchObject({ level: 'warn', message: expect.stringMatching(/^Log limit reached: at most 10 lines .* the rest was dropped$/) });
  });

  test('log volume: bytes past the cap are dropped with one note', async () => {
    const result = await run('async function run() { for (let i = 0; i < 10; i++) console.log("x".repeat(400)); }', { limits: { logBytes: 1000 } });
    expect(result.logs.map((l) => l.level)).toEqual(['info', 'info', 'warn']);
  });

  test('log volume: the cap holds over several runs sharing a budget', async () => {
    const logBudget = { bytes: 1e6, lines: 3, exhausted: false };
    const code = 'async function run() { console.log("a"); console.log("b"); }';
    const first = await run(code, { logBudget });
    const second = await run(code, { logBudget });
    expect(first.logs).toHaveLength(2);
    expect(second.logs.map((l) => l.level)).toEqual(['info', 'warn']);
  });

  test('returned value: a result over the size limit fails the run', async () => {
    const result = await run('async function run() { return "x".repeat(5000); }', { limits: { resultBytes: 1000 } });
    expect(result).toMatchObject({ status: 'failed', error: { limit: 'resultBytes', message: expect.stringMatching(/^Result size limit exceeded/) } });
  });

  test('KV: a key over 256 characters fails the run', async () => {
    const result = await run('async function run(ctx) { try { await ctx.kv.set("k".repeat(257), 1); } catch {} return "caught"; }');
    expect(result).toMatchObject({ status: 'failed', error: { limit: 'kvKeyLength', message: expect.stringMatching(/^KV key limit exceeded/) } });
  });

  test('KV: a value over 64 KB fails the run', async () => {
    const result = await run('async function run(ctx) { await ctx.kv.set("k", "x".repeat(70000)); }');
    expect(result).toMatchObject({ status: 'failed', error: { limit: 'kvValueBytes' } });
  });

  test('KV: an integration holds at most its quota of entries and characters', async () => {
    const kv = new MemoryKvStore();
    const fill = 'async function run(ctx) { for (let i = 0; i < 10; i++) await ctx.kv.set("k" + i, "x".repeat(100)); }';
    const entries = await run(fill, { kv, limits: { kvEntries: 5 } });
    expect(entries).toMatchObject({ status: 'failed', error: { limit: 'kvEntries', message: expect.stringMatching(/^KV quota exceeded: an integration may keep at most 5 entries/) } });
    expect(await kv.list('')).toHaveLength(5);
    // Replacing a key does not count it twice.
    expect((await run('async function run(ctx) { await ctx.kv.set("k0", 1); }', { kv, limits: { kvEntries: 5 } })).status).toBe('completed');
    const chars = await run(fill, { kv: new MemoryKvStore(), limits: { kvBytes: 450 } });
    expect(chars).toMatchObject({ status: 'failed', error: { limit: 'kvBytes' } });
  });

  test('KV: a dry run is held to the same quota, counting what it wrote itself', async () => {
    const result = await run('async function run(ctx) { for (let i = 0; i < 100; i++) await ctx.kv.set("k" + i, i); }', {
      kv: new MemoryKvStore(),
      dryRun: true,
      limits: { kvEntries: 20 },
    });
    expect(result).toMatchObject({ status: 'failed', error: { limit: 'kvEntries' } });
  });

  test('KV: a value nested past the limit is refused before the store sees it', async () => {
    const result = await run('async function run(ctx) { let v = 1; for (let i = 0; i < 100; i++) v = [v]; await ctx.kv.set("deep", v); }');
    expect(result).toMatchObject({ status: 'failed', error: { limit: 'jsonDepth' } });
  });

  test('KV: set uses the default expiry of 90 days unless told otherwise', async () => {
    const calls: number[] = [];
    const kv = new MemoryKvStore();
    const spy = { ...kv, get: kv.get.bind(kv), list: kv.list.bind(kv), delete: kv.delete.bind(kv), usage: kv.usage.bind(kv), set: async (k: string, v: never, o: { ttlSeconds: number }) => void calls.push(o.ttlSeconds) };
    await run('async function run(ctx) { await ctx.kv.set("a", 1); await ctx.kv.set("b", 1, { ttlSeconds: 30 }); }', { kv: spy });
    expect(calls).toEqual([90 * 24 * 3600, 30]);
  });

  test('timers: too many pending timers fail the run', async () => {
    const result = await run('async function run() { for (let i = 0; i < 20; i++) setTimeout(() => {}, 1000); await new Promise((r) => setTimeout(r, 50)); }', {
      limits: { timers: 10 },
    });
    expect(result).toMatchObject({ status: 'failed', error: { limit: 'timers' } });
  });
});

describe('a breach harms nothing else', () => {
  test('the next run of the same hook after a breach starts clean and completes', async () => {
    const req = { orgId: 'org-limits', hookId: 'flaky', hookVersion: 1, type: 'push' as const, kv: new MemoryKvStore(), limits: { timeMs: 100 } };
    const code = 'let runs = 0;\nasync function run(ctx) { runs++; if (ctx.params.spin) for (;;) {} return runs; }';
    expect((await sandbox.run({ ...req, code, ctx: { params: { spin: true } } })).status).toBe('timed_out');
    expect(await sandbox.run({ ...req, code, ctx: { params: {} } })).toMatchObject({ status: 'completed', value: 1 });
  });

  test('a spinning run of one organisation does not stop another organisation from completing', async () => {
    const spinning = sandbox.run({ orgId: 'org-spin', hookId: 's', hookVersion: 1, type: 'push', code: 'async function run() { for (;;) {} }', kv: new MemoryKvStore(), limits: { timeMs: 1500 } });
    const others = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        sandbox.run({ orgId: `org-ok-${i}`, hookId: 'ok', hookVersion: 1, type: 'push', code: 'async function run() { return "fine"; }', kv: new MemoryKvStore() }),
      ),
    );
    // Every other run finished while the spinning one was still going.
    const stillSpinning = await Promise.race([spinning.then(() => false), Promise.resolve(true)]);
    expect(others.map((r) => r.value)).toEqual(['fine', 'fine', 'fine', 'fine', 'fine']);
    expect(stillSpinning).toBe(true);
    expect((await spinning).status).toBe('timed_out');
  });
});

describe('a breach without context reuse', () => {
  test('a memory breach in a one-off context still ends as a clean failed result', async () => {
    const fresh = createSandbox({ reuseContexts: false });
    try {
      const req = { orgId: 'o', hookId: 'h', hookVersion: 1, type: 'push' as const, kv: new MemoryKvStore(), limits: { memoryMb: 32 } };
      const bomb = await fresh.run({ ...req, code: 'async function run() { const k = []; for (;;) k.push(new Array(1e5).fill(1)); }' });
      expect(bomb.error?.limit).toBe('memoryMb');
      expect((await fresh.run({ ...req, hookVersion: 2, code: 'async function run() { return 1; }' })).value).toBe(1);
    } finally {
      await fresh.close();
    }
  });
});

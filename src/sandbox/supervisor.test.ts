import fs from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { FIRST_STAY } from './hook-context.js';
import { MemoryKvStore } from './kv.js';
import { createSandbox } from './supervisor.js';
import type { JsonValue, RunRequest } from './types.js';

const sandbox = createSandbox({ processes: 1 });
afterAll(() => sandbox.close());

let version = 0;
function run(code: string, extra: Partial<RunRequest> = {}) {
  return sandbox.run({ orgId: 'org-supervised', hookId: 'hook', hookVersion: ++version, type: 'push', code, kv: new MemoryKvStore(), ...extra });
}

/** The ids of this process's children: its sandbox processes. */
function children(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('the supervised sandbox', () => {
  test('replaces a process that a hook took down, and the next run completes', async () => {
    expect((await run('async function run() { return 1; }')).value).toBe(1);
    const before = children();
    const crash = await run("async function run() { const s = 'E'.repeat(60 * 1024 * 1024); return JSON.stringify([s, 'x' + s]).length; }");
    expect(crash).toMatchObject({ status: 'failed', error: { limit: 'memoryMb' } });
    expect((await run('async function run() { return 2; }')).value).toBe(2);
    expect(children()).not.toEqual(before);
  });

  test("sends a hook version's code again to the process that replaced the one holding it", async () => {
    const hookVersion = ++version;
    const kept = () => sandbox.run({ orgId: 'org-supervised', hookId: 'kept', hookVersion, type: 'push', code: 'async function run() { return "kept"; }', kv: new MemoryKvStore() });
    expect((await kept()).value).toBe('kept');
    const before = children();
    expect(await run("async function run() { const s = 'E'.repeat(60 * 1024 * 1024); return JSON.stringify([s, 'x' + s]).length; }")).toMatchObject({ status: 'failed', error: { limit: 'memoryMb' } });
    expect(children()).not.toEqual(before);
    expect(await kept()).toMatchObject({ status: 'completed', value: 'kept' });
  });

  test('runs sent together in one message each run their own code, while the process forgets what it may not keep', async () => {
    const small = createSandbox({ processes: 1, maxCachedSources: 1 });
    try {
      const hook = (name: string) => small.run({ orgId: 'o', hookId: name, hookVersion: 1, type: 'push', code: `async function run() { return "${name}"; }`, kv: new MemoryKvStore() });
      const names = ['a', 'b', 'c', 'a', 'b'];
      expect((await Promise.all(names.map(hook))).map((r) => r.value)).toEqual(names);
      expect((await Promise.all(names.map(hook))).map((r) => r.value)).toEqual(names);
    } finally {
      await small.close();
    }
  });

  test('retires a process whose hook thread keeps spinning past its run, and ends it', async () => {
    expect((await run('async function run() { return 1; }')).value).toBe(1);
    const [stuckIn] = children();
    const code = "const e = new Error('x'); Object.defineProperty(e, 'message', { get() { for (;;) {} } }); throw e;\nasync function run() {}";
    expect(await run(code, { limits: { timeMs: 300 } })).toMatchObject({ status: 'timed_out', error: { limit: 'timeMs' } });
    for (let i = 0; i < 50 && fs.existsSync(`/proc/${stuckIn}`); i++) await new Promise((r) => setTimeout(r, 100));
    expect(fs.existsSync(`/proc/${stuckIn}`)).toBe(false);
    expect((await run('async function run() { return 3; }')).value).toBe(3);
  });

  test("keeps the hook's own words: an error that names a limit is no breach", async () => {
    const result = await run("async function run() { throw new Error('Script execution timed out.'); }");
    expect(result).toMatchObject({ status: 'failed', error: { message: 'Script execution timed out.' } });
    expect(result.error?.limit).toBeUndefined();
  });

  test('refuses an unknown entry point before it reaches a process', async () => {
    await expect(run('async function run() {}', { entry: 'constructor' as never })).rejects.toThrow(/entry must be one of/);
  });

  test('gives a sandbox process none of the server environment', async () => {
    process.env.HOOKYARD_MASTER_KEY_TEST_PROBE = 'must-not-leak';
    try {
      const fresh = createSandbox({ processes: 1 });
      try {
        expect((await fresh.run({ orgId: 'o', hookId: 'h', hookVersion: 1, type: 'push', code: 'async function run() { return 1; }', kv: new MemoryKvStore() })).value).toBe(1);
        const [pid] = children().filter((p) => !fs.readFileSync(`/proc/${p}/environ`, 'utf8').includes('VITEST'));
        expect(pid).toBeDefined();
        expect(fs.readFileSync(`/proc/${pid}/environ`, 'utf8')).not.toContain('must-not-leak');
      } finally {
        await fresh.close();
      }
    } finally {
      delete process.env.HOOKYARD_MASTER_KEY_TEST_PROBE;
    }
  });
});

describe("a run's synchronous part on the process's main thread", () => {
  test('a hook that spins does not hold up the other runs of its process', async () => {
    let spinEnded = false;
    const spinning = run('async function run() { for (;;) {} }', { orgId: 'org-spinning', limits: { timeMs: 3000 } }).then((result) => {
      spinEnded = true;
      return result;
    });
    // Sent once the spinning run is surely under way, not in the same message batch.
    await new Promise((r) => setTimeout(r, 300));
    const other = await run('async function run() { return "fine"; }', { orgId: 'org-other' });
    expect(other.value).toBe('fine');
    expect(spinEnded).toBe(false);
    expect(await spinning).toMatchObject({ status: 'timed_out', error: { limit: 'timeMs' } });
  });

  test('a hostile error thrown into the bootstrap is read inside the isolate, under the time limit', async () => {
    expect((await run('async function run() { return 1; }')).value).toBe(1);
    const before = children();
    // Map.prototype.clear is called as each run starts: its error's message never ends.
    const code = "Map.prototype.clear = function () { const e = new Error('x'); Object.defineProperty(e, 'message', { get() { for (;;) {} } }); throw e; };\nasync function run() {}";
    expect(await run(code, { limits: { timeMs: 500 } })).toMatchObject({ status: 'timed_out', error: { limit: 'timeMs' } });
    expect((await run('async function run() { return 2; }')).value).toBe(2);
    expect(children()).toEqual(before);
  });

  test("a value the main thread's stack cannot stringify is judged on the isolate's thread", async () => {
    // 6,000 levels overflow the main thread's stack in JSON.stringify; the isolate's thread
    // stringifies them, and the platform's nesting limit names what is wrong.
    const deep = await run('async function run(ctx) { ctx.log.info("once"); let v = 1; for (let i = 0; i < 6000; i++) v = [v]; return v; }');
    expect(deep).toMatchObject({ status: 'failed', error: { limit: 'jsonDepth' } });
    expect(deep.logs.map((l) => l.message)).toEqual(['once']);
    // A value that is not JSON on any thread still says so.
    const circular = await run('async function run() { const a = {}; a.self = a; return a; }');
    expect(circular).toMatchObject({ status: 'failed', error: { message: expect.stringContaining('The returned value is not JSON') } });
    expect(circular.error?.limit).toBeUndefined();
  });

  test('a run cut off there starts over in a fresh context with nothing of its first attempt kept', async () => {
    const sets: unknown[] = [];
    const kv = new (class extends MemoryKvStore {
      override set(key: string, value: JsonValue, options: { readonly ttlSeconds: number }) {
        sets.push([key, value]);
        return super.set(key, value, options);
      }
    })();
    // Busy for longer than a synchronous part may take on the main thread, after a log line
    // and a KV write that is not awaited.
    const code = `let attempts = 0;
      async function run(ctx) {
        attempts += 1;
        ctx.log.info('attempt ' + attempts);
        ctx.kv.set('early', attempts);
        const until = Date.now() + 50;
        while (Date.now() < until) {}
        await ctx.kv.set('late', attempts);
        return attempts;
      }`;
    const hookVersion = ++version;
    const first = await sandbox.run({ orgId: 'org-cut', hookId: 'cut', hookVersion, type: 'push', code, kv });
    expect(first).toMatchObject({ status: 'completed', value: 1 });
    expect(first.logs.map((l) => l.message)).toEqual(['attempt 1']);
    expect(sets.sort()).toEqual([['early', 1], ['late', 1]]);
    // Its next runs go to the isolate's thread, in the context it started over in.
    for (let attempt = 2; attempt <= FIRST_STAY + 1; attempt++) {
      const next = await sandbox.run({ orgId: 'org-cut', hookId: 'cut', hookVersion, type: 'push', code, kv });
      expect(next).toMatchObject({ status: 'completed', value: attempt });
      expect(next.logs.map((l) => l.message)).toEqual([`attempt ${attempt}`]);
    }
    // Then it is tried on the main thread again (a cut-off may have been the machine's
    // stall, not the hook's): cut off again, it starts over in a fresh context once more.
    const retried = await sandbox.run({ orgId: 'org-cut', hookId: 'cut', hookVersion, type: 'push', code, kv });
    expect(retried).toMatchObject({ status: 'completed', value: 1 });
    expect(retried.logs.map((l) => l.message)).toEqual(['attempt 1']);
  });
});

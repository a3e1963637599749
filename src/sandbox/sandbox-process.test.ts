import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { MemoryKvStore } from './kv.js';
import { DEFAULT_LIMITS } from './limits.js';
import { SandboxProcess } from './sandbox-process.js';
import type { RunRequest } from './types.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures');

/** A process running a stand-in for process-main.js that behaves as `mode` says. */
function start(mode: 'silent' | 'oom' | 'echo' | 'kv' | 'crash', gone: SandboxProcess[] = [], maxCachedSources?: number): SandboxProcess {
  return new SandboxProcess({
    entry: path.join(FIXTURES, `sandbox-stub-${mode}.js`),
    options: { maxRssBytes: Infinity, maxCachedSources },
    limits: DEFAULT_LIMITS,
    graceMs: 100,
    niceness: 0,
    onGone: (p) => gone.push(p),
  });
}

// Long enough for a process to start on a busy machine; the deadline test sets its own.
function request(extra: Partial<RunRequest> = {}): RunRequest {
  return { orgId: 'o', hookId: 'h', hookVersion: 1, type: 'push', code: 'code', kv: new MemoryKvStore(), limits: { timeMs: 10_000 }, ...extra };
}

describe('a sandbox process, as the supervisor sees it', () => {
  test('kills a process that does not answer by the deadline: that run times out, the others in it are cut short', async () => {
    const gone: SandboxProcess[] = [];
    const p = start('silent', gone);
    const [late, other] = await Promise.all([p.run(request({ limits: { timeMs: 200 } })), p.run(request({ limits: { timeMs: 60_000 } }))]);
    expect(late).toMatchObject({ status: 'timed_out', error: { limit: 'timeMs', message: expect.stringContaining('the sandbox stopped answering') } });
    expect(other).toMatchObject({ status: 'failed', error: { message: expect.stringContaining('another run in it stopped answering') } });
    expect(gone).toEqual([p]);
    expect(p.accepting).toBe(false);
    await p.exited;
  });

  test('ends the runs of a process that ran out of memory as memory breaches', async () => {
    const p = start('oom');
    expect(await p.run(request())).toMatchObject({ status: 'failed', error: { limit: 'memoryMb', message: expect.stringContaining('the sandbox ran out of memory') } });
  });

  test("answers a run's KV calls from that run's own store", async () => {
    const p = start('kv');
    const kv = new MemoryKvStore();
    await kv.set('k', { v: 1 }, { ttlSeconds: 60 });
    expect((await p.run(request({ kv }))).value).toEqual({ v: 1 });
    await p.close();
  });

  test('hands the log budget back to the caller, so the pages of one execution share it', async () => {
    const p = start('echo');
    const logBudget = { bytes: 1000, lines: 10, exhausted: false };
    expect((await p.run(request({ logBudget }))).value).toMatchObject({ code: 'code' });
    await p.run(request({ logBudget }));
    expect(logBudget.lines).toBe(8);
    await p.close();
  });

  test('ends every run of a message batch when the process dies in it, answers already queued included', async () => {
    const p = start('crash');
    // Sent in one tick: one IPC message. The stub answers the first run, and aborts on the
    // second before its answer went out: no run is left without a result.
    const results = await Promise.all([p.run(request({ code: 'first' })), p.run(request({ code: 'crash' })), p.run(request({ code: 'never read' }))]);
    expect(results).toEqual([0, 1, 2].map(() => expect.objectContaining({ status: 'failed', error: expect.objectContaining({ message: expect.stringContaining('crashed (SIGABRT)') }) })));
    expect(p.load).toBe(0);
  });

  test('names no run the culprit when the process ran out of memory with several runs in it', async () => {
    const p = start('oom');
    const results = await Promise.all([p.run(request()), p.run(request()), p.run(request())]);
    for (const result of results) {
      expect(result).toMatchObject({ status: 'failed', error: { message: expect.stringContaining('ran out of memory with 3 runs in it') } });
      expect(result.error?.limit).toBeUndefined();
    }
  });

  test("sends a hook version's code once per process, again when it changed or was forgotten", async () => {
    const p = start('echo', [], 2);
    const value = async (extra: Partial<RunRequest>) => (await p.run(request(extra))).value;
    expect(await value({ hookId: 'a', code: 'A1' })).toEqual({ code: 'A1', carried: true, held: 1 });
    expect(await value({ hookId: 'a', code: 'A1' })).toEqual({ code: 'A1', carried: false, held: 1 });
    // The same hook version with other code (never so in the platform, but the code decides).
    expect(await value({ hookId: 'a', code: 'A2' })).toEqual({ code: 'A2', carried: true, held: 1 });
    expect(await value({ hookId: 'b', code: 'B' })).toEqual({ code: 'B', carried: true, held: 2 });
    // Past two hook versions the least recently used is forgotten, in the process too.
    expect(await value({ hookId: 'a', code: 'A2' })).toEqual({ code: 'A2', carried: false, held: 2 });
    expect(await value({ hookId: 'c', code: 'C' })).toEqual({ code: 'C', carried: true, held: 2 });
    expect(await value({ hookId: 'b', code: 'B' })).toEqual({ code: 'B', carried: true, held: 2 });
    expect(await value({ hookId: 'a', code: 'A2' })).toEqual({ code: 'A2', carried: true, held: 2 });
    await p.close();
    // A new process holds nothing.
    const q = start('echo');
    expect(await q.run(request({ hookId: 'a', code: 'A2' }))).toMatchObject({ value: { code: 'A2', carried: true } });
    await q.close();
  });

  test('a retired process takes no more runs and ends once its runs are done', async () => {
    const p = start('echo');
    const running = p.run(request());
    p.retire();
    expect(p.accepting).toBe(false);
    expect((await running).status).toBe('completed');
    await p.exited;
  });

  test('closing ends the runs still in it as failed', async () => {
    const p = start('silent');
    const running = p.run(request({ limits: { timeMs: 60_000 } }));
    await p.close();
    expect(await running).toMatchObject({ status: 'failed', error: { message: 'The sandbox was shut down before the run ended' } });
  });
});

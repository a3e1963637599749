import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { MemoryKvStore } from './kv.js';
import { SandboxProcess } from './sandbox-process.js';
import type { RunRequest } from './types.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/fixtures');

/** A process running a stand-in for process-main.js that behaves as `mode` says. */
function start(mode: 'silent' | 'oom' | 'echo' | 'kv', gone: SandboxProcess[] = []): SandboxProcess {
  return new SandboxProcess({
    entry: path.join(FIXTURES, `sandbox-stub-${mode}.js`),
    options: { maxRssBytes: Infinity },
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
    expect((await p.run(request({ logBudget }))).value).toBe('code');
    await p.run(request({ logBudget }));
    expect(logBudget.lines).toBe(8);
    await p.close();
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

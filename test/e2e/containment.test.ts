/**
 * Hostile hook code against the real `hookyard serve`: every attack below once took the
 * server down, left a thread spinning, leaked memory or lost the execution record. Now
 * hook code runs in supervised sandbox processes, and after each attack the server
 * answers, the execution is recorded with the right status and reason, and the memory
 * and CPU of the server and its sandbox processes come back to where they were.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';

const KEY = `hyk_${'c'.repeat(40)}`;
let cwd: string;
let server: ServeProcess;

interface Execution {
  readonly id: string;
  readonly status: string;
  readonly error?: { message: string; limit?: string; line?: number };
  readonly logs: { level: string; message: string }[];
  readonly http: { url: string; error?: string }[];
}

async function call(method: string, url: string, body?: unknown): Promise<{ status: number; json: any; text: string }> {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

let integrations = 0;
async function integration(): Promise<string> {
  const n = ++integrations;
  const res = await call('POST', '/v1/integrations', { name: `Attack ${n}`, sourceSystemKey: `attack-${n}` });
  expect(res.status).toBe(201);
  return res.json.id as string;
}

async function hook(code: string, options: { integrationId?: string; type?: string; language?: string; changeTypes?: string[] } = {}): Promise<string> {
  const integrationId = options.integrationId ?? (await integration());
  const type = options.type ?? 'push';
  const res = await call('POST', `/v1/integrations/${integrationId}/hooks`, {
    name: 'attack',
    type,
    entityType: 'employee',
    code,
    // Only the PUSH test's hook hears entity creates: the others are tried by dry runs, and must
    // not be run again, out of sight, by the PUSH test's create.
    ...(type === 'push' ? { changeTypes: options.changeTypes ?? ['delete'] } : {}),
    ...(options.language ? { language: options.language } : {}),
  });
  expect(res.status, res.text).toBe(201);
  return res.json.id as string;
}

/** A dry run of `code`; answers the finished execution. */
async function dryRun(code: string, options: Parameters<typeof hook>[1] = {}): Promise<Execution> {
  const id = await hook(code, options);
  const res = await call('POST', `/v1/hooks/${id}/test`, {});
  expect(res.status, res.text).toBe(200);
  return res.json as Execution;
}

/** Ids of `pid` and all its descendants. */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

/** CPU seconds and resident MB of the server and its sandbox processes. */
function usage(): { cpuSeconds: number; rssMb: number } {
  let ticks = 0;
  let pages = 0;
  for (const pid of processTree(server.child.pid!)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').slice(0);
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
      pages += Number(fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    } catch {
      // Gone.
    }
  }
  return { cpuSeconds: ticks / 100, rssMb: (pages * 4096) / 1024 / 1024 };
}

async function healthy(): Promise<void> {
  const res = await fetch(`${server.url}/healthz`);
  expect(res.status).toBe(200);
  expect(server.child.exitCode).toBeNull();
}

/** Waits until the process tree stops using CPU (a stuck thread never does). */
async function settles(): Promise<number> {
  let burnt = Infinity;
  for (let i = 0; i < 20 && burnt > 0.3; i++) {
    const before = usage().cpuSeconds;
    await new Promise((r) => setTimeout(r, 1000));
    burnt = usage().cpuSeconds - before;
  }
  return burnt;
}

let atRest: { cpuSeconds: number; rssMb: number };

beforeAll(async () => {
  cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-containment-'));
  // One sandbox process, so that the memory baseline below holds every process the attacks use.
  server = await startServe({ cwd, env: { HOOKYARD_ADMIN_KEY: KEY, HOOKYARD_SANDBOX_PROCESSES: '1' } });
  // One harmless run first, so the baseline includes the organisation's sandbox process.
  expect((await dryRun('async function run() { return 1; }')).status).toBe('completed');
  atRest = usage();
});

afterAll(async () => {
  await server?.stop('SIGKILL');
  if (cwd) fs.rmSync(cwd, { recursive: true, force: true });
});

describe('hook code cannot take the server down', () => {
  test('B1: a 60 MB string that aborts its sandbox process fails the run; the server answers on', async () => {
    const execution = await dryRun("async function run() { const s = 'E'.repeat(60 * 1024 * 1024); return JSON.stringify([s, 'x' + s]).length; }");
    expect(execution.status).toBe('failed');
    expect(execution.error).toMatchObject({ limit: 'memoryMb' });
    await healthy();
  });

  test('B1: an error with a 60 MB message fails the run with a bounded record', async () => {
    const execution = await dryRun("async function run() { throw new Error('E'.repeat(60 * 1024 * 1024)); }");
    expect(execution.status).toBe('failed');
    expect(JSON.stringify(execution).length).toBeLessThan(100_000);
    await healthy();
  });

  test('B1: as a PUSH hook its attempt is recorded as failed and the server stays up', async () => {
    const id = await hook("async function run() { const s = 'E'.repeat(60 * 1024 * 1024); return JSON.stringify([s, 'x' + s]).length; }", { changeTypes: ['create'] });
    const created = await call('POST', '/v1/entities/employee', { firstName: 'Ada', lastName: 'L', email: 'ada@example.org' });
    expect(created.status).toBe(201);
    // Every attempt (3 by default, 1 s and 2 s apart) takes its sandbox process down; wait for all,
    // so that the next tests' runs are not in a process that one of them ends.
    let executions: Execution[] = [];
    for (let i = 0; i < 200 && executions.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 100));
      executions = (await call('GET', `/v1/hooks/${id}/executions`)).json.items as Execution[];
    }
    expect(executions).toHaveLength(3);
    for (const execution of executions) expect(execution).toMatchObject({ status: 'failed', error: { limit: 'memoryMb' } });
    await healthy();
  });

  test('B2: a thread that escapes the time limit is ended with its sandbox process', async () => {
    const code = "const e = new Error('x'); Object.defineProperty(e, 'message', { get() { for (;;) {} } }); throw e;\nasync function run() {}";
    const swapped = "async function run(ctx) { const e = new Error('x'); Object.defineProperty(e, 'message', { get() { for (;;) {} } }); Map.prototype.get = () => { throw e; }; await ctx.kv.get('x'); }";
    const [top, inside] = await Promise.all([dryRun(code), dryRun(swapped)]);
    for (const execution of [top, inside]) {
      expect(execution.status, JSON.stringify(execution)).toBe('timed_out');
      expect(execution.error).toMatchObject({ limit: 'timeMs' });
    }
    await healthy();
    expect(await settles()).toBeLessThanOrEqual(0.3);
  });
});

describe('host-side failures end the run with a record', () => {
  test('B3: a subverted Promise.prototype.then, a value nested 6,000 deep and a forged stack all end as recorded runs', async () => {
    const cases = [
      "async function run() { Promise.prototype.then = function () { return 'not json'; }; return 1; }",
      'async function run() { let v = 1; for (let i = 0; i < 6000; i++) v = [v]; return v; }',
    ];
    const ts = "async function run(): Promise<void> { const e = new Error('forged'); e.stack = 'Error: forged\\n    at hook.ts:0:0'; throw e; }";
    const results = [...(await Promise.all(cases.map((c) => dryRun(c)))), await dryRun(ts, { language: 'typescript' })];
    for (const execution of results) expect(['completed', 'failed']).toContain(execution.status);
    expect(results[1].error).toMatchObject({ limit: 'jsonDepth' });
    expect(results[2].error?.message).toBe('forged');
    await healthy();
  });

  test('B3: repeated hostile runs leak no memory', async () => {
    const code = 'async function run() { let v = 1; for (let i = 0; i < 6000; i++) v = [v]; return v; }';
    const id = await hook(code);
    await call('POST', `/v1/hooks/${id}/test`, {});
    const before = usage().rssMb;
    for (let i = 0; i < 12; i++) expect((await call('POST', `/v1/hooks/${id}/test`, {})).status).toBe(200);
    expect(usage().rssMb - before).toBeLessThan(50);
  });
});

describe('verdicts come from the platform, not from the hook', () => {
  test("B4: a hook's own error text naming a limit stays the hook's error", async () => {
    const [time, memory] = await Promise.all([
      dryRun("async function run() { throw new Error('fake: Script execution timed out.'); }"),
      dryRun("async function run() { throw new Error('boom: memory limit'); }"),
    ]);
    expect(time).toMatchObject({ status: 'failed', error: { message: 'fake: Script execution timed out.' } });
    expect(memory).toMatchObject({ status: 'failed', error: { message: 'boom: memory limit' } });
    expect(time.error?.limit).toBeUndefined();
    expect(memory.error?.limit).toBeUndefined();
  });
});

describe('records stay within their bounds', () => {
  test('B5: 50 requests to 2 MB URLs make a small record', async () => {
    const code = "async function run(ctx) { const u = 'https://x.invalid/' + 'a'.repeat(2 * 1024 * 1024); for (let i = 0; i < 50; i++) { try { await ctx.http.get(u); } catch {} } }";
    const execution = await dryRun(code);
    expect(execution.http, JSON.stringify(execution).slice(0, 2000)).toHaveLength(50);
    expect(JSON.stringify(execution).length).toBeLessThan(300_000);
  });

  test('B5: a log line of escaped characters counts its escaped size against the budget', async () => {
    const execution = await dryRun("async function run(ctx) { ctx.log.info('\\u0001'.repeat(1_000_000)); ctx.log.info('after'); }");
    expect(JSON.stringify(execution.logs).length).toBeLessThan(1.1 * 1024 * 1024);
  });

  test('B5: a pull of three pages of 2 MB URLs completes without running out of memory', async () => {
    const code = `async function run(ctx) {
      const page = ctx.meta?.page ?? 1;
      for (let i = 0; i < 50; i++) { try { await ctx.http.get('https://x.invalid/' + 'a'.repeat(2 * 1024 * 1024)); } catch {} }
      return { records: [], more: page < 3, meta: { page: page + 1 } };
    }`;
    const execution = await dryRun(code, { type: 'pull' });
    expect(execution.status).toBe('completed');
    expect(execution.http).toHaveLength(150);
    await healthy();
  });
});

describe('isolation inside an organisation', () => {
  test("C1: one integration's leftover heap cannot fail another integration's run", async () => {
    const hog = await dryRun('globalThis.keep = []; for (let i = 0; i < 100; i++) globalThis.keep.push("x".repeat(1024 * 1024) + i); async function run() { return keep.length; }');
    expect(hog.status).toBe('completed');
    const other = await dryRun('async function run() { const a = []; for (let i = 0; i < 40; i++) a.push("y".repeat(1024 * 1024) + i); return a.length; }');
    expect(other.status).toBe('completed');
  });
});

describe('after every attack above', () => {
  test('the server and its sandbox processes come back to rest: memory within 50 MB, no CPU burning', async () => {
    await healthy();
    expect(await settles()).toBeLessThanOrEqual(0.3);
    // A sandbox process that kept memory after the burst is replaced once it has been idle a few seconds.
    let grown = Infinity;
    for (let i = 0; i < 100 && grown >= 50; i++) {
      await new Promise((r) => setTimeout(r, 100));
      grown = usage().rssMb - atRest.rssMb;
    }
    expect(grown).toBeLessThan(50);
  });
});

// Sandbox figures, through the platform's sandbox (createSandbox: the supervised pool of
// sandbox processes), each beside the bare isolated-vm call it builds on, measured in this
// process in the same repetition: a trivial hook run warm (pooled isolate, reused
// context), in a new context, cold (new isolate); the host-call round trip (ctx.kv.get);
// runs/second with 8 organisations at once. Then `/healthz` of a real `hookyard serve`
// idle and while 40 endless-loop hooks run (dry runs, in an organisation of their own).
// Run: npm run build && node --no-node-snapshot bench/sandbox.bench.js
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ivm from 'isolated-vm';
import { Pool } from 'undici';
import { MemoryKvStore, createSandbox } from '../dist/sandbox/index.js';
import { hookyard, startServer } from './hook-bench-server.js';
import { compare, quantile, repeat, slowdown, spread } from './lib.js';

const REPS = Number(process.env.BENCH_REPS ?? 3);
const TRIVIAL = 'async function run(ctx) { return { ok: true }; }';
const KV_LOOP = 'async function run(ctx) { for (let i = 0; i < ctx.params.n; i++) await ctx.kv.get("k"); return 1; }';
const SPIN = 'async function run() { for (;;) {} }';
const THROUGHPUT_MS = 1500;
const HOST_CALLS = 50;

async function sample(count, fn, warmup = Math.min(200, count)) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const times = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await fn(i);
    times.push(performance.now() - start);
  }
  return times;
}

const median = (times) => quantile(times, 0.5);
const request = (extra = {}) => ({ orgId: 'bench', hookId: 'trivial', hookVersion: 1, type: 'push', code: TRIVIAL, kv: new MemoryKvStore(), ...extra });

/** Runs `runOnce(lane)` in 8 lanes for THROUGHPUT_MS; resolves with runs/s. */
async function lanes(runOnce) {
  let done = 0;
  const until = performance.now() + THROUGHPUT_MS;
  await Promise.all(Array.from({ length: 8 }, async (_, lane) => {
    while (performance.now() < until) {
      await runOnce(lane);
      done += 1;
    }
  }));
  return done / (THROUGHPUT_MS / 1000);
}

/** The median of warm runs sent to bare/isolate-process.js: an IPC round trip around an apply with a timeout. */
async function contained() {
  const child = fork(fileURLToPath(new URL('./bare/isolate-process.js', import.meta.url)), [], { execArgv: ['--no-node-snapshot'], serialization: 'json' });
  const waiting = new Map();
  let next = 0;
  await new Promise((resolve) => child.once('message', resolve));
  child.on('message', ({ id }) => waiting.get(id)?.());
  try {
    return median(await sample(2000, () => new Promise((resolve) => {
      const id = ++next;
      waiting.set(id, () => (waiting.delete(id), resolve()));
      child.send({ id });
    })));
  } finally {
    child.disconnect();
  }
}

/** One repetition of the bare isolated-vm operations. */
async function bare() {
  const isolate = new ivm.Isolate({ memoryLimit: 128 });
  const context = await isolate.createContext();
  const fn = await isolate.compileScript('(async function () { return JSON.stringify({ ok: true }); })').then((s) => s.run(context, { reference: true }));
  const warm = median(await sample(2000, () => fn.apply(undefined, [], { result: { promise: true, copy: true }, timeout: 1000 })));
  const warmNoTimeout = median(await sample(2000, () => fn.apply(undefined, [], { result: { promise: true, copy: true } })));
  const warmInProcess = await contained();
  const one = await isolate.compileScript('1');
  const newContext = median(await sample(200, async () => {
    const c = await isolate.createContext();
    await one.run(c);
    c.release();
  }));
  const host = new ivm.Reference(async () => '{"v":1}');
  const loop = await isolate
    .compileScript('(function (host) { return async (n) => { for (let i = 0; i < n; i++) JSON.parse(await host.apply(undefined, [], { result: { promise: true } })); return 1; }; })')
    .then((s) => s.run(context, { reference: true }))
    .then((f) => f.apply(undefined, [host], { result: { reference: true } }));
  const runLoop = (n) => loop.apply(undefined, [n], { result: { promise: true, copy: true } });
  const base = median(await sample(100, () => runLoop(0), 20));
  const hostCall = (median(await sample(100, () => runLoop(HOST_CALLS), 20)) - base) / HOST_CALLS;
  isolate.dispose();
  const newIsolate = median(await sample(100, async () => {
    const i = new ivm.Isolate({ memoryLimit: 128 });
    const c = await i.createContext();
    await (await i.compileScript('1')).run(c);
    i.dispose();
  }, 10));
  // Throughput: 8 isolates (as 8 organisations), warm calls as fast as they go.
  const isolates = await Promise.all(Array.from({ length: 8 }, async () => {
    const i = new ivm.Isolate({ memoryLimit: 128 });
    const c = await i.createContext();
    const f = await i.compileScript('(async function () { return JSON.stringify({ ok: true }); })').then((s) => s.run(c, { reference: true }));
    return { i, f };
  }));
  const perSecond = await lanes((lane) => isolates[lane].f.apply(undefined, [], { result: { promise: true, copy: true }, timeout: 1000 }));
  for (const { i } of isolates) i.dispose();
  return { warm, warmNoTimeout, warmInProcess, newContext, newIsolate, hostCall, perSecond };
}

/** One repetition through the sandbox processes. */
async function sandboxed() {
  const out = {};
  const warm = createSandbox();
  const kv = new MemoryKvStore();
  await kv.set('k', { v: 1 }, { ttlSeconds: 60 });
  try {
    out.warm = median(await sample(2000, () => warm.run(request({ kv }))));
    // Host-call round trip: the extra time of HOST_CALLS awaited ctx.kv.get calls in one run.
    const few = request({ hookId: 'kv', code: KV_LOOP, kv, ctx: { params: { n: 0 } } });
    const many = { ...few, ctx: { params: { n: HOST_CALLS } } };
    const base = median(await sample(100, () => warm.run(few), 20));
    out.hostCall = (median(await sample(100, () => warm.run(many), 20)) - base) / HOST_CALLS;
  } finally {
    await warm.close();
  }
  const fresh = createSandbox({ reuseContexts: false });
  try {
    out.newContext = median(await sample(300, () => fresh.run(request())));
  } finally {
    await fresh.close();
  }
  const cold = createSandbox({ maxIdleIsolates: 0 });
  try {
    out.newIsolate = median(await sample(60, () => cold.run(request()), 10));
  } finally {
    await cold.close();
  }
  const busy = createSandbox({ maxIdleIsolates: 16 });
  try {
    const reqs = Array.from({ length: 8 }, (_, i) => request({ orgId: `org-${i}` }));
    for (const r of reqs) await busy.run(r);
    out.perSecond = await lanes((lane) => busy.run(reqs[lane]));
  } finally {
    await busy.close();
  }
  return out;
}

/** `/healthz` latencies: one request every 5 ms for `ms`. */
async function healthz(pool, ms) {
  const times = [];
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const t0 = performance.now();
    const res = await pool.request({ method: 'GET', path: '/healthz' });
    await res.body.text();
    times.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 5));
  }
  return times;
}

/** `/healthz` p99 of a real serve, idle and while 40 endless-loop dry runs go on. */
async function healthUnderSpin() {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-bench-spin-'));
  const key = hookyard(cwd, ['orgs', 'create', 'spinners']).trim();
  const server = await startServer(undefined, { cwd });
  const pool = new Pool(server.url, { connections: 1 });
  const idle = [];
  const busy = [];
  try {
    const integration = await server.call('POST', '/v1/integrations', { name: 'Spin', sourceSystemKey: 'spin' }, key);
    const hook = await server.call('POST', `/v1/integrations/${integration.id}/hooks`, { name: 'spin', type: 'push', entityType: 'employee', code: SPIN }, key);
    await healthz(pool, 300);
    let keepGoing = true;
    const spinner = async () => {
      while (keepGoing) {
        // A timed-out dry run answers 200 with its failed execution.
        await server.call('POST', `/v1/hooks/${hook.id}/test`, {}, key).catch(() => undefined);
      }
    };
    // Idle windows first, then busy ones back to back: a spinning dry run only ends at its
    // 10 s limit, so the hooks are started once and waited for once.
    await repeat(REPS, async () => idle.push(quantile(await healthz(pool, 1500), 0.99)));
    const spinners = Array.from({ length: 40 }, spinner);
    await new Promise((r) => setTimeout(r, 1000));
    await repeat(REPS, async () => busy.push(quantile(await healthz(pool, 2500), 0.99)));
    keepGoing = false;
    await Promise.all(spinners);
  } finally {
    await pool.close();
    await server.stop();
  }
  return { idle, busy };
}

const b = [];
const s = [];
await repeat(REPS, async () => {
  b.push(await bare());
  s.push(await sandboxed());
});
const pick = (rows, k) => rows.map((r) => r[k]);
// Three bare warm runs (see bench/README.md for which is the fair one): the apply with the
// timeout every untrusted run needs, the same without it, and the apply with its timeout in
// another process behind an IPC round trip (the containment the platform needs).
slowdown('sandbox.warm_run_median_ms', pick(s, 'warm'), pick(b, 'warm'), 'ms', { target: 3, labels: ['hookyard', 'bare_apply_with_timeout'] });
slowdown('sandbox.warm_run_vs_no_timeout_ms', pick(s, 'warm'), pick(b, 'warmNoTimeout'), 'ms', { labels: ['hookyard', 'bare_apply_without_timeout'] });
slowdown('sandbox.warm_run_vs_contained_ms', pick(s, 'warm'), pick(b, 'warmInProcess'), 'ms', { labels: ['hookyard', 'bare_apply_in_a_process'] });
slowdown('sandbox.new_context_run_median_ms', pick(s, 'newContext'), pick(b, 'newContext'), 'ms');
slowdown('sandbox.cold_run_median_ms', pick(s, 'newIsolate'), pick(b, 'newIsolate'), 'ms');
slowdown('sandbox.host_call_median_ms', pick(s, 'hostCall'), pick(b, 'hostCall'), 'ms');
compare('sandbox.throughput_8_orgs', pick(s, 'perSecond'), pick(b, 'perSecond'), 'runs/s');
const runs = pick(s, 'perSecond');
console.log(`sandbox.throughput_8_orgs.target runs/s >= 10000: ${quantile(runs, 0.5) >= 10000 ? 'met' : 'MISSED'}`);

const health = await healthUnderSpin();
spread('sandbox.healthz_p99_ms.idle', health.idle, 'ms');
spread('sandbox.healthz_p99_ms.40_spinning_hooks', health.busy, `ms (target <= 20: ${quantile(health.busy, 0.5) <= 20 ? 'met' : 'MISSED'})`);

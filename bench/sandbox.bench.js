// Sandbox figures: a trivial hook run warm (pooled isolate, reused context), in a new
// context, and cold (new isolate); the host-call round trip (ctx.kv.get); runs/second
// with several organisations at once. Each beside the bare isolated-vm call it builds
// on, measured in the same process. Run: npm run build && node --no-node-snapshot bench/sandbox.bench.js
import ivm from 'isolated-vm';
import { MemoryKvStore, createSandbox } from '../dist/sandbox/index.js';
import { figure, quantile } from './lib.js';

const TRIVIAL = 'async function run(ctx) { return { ok: true }; }';
const KV_LOOP = 'async function run(ctx) { for (let i = 0; i < ctx.params.n; i++) await ctx.kv.get("k"); return 1; }';

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

function report(name, times) {
  figure(`${name}.median_ms`, quantile(times, 0.5));
  figure(`${name}.p99_ms`, quantile(times, 0.99));
}

async function bare() {
  const isolate = new ivm.Isolate({ memoryLimit: 128 });
  const context = await isolate.createContext();
  const fn = await isolate.compileScript('(async function () { return JSON.stringify({ ok: true }); })').then((s) => s.run(context, { reference: true }));
  report('bare.warm_call', await sample(5000, () => fn.apply(undefined, [], { result: { promise: true, copy: true }, timeout: 1000 })));
  const one = await isolate.compileScript('1');
  report('bare.new_context', await sample(500, async () => {
    const c = await isolate.createContext();
    await one.run(c);
    c.release();
  }));
  isolate.dispose();
  report('bare.new_isolate', await sample(200, async () => {
    const i = new ivm.Isolate({ memoryLimit: 128 });
    const c = await i.createContext();
    await (await i.compileScript('1')).run(c);
    i.dispose();
  }, 20));
}

function request(extra = {}) {
  return { orgId: 'bench', hookId: 'trivial', hookVersion: 1, type: 'push', code: TRIVIAL, kv: new MemoryKvStore(), ...extra };
}

async function sandboxFigures() {
  const warm = createSandbox();
  const kv = new MemoryKvStore();
  await kv.set('k', { v: 1 }, { ttlSeconds: 60 });
  try {
    const req = request({ kv });
    report('sandbox.warm_run', await sample(5000, () => warm.run(req)));

    // Host-call round trip: the extra time of 200 awaited ctx.kv.get calls in one run.
    const few = request({ hookId: 'kv', code: KV_LOOP, kv, ctx: { params: { n: 0 } } });
    const many = { ...few, ctx: { params: { n: 200 } } };
    const base = quantile(await sample(300, () => warm.run(few)), 0.5);
    const loops = await sample(300, () => warm.run(many));
    figure('sandbox.host_call.median_ms', (quantile(loops, 0.5) - base) / 200);
    figure('sandbox.host_call.p99_ms', (quantile(loops, 0.99) - base) / 200);
  } finally {
    await warm.close();
  }

  const fresh = createSandbox({ reuseContexts: false });
  try {
    report('sandbox.new_context_run', await sample(1000, () => fresh.run(request())));
  } finally {
    await fresh.close();
  }

  const cold = createSandbox({ maxIdleIsolates: 0 });
  try {
    report('sandbox.cold_run', await sample(200, () => cold.run(request()), 20));
  } finally {
    await cold.close();
  }
}

async function bareHostCall() {
  const isolate = new ivm.Isolate({ memoryLimit: 128 });
  const context = await isolate.createContext();
  const host = new ivm.Reference(async () => '{"v":1}');
  const loop = await isolate
    .compileScript('(function (host) { return async (n) => { for (let i = 0; i < n; i++) JSON.parse(await host.apply(undefined, [], { result: { promise: true } })); return 1; }; })')
    .then((s) => s.run(context, { reference: true }))
    .then((f) => f.apply(undefined, [host], { result: { reference: true } }));
  const run = (n) => loop.apply(undefined, [n], { result: { promise: true, copy: true } });
  const base = quantile(await sample(300, () => run(0)), 0.5);
  const loops = await sample(300, () => run(200));
  figure('bare.host_call.median_ms', (quantile(loops, 0.5) - base) / 200);
  isolate.dispose();
}

async function throughput() {
  const sandbox = createSandbox({ maxIdleIsolates: 16 });
  const orgs = 8;
  const durationMs = 3000;
  try {
    const reqs = Array.from({ length: orgs }, (_, i) => request({ orgId: `org-${i}` }));
    for (const r of reqs) await sandbox.run(r);
    let done = 0;
    const until = performance.now() + durationMs;
    await Promise.all(
      reqs.map(async (r) => {
        while (performance.now() < until) {
          await sandbox.run(r);
          done += 1;
        }
      }),
    );
    figure('sandbox.throughput.runs_per_s', Math.round(done / (durationMs / 1000)));
  } finally {
    await sandbox.close();
  }
}

await bare();
await bareHostCall();
await sandboxFigures();
await throughput();

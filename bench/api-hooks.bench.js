// API pre/post hooks on SQLite: a real `hookyard serve`, one request at a time from this
// process. The latency of a get and of a create with one trivial pre-hook and one trivial
// post-hook on the operation, beside the same call with the hooks disabled (the baseline
// of the same job, measured in the same repetition); the difference is what the pair adds
// (two sandbox runs, their lookups, their execution records).
import { startServer } from './hook-bench-server.js';
import { quantile, repeat, slowdown, spread } from './lib.js';

const COUNT = Number(process.env.BENCH_API_HOOKS_CALLS ?? 1000);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const PRE = 'async function run(ctx) { return { status: 200 }; }';
const POST = 'async function run(ctx) { return; }';

const server = await startServer();
const call = (method, path, body) => server.call(method, path, body);

/** Median and p99 of `COUNT` sequential calls, after a warm-up of 100. */
async function measure(make) {
  for (let i = 0; i < 100; i++) await make(`w${i}`);
  const latencies = [];
  for (let i = 0; i < COUNT; i++) {
    const t0 = performance.now();
    await make(i);
    latencies.push(performance.now() - t0);
  }
  return { median: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

const rows = { get: [], create: [] };
try {
  const { id } = await call('POST', '/v1/entities/employee', { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.test' });
  const ops = {
    get: () => call('GET', `/v1/entities/employee/${id}`),
    create: (i) => call('POST', '/v1/entities/employee', { firstName: `F${i}`, lastName: 'L', email: `p${i}@example.test` }),
  };
  const integration = await call('POST', '/v1/integrations', { name: 'Gate', sourceSystemKey: 'gate' });
  const hooks = [];
  for (const [type, code] of [['pre', PRE], ['post', POST]]) {
    hooks.push(await call('POST', `/v1/integrations/${integration.id}/hooks`, { name: type, type, entityType: 'employee', operations: ['get', 'create'], code }));
  }
  const enable = (enabled) => Promise.all(hooks.map((h) => call('PATCH', `/v1/hooks/${h.id}`, { enabled })));
  await repeat(REPS, async (rep) => {
    for (const op of ['get', 'create']) {
      await enable(false);
      const bare = await measure((i) => ops[op](`${rep}-b${i}`));
      await enable(true);
      const hooked = await measure((i) => ops[op](`${rep}-h${i}`));
      rows[op].push({ bare, hooked });
    }
  });
} finally {
  await server.stop();
}
for (const op of ['get', 'create']) {
  const r = rows[op];
  slowdown(`api_hooks.sqlite.${op}.median_ms`, r.map((x) => x.hooked.median), r.map((x) => x.bare.median), 'ms', { labels: ['pre_post', 'no_hooks'] });
  spread(`api_hooks.sqlite.${op}.added.median_ms`, r.map((x) => x.hooked.median - x.bare.median), 'ms (target <= 2)');
  spread(`api_hooks.sqlite.${op}.p99_ms.pre_post`, r.map((x) => x.hooked.p99), 'ms');
  spread(`api_hooks.sqlite.${op}.p99_ms.no_hooks`, r.map((x) => x.bare.p99), 'ms');
}

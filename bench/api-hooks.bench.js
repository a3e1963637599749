// API pre/post hooks on SQLite: a real `hookyard serve`, one request at a time from
// this process. The latency of a get and of a create with no hooks, then with one
// trivial pre-hook and one trivial post-hook on that operation; the difference is what
// the pair adds (two sandbox runs, their lookups, their execution records).
import { Pool } from 'undici';
import { startServer } from './hook-bench-server.js';
import { figure, quantile } from './lib.js';

const COUNT = Number(process.env.BENCH_API_HOOKS_CALLS ?? 2000);
const PRE = 'async function run(ctx) { return { status: 200 }; }';
const POST = 'async function run(ctx) { return; }';

const server = await startServer();
const pool = new Pool(server.url, { connections: 1 });
const headers = { authorization: `Bearer ${server.key}`, 'content-type': 'application/json' };

async function call(method, path, body) {
  const res = await pool.request({ method, path, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${method} ${path} answered ${res.statusCode}: ${text}`);
  return JSON.parse(text);
}

/** Latencies of `count` sequential calls, after a warm-up of 200. */
async function measure(make) {
  for (let i = 0; i < 200; i++) await make(`w${i}`);
  const latencies = [];
  for (let i = 0; i < COUNT; i++) {
    const t0 = performance.now();
    await make(i);
    latencies.push(performance.now() - t0);
  }
  return { median: quantile(latencies, 0.5), p99: quantile(latencies, 0.99) };
}

try {
  const { id } = await call('POST', '/v1/entities/employee', { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.test' });
  const get = () => call('GET', `/v1/entities/employee/${id}`);
  const create = (i) => call('POST', '/v1/entities/employee', { firstName: `F${i}`, lastName: 'L', email: `p${i}@example.test` });

  const bare = { get: await measure(get), create: await measure(create) };
  const integration = await call('POST', '/v1/integrations', { name: 'Gate', sourceSystemKey: 'gate' });
  for (const [type, code] of [['pre', PRE], ['post', POST]]) {
    await call('POST', `/v1/integrations/${integration.id}/hooks`, { name: type, type, entityType: 'employee', operations: ['get', 'create'], code });
  }
  const hooked = { get: await measure(get), create: await measure(create) };

  for (const op of ['get', 'create']) {
    figure(`api_hooks.sqlite.${op}.no_hooks.median_ms`, bare[op].median);
    figure(`api_hooks.sqlite.${op}.no_hooks.p99_ms`, bare[op].p99);
    figure(`api_hooks.sqlite.${op}.pre_post.median_ms`, hooked[op].median);
    figure(`api_hooks.sqlite.${op}.pre_post.p99_ms`, hooked[op].p99);
    figure(`api_hooks.sqlite.${op}.added.median_ms`, hooked[op].median - bare[op].median);
    figure(`api_hooks.sqlite.${op}.added.p99_ms`, hooked[op].p99 - bare[op].p99);
  }
} finally {
  await pool.close();
  await server.stop();
}

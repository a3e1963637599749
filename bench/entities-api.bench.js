// Entity API throughput on SQLite: a real `hookyard serve` process, driven by an
// undici client from this (second) process. Prints creates/s, reads/s and latencies.
import { Pool } from 'undici';
import { startServer } from './hook-bench-server.js';
import { figure, quantile } from './lib.js';

const COUNT = Number(process.env.BENCH_ENTITIES ?? 5000);
const CONCURRENCY = 32;

/** Runs `count` requests made by `make(i)` with CONCURRENCY in flight; returns latencies. */
async function drive(pool, count, make) {
  const latencies = new Array(count);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        const res = await pool.request(make(i));
        const body = await res.body.text();
        if (res.statusCode >= 300) throw new Error(`request ${i} answered ${res.statusCode}: ${body}`);
        latencies[i] = performance.now() - t0;
        make.results?.push(body);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latencies };
}

const server = await startServer();
const pool = new Pool(server.url, { connections: CONCURRENCY });
const headers = { authorization: `Bearer ${server.key}`, 'content-type': 'application/json' };
try {
  const ids = [];
  const create = (i) => ({
    method: 'POST',
    path: '/v1/entities/employee',
    headers,
    body: JSON.stringify({ firstName: `First${i}`, lastName: `Last${i}`, email: `person${i}@example.test`, startDate: '2024-01-15' }),
  });
  create.results = ids;
  const created = await drive(pool, COUNT, create);
  figure('entities_api.sqlite.creates_per_s', COUNT / created.seconds);
  figure('entities_api.sqlite.create_latency.median_ms', quantile(created.latencies, 0.5));
  figure('entities_api.sqlite.create_latency.p99_ms', quantile(created.latencies, 0.99));

  const entityIds = ids.map((b) => JSON.parse(b).id);
  const read = await drive(pool, COUNT, (i) => ({ method: 'GET', path: `/v1/entities/employee/${entityIds[i]}`, headers }));
  figure('entities_api.sqlite.reads_per_s', COUNT / read.seconds);
  figure('entities_api.sqlite.read_latency.median_ms', quantile(read.latencies, 0.5));
  figure('entities_api.sqlite.read_latency.p99_ms', quantile(read.latencies, 0.99));
} finally {
  await pool.close();
  await server.stop();
}

// Entity API on SQLite: a real `hookyard serve`, driven by an undici pool (32 requests in
// flight) from this process: creates of an employee, then reads by id. Beside it, in each
// repetition, the bare baseline of the same job (bare/entity-service.js: node:http +
// better-sqlite3, a process of its own) driven by the same client.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { startServer } from './hook-bench-server.js';
import { compare, quantile, repeat, slowdown } from './lib.js';

const COUNT = Number(process.env.BENCH_ENTITIES ?? 3000);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const CONCURRENCY = 32;

/** Runs `count` requests made by `make(i)` with CONCURRENCY in flight; returns rate, latencies and bodies. */
async function drive(pool, count, make) {
  const latencies = new Array(count);
  const bodies = new Array(count);
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
        bodies[i] = body;
      }
    }),
  );
  return { perSecond: count / ((performance.now() - started) / 1000), median: quantile(latencies, 0.5), bodies };
}

/** Creates then reads `COUNT` employees through the API at `url`. */
async function round(url, key, rep) {
  const pool = new Pool(url, { connections: CONCURRENCY });
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  try {
    const created = await drive(pool, COUNT, (i) => ({
      method: 'POST',
      path: '/v1/entities/employee',
      headers,
      body: JSON.stringify({ firstName: `First${i}`, lastName: `Last${i}`, email: `person${rep}-${i}@example.test`, startDate: '2024-01-15' }),
    }));
    const ids = created.bodies.map((b) => JSON.parse(b).id);
    const read = await drive(pool, COUNT, (i) => ({ method: 'GET', path: `/v1/entities/employee/${ids[i]}`, headers }));
    return { creates: created.perSecond, createMedian: created.median, reads: read.perSecond, readMedian: read.median };
  } finally {
    await pool.close();
  }
}

async function startBare() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-bench-bare-'));
  const child = spawn(process.execPath, [fileURLToPath(new URL('./bare/entity-service.js', import.meta.url)), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  for (let i = 0; i < 200 && !/listening \d+/.test(out); i++) await new Promise((r) => setTimeout(r, 25));
  const port = /listening (\d+)/.exec(out)?.[1];
  if (!port) throw new Error(`the bare entity service did not start: ${out}`);
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const server = await startServer();
const bare = await startBare();
const hy = [];
const b = [];
try {
  await round(server.url, server.key, 'w');
  await round(bare.url, 'none', 'w');
  await repeat(REPS, async (rep) => {
    hy.push(await round(server.url, server.key, rep));
    b.push(await round(bare.url, 'none', rep));
  });
} finally {
  await server.stop();
  await bare.stop();
}
const pick = (rows, k) => rows.map((r) => r[k]);
compare('entities_api.sqlite.creates_per_s', pick(hy, 'creates'), pick(b, 'creates'), 'creates/s');
slowdown('entities_api.sqlite.create_latency_median_ms', pick(hy, 'createMedian'), pick(b, 'createMedian'), 'ms');
compare('entities_api.sqlite.reads_per_s', pick(hy, 'reads'), pick(b, 'reads'), 'reads/s');
slowdown('entities_api.sqlite.read_latency_median_ms', pick(hy, 'readMedian'), pick(b, 'readMedian'), 'ms');

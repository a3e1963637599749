// Entity API throughput on SQLite: a real `hookyard serve` process, driven by an
// undici client from this (second) process. Prints creates/s, reads/s and latencies.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { figure, quantile } from './lib.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const COUNT = Number(process.env.BENCH_ENTITIES ?? 5000);
const CONCURRENCY = 32;

async function startServer(cwd) {
  const child = spawn(process.execPath, ['--no-node-snapshot', path.join(ROOT, 'bin/hookyard.js'), 'serve', '--port', '0'], {
    cwd,
    env: { ...process.env, HOOKYARD_LOG_LEVEL: 'silent', HOOKYARD_DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  for (let i = 0; i < 400 && !/Admin API key/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
  const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
  const key = /Admin API key[^:]*: (hyk_\S+)/.exec(out)?.[1];
  if (!url || !key) throw new Error(`server did not start:\n${out}`);
  return { child, url, key };
}

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

const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-bench-'));
const server = await startServer(cwd);
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
  server.child.kill('SIGTERM');
  await new Promise((r) => server.child.once('exit', r));
  fs.rmSync(cwd, { recursive: true, force: true });
}

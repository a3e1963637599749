/**
 * Readiness and metrics of real processes: `serve` answers `/readyz` 503 naming the
 * shutdown while it drains (HOOKYARD_SHUTDOWN_DRAIN_MS), and a `worker` on PostgreSQL
 * serves `/metrics` and `/readyz` on its metrics-only listener (HOOKYARD_METRICS_PORT).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, startServe } from '../helpers/serve-process.js';
import { ENGINES } from '../helpers/stores.js';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

describe('readiness of a real serve', () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-e2e-ready-'));
  afterAll(() => fs.rmSync(cwd, { recursive: true, force: true }));

  it('answers 503 naming the shutdown while it drains, then exits 0', async () => {
    const server = await startServe({ cwd, env: { HOOKYARD_SHUTDOWN_DRAIN_MS: '8000' } });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const stopped = server.stop('SIGTERM');
    try {
      // The signal lands a moment after it is sent: poll until the answer changes.
      let res = await fetch(`${server.url}/readyz`);
      for (let i = 0; res.status === 200 && i < 100; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        res = await fetch(`${server.url}/readyz`);
      }
      expect(res.status).toBe(503);
      expect(((await res.json()) as any).error.details).toEqual([{ check: 'shutdown', message: 'the process is shutting down' }]);
      // New API calls are still served while the load balancer notices.
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      expect(await stopped).toBe(0);
    }
  }, 30_000);
});

const postgres = ENGINES.find((e) => e.name === 'postgres');
describe.skipIf(!postgres)('the metrics listener of a worker [postgres]', () => {
  it('serves /metrics and /readyz, and nothing else', async () => {
    const target = await postgres!.createDatabase();
    const port = await freePort();
    const child = spawn(process.execPath, ['--no-node-snapshot', BIN, 'worker'], {
      env: { ...process.env, HOOKYARD_DATABASE_URL: target.databaseUrl!, HOOKYARD_MASTER_KEY: 'e2e-master-key-0123456789abcdef0123', HOOKYARD_METRICS_PORT: String(port), HOOKYARD_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      for (let i = 0; !out.includes('Hookyard worker started'); i++) {
        if (i > 400 || child.exitCode !== null) throw new Error(`the worker did not start:\n${out}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const base = `http://127.0.0.1:${port}`;
      expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/^hookyard_queue_depth\{kind="push\.deliver"\} 0$/m);
      expect(metrics).toContain('hookyard_process_resident_memory_bytes');
      expect((await fetch(`${base}/v1/integrations`)).status).toBe(404);
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      await target.drop();
    }
  }, 30_000);
});

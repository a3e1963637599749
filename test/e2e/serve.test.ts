import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';
import { describeEachEngine } from '../helpers/stores.js';

describeEachEngine('hookyard serve, as a real process', (engine) => {
  let cwd: string;
  let server: ServeProcess;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const target = await engine.createDatabase();
    drop = target.drop;
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-e2e-'));
    server = await startServe({
      cwd,
      env: target.databaseUrl ? { HOOKYARD_DATABASE_URL: target.databaseUrl, HOOKYARD_MASTER_KEY: 'e2e-master-key-0123456789abcdef0123' } : {},
    });
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await drop?.();
    if (cwd) fs.rmSync(cwd, { recursive: true, force: true });
  });

  it('prints the admin key of the new default organisation on the first start', () => {
    expect(server.adminKey).toMatch(/^hyk_[A-Za-z0-9_-]{32,}$/);
    if (engine.name === 'sqlite') {
      expect(fs.existsSync(path.join(cwd, 'data/hookyard.db'))).toBe(true);
      // The generated master key is readable by its owner only.
      expect(fs.statSync(path.join(cwd, 'data/master.key')).mode & 0o777).toBe(0o600);
    }
  });

  it('answers health, readiness, metrics, OpenAPI and docs', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({ status: 'ready' });
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('hookyard_http_requests_total');
    const openapi = (await (await fetch(`${server.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toContain('/v1/api-keys');
    expect((await fetch(`${server.url}/docs/`)).status).toBe(200);
  });

  it('accepts the printed admin key and refuses a wrong one', async () => {
    const ok = await fetch(`${server.url}/v1/api-keys`, { headers: { authorization: `Bearer ${server.adminKey}` } });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { items: unknown[] }).items).toHaveLength(1);
    const bad = await fetch(`${server.url}/v1/api-keys`, { headers: { authorization: 'Bearer hyk_' + 'A'.repeat(43) } });
    expect(bad.status).toBe(401);
  });

  it('stops cleanly on SIGTERM', async () => {
    expect(await server.stop('SIGTERM')).toBe(0);
  });
});

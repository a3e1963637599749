import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';

const SLEEPY_PULL = `async function run(ctx) {
  await new Promise((resolve) => setTimeout(resolve, 25000));
  return { records: [] };
}`;

describe('hookyard serve shutdown', () => {
  let cwd: string | undefined;
  let server: ServeProcess | undefined;
  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = undefined;
    if (cwd) fs.rmSync(cwd, { recursive: true, force: true });
    cwd = undefined;
  });

  const start = async (env: Record<string, string> = {}) => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-shutdown-'));
    server = await startServe({ cwd, env: { HOOKYARD_DATABASE_URL: '', ...env } });
    return server;
  };
  const timed = async (p: Promise<number | string>) => {
    const started = Date.now();
    return { code: await p, ms: Date.now() - started };
  };

  it('stops promptly and cleanly on SIGTERM while keep-alive clients keep it busy', async () => {
    const s = await start();
    const agent = new Agent({ connections: 8, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 60_000 });
    const headers = { authorization: `Bearer ${s.adminKey}`, 'content-type': 'application/json' };
    let running = true;
    let answered = 0;
    const client = async (n: number) => {
      while (running) {
        try {
          const res =
            n % 2 === 0
              ? await request(`${s.url}/v1/entities/employee?limit=20`, { dispatcher: agent, headers })
              : await request(`${s.url}/v1/entities/employee`, {
                  dispatcher: agent,
                  method: 'POST',
                  headers,
                  body: JSON.stringify({ firstName: 'Load', lastName: String(n), email: `load${n}@example.org` }),
                });
          await res.body.dump();
          answered++;
        } catch {
          // Refused or reset once the server closes: that is the point.
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const clients = Array.from({ length: 8 }, (_, n) => client(n));
    try {
      while (answered < 200) await new Promise((r) => setTimeout(r, 20));
      const { code, ms } = await timed(s.stop('SIGTERM'));
      expect(code).toBe(0);
      expect(ms).toBeLessThan(10_000);
      expect(s.output()).not.toMatch(/gave up/);
    } finally {
      running = false;
      await Promise.all(clients);
      await agent.close();
    }
  });

  it('gives up at the deadline, says what is still running and exits 1', async () => {
    const s = await start({ HOOKYARD_SHUTDOWN_TIMEOUT_MS: '1500' });
    const call = (method: string, url: string, body?: unknown) =>
      fetch(`${s.url}${url}`, {
        method,
        headers: { authorization: `Bearer ${s.adminKey}`, 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    const integration = (await (await call('POST', '/v1/integrations', { name: 'HR', sourceSystemKey: 'hr' })).json()) as { id: string };
    const hook = (await (await call('POST', `/v1/integrations/${integration.id}/hooks`, { name: 'sleepy', type: 'pull', entityType: 'employee', code: SLEEPY_PULL })).json()) as { id: string };
    // A dry run answers when it is done: 25 s from now, far past the deadline.
    const inFlight = call('POST', `/v1/hooks/${hook.id}/test`, {}).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));

    const { code, ms } = await timed(s.stop('SIGTERM'));
    expect(code).toBe(1);
    expect(ms).toBeGreaterThanOrEqual(1400);
    expect(ms).toBeLessThan(6000);
    expect(s.output()).toMatch(/shutdown gave up after 1500 ms; still running: closing the HTTP server \(1 connection open\)/);
    await inFlight;
  });

  it('reads the deadline from --shutdown-timeout too, and refuses a bad one', async () => {
    await expect(start({ HOOKYARD_SHUTDOWN_TIMEOUT_MS: 'soon' })).rejects.toThrow(/HOOKYARD_SHUTDOWN_TIMEOUT_MS must be a positive integer, got "soon"/);
    await expect(startServe({ cwd: cwd!, env: { HOOKYARD_DATABASE_URL: '' }, args: ['--shutdown-timeout', '-5'] })).rejects.toThrow(/must be a positive integer, got "-5"/);
  });
});

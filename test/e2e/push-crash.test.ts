import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';
import { describeEachEngine } from '../helpers/stores.js';

const HOST = 'receiver.example.test';
const CHANGES = 1000;
/** Writes in flight at once: few enough that deliveries keep up and the kill lands amid both. */
const PARALLEL = 4;

const HOOK = `async function run(ctx) {
  const res = await ctx.http.post('https://${HOST}/events', { id: ctx.event.id, entityId: ctx.event.entityId });
  if (res.status !== 200) throw new Error('receiver answered ' + res.status);
}`;

describeEachEngine('PUSH delivery survives kill -9 of hookyard serve', (engine) => {
  let receiver: TestHttpsServer;
  let cwd: string;
  let env: Record<string, string>;
  let server: ServeProcess | undefined;
  let store: Store | undefined;
  let drop: () => Promise<void>;
  const delivered = new Set<string>();

  beforeAll(async () => {
    receiver = await startHttpsServer(HOST, (req, res) => {
      delivered.add((JSON.parse(req.body) as { id: string }).id);
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
    const target = await engine.createDatabase();
    drop = target.drop;
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-crash-'));
    const caFile = path.join(cwd, 'receiver-ca.pem');
    fs.writeFileSync(caFile, receiver.ca);
    env = {
      HOOKYARD_EGRESS_ALLOW_PRIVATE: 'true',
      HOOKYARD_EGRESS_CA_FILE: caFile,
      HOOKYARD_EGRESS_CONNECT_TO: `${HOST}:443:127.0.0.1:${receiver.port}`,
      HOOKYARD_MASTER_KEY: 'e2e-master-key-0123456789abcdef0123',
      HOOKYARD_DATA_DIR: path.join(cwd, 'data'),
      // Deliveries the killed process held are recovered once their lease lapses: keep it short.
      HOOKYARD_JOB_LEASE_MS: '3000',
      ...(target.databaseUrl && { HOOKYARD_DATABASE_URL: target.databaseUrl }),
    };
    store = openStore({ dataDir: env.HOOKYARD_DATA_DIR, ...(target.databaseUrl && { databaseUrl: target.databaseUrl }) });
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await store?.close();
    await receiver?.close();
    await drop?.();
    if (cwd) fs.rmSync(cwd, { recursive: true, force: true });
  });

  it('delivers every committed change at least once after a kill -9 in the middle of writes and deliveries', { timeout: 240_000 }, async () => {
    server = await startServe({ cwd, env });
    const key = server.adminKey!;
    const api = (base: string, method: string, url: string, body?: unknown) =>
      fetch(`${base}${url}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    const integration = (await (await api(server.url, 'POST', '/v1/integrations', { name: 'Receiver', sourceSystemKey: 'receiver' })).json()) as { id: string };
    const hook = await api(server.url, 'POST', `/v1/integrations/${integration.id}/hooks`, { name: 'to receiver', type: 'push', entityType: 'project', code: HOOK });
    expect(hook.status).toBe(201);
    // The first run starts a sandbox process: wait for it, so that the kill lands amid writes and deliveries.
    expect((await api(server.url, 'POST', '/v1/entities/project', { name: 'warm-up' })).status).toBe(201);
    while (delivered.size < 1) await new Promise((resolve) => setTimeout(resolve, 10));

    // Writers keep making changes until CHANGES have been acknowledged, across the crash.
    let acknowledged = 0;
    let next = 0;
    let base = server.url;
    const write = async (): Promise<void> => {
      while (acknowledged < CHANGES) {
        const n = next++;
        try {
          const res = await api(base, 'POST', '/v1/entities/project', { name: `project ${n}` });
          if (res.status === 201) acknowledged++;
        } catch {
          // The server is down: wait for the restart.
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    };
    const writers = Array.from({ length: PARALLEL }, write);

    // Kill amid both: once a fifth is delivered, or before the writes are all done when deliveries trail them.
    while (acknowledged < CHANGES * 0.4 || (delivered.size < CHANGES * 0.2 && acknowledged < CHANGES * 0.9)) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await server.stop('SIGKILL')).toBe('SIGKILL');
    const before = { acknowledged, delivered: delivered.size };
    server = await startServe({ cwd, env });
    base = server.url;
    await Promise.all(writers);

    const committed = async () => (await store!.db.selectFrom('events').select('id').execute()).map((r) => r.id);
    const deadline = Date.now() + 180_000;
    let missing: string[] = [];
    do {
      await new Promise((resolve) => setTimeout(resolve, 250));
      missing = (await committed()).filter((id) => !delivered.has(id));
    } while (missing.length > 0 && Date.now() < deadline);

    const events = await committed();
    expect(before.acknowledged).toBeLessThan(CHANGES);
    expect(before.delivered).toBeLessThan(events.length);
    expect(events.length).toBeGreaterThanOrEqual(CHANGES);
    expect(missing).toEqual([]);
    expect([...delivered].every((id) => events.includes(id))).toBe(true);
  });
});

/**
 * Entity-triggered automations ride the outbox as PUSH hooks do: kill -9 a real
 * `hookyard serve` while changes are being written and automation runs are pending or
 * under way, restart it, and every committed change still reaches the automation at
 * least once (its `http_request` action posts the event id to a receiver), and each
 * ends with a completed execution of the automation.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';
import { describeEachEngine } from '../helpers/stores.js';

const HOST = 'receiver.example.test';
const CHANGES = 400;
const PARALLEL = 4;

describeEachEngine('entity-triggered automations survive kill -9 of hookyard serve', (engine) => {
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
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-automation-crash-'));
    const caFile = path.join(cwd, 'receiver-ca.pem');
    fs.writeFileSync(caFile, receiver.ca);
    env = {
      HOOKYARD_EGRESS_ALLOW_PRIVATE: 'true',
      HOOKYARD_EGRESS_CA_FILE: caFile,
      HOOKYARD_EGRESS_CONNECT_TO: `${HOST}:443:127.0.0.1:${receiver.port}`,
      HOOKYARD_MASTER_KEY: 'e2e-master-key-0123456789abcdef0123',
      HOOKYARD_DATA_DIR: path.join(cwd, 'data'),
      // Runs the killed process held are recovered once their lease lapses: keep it short.
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

  it('runs the automation for every committed change at least once after a kill -9 amid writes and runs', { timeout: 240_000 }, async () => {
    server = await startServe({ cwd, env });
    const key = server.adminKey!;
    const api = (base: string, method: string, url: string, body?: unknown) =>
      fetch(`${base}${url}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    const automation = await api(server.url, 'POST', '/v1/automations', {
      name: 'to receiver',
      trigger: { type: 'entity', entityType: 'project', events: ['create'] },
      actions: [{ type: 'http_request', params: { method: 'POST', url: `https://${HOST}/events`, body: { id: '{{event.id}}', entityId: '{{event.entityId}}' } } }],
    });
    expect(automation.status, await automation.clone().text()).toBe(201);
    expect((await api(server.url, 'POST', '/v1/entities/project', { name: 'warm-up' })).status).toBe(201);
    while (delivered.size < 1) await new Promise((resolve) => setTimeout(resolve, 10));

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
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    };
    const writers = Array.from({ length: PARALLEL }, write);

    // Kill amid both: once some runs are done, before the writes are.
    while (acknowledged < CHANGES * 0.4 || (delivered.size < CHANGES * 0.2 && acknowledged < CHANGES * 0.9)) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await server.stop('SIGKILL')).toBe('SIGKILL');
    const before = { acknowledged, delivered: delivered.size };
    server = await startServe({ cwd, env });
    base = server.url;
    await Promise.all(writers);

    const committed = async () => (await store!.db.selectFrom('events').select('id').execute()).map((r) => r.id);
    /** The events whose run of the automation completed: its execution stores the event id. */
    const completed = async () => {
      const rows = await store!.db.selectFrom('executions').select('input').where('automation_id', 'is not', null).where('status', '=', 'completed').execute();
      return new Set(rows.map((r) => (JSON.parse(r.input ?? '{}') as { eventId?: string }).eventId));
    };
    const deadline = Date.now() + 180_000;
    let missing: string[] = [];
    let unfinished: string[] = [];
    do {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const events = await committed();
      const done = await completed();
      missing = events.filter((id) => !delivered.has(id));
      // A run interrupted after its request was sent runs again once its lease lapses.
      unfinished = events.filter((id) => !done.has(id));
    } while ((missing.length > 0 || unfinished.length > 0) && Date.now() < deadline);

    const events = await committed();
    expect(before.acknowledged).toBeLessThan(CHANGES);
    expect(before.delivered).toBeLessThan(events.length);
    expect(events.length).toBeGreaterThanOrEqual(CHANGES);
    expect(missing).toEqual([]);
    expect(unfinished).toEqual([]);
    expect([...delivered].every((id) => events.includes(id))).toBe(true);
  });
});

/**
 * What the kill -9 suites share: a real `hookyard serve` (on SQLite or a PostgreSQL
 * database of its own) whose outbound calls reach a local HTTPS receiver that notes the
 * event id of every POST, writers that keep creating entities across a crash, and the
 * kill itself, timed to land amid writes and deliveries.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { openStore, type Store } from '../../src/store/db.js';
import { startHttpsServer, type TestHttpsServer } from './https-server.js';
import { startServe, type ServeProcess } from './serve-process.js';
import type { TestEngine } from './stores.js';

/** The receiver's host name as hooks and automations call it. */
export const RECEIVER_HOST = 'receiver.example.test';

export interface CrashRig {
  /** Event ids the receiver was sent (`{ id }` bodies). */
  readonly delivered: Set<string>;
  /** The data folder's store, opened beside the server to read what was committed. */
  store(): Store;
  /** Starts the server (again, after a kill). */
  start(): Promise<void>;
  /** Calls the running server's API with the admin key. */
  api(method: string, url: string, body?: unknown): Promise<Response>;
  /**
   * Creates `changes` projects with `parallel` writers, kills the server once some have
   * been delivered and before the writes are done, restarts it and lets the writers finish.
   * Answers what had happened at the kill.
   */
  writeThroughKill(changes: number, parallel: number): Promise<{ acknowledged: number; delivered: number }>;
  /** The ids of every event committed. */
  committed(): Promise<string[]>;
}

/** Sets the rig up before the suite's tests and tears it down after them. */
export function crashRig(engine: TestEngine, name: string): CrashRig {
  let receiver: TestHttpsServer;
  let cwd: string;
  let env: Record<string, string>;
  let server: ServeProcess | undefined;
  /** The admin key: printed on the first start only. */
  let key: string | undefined;
  let store: Store | undefined;
  let drop: (() => Promise<void>) | undefined;
  const delivered = new Set<string>();

  beforeAll(async () => {
    receiver = await startHttpsServer(RECEIVER_HOST, (req, res) => {
      delivered.add((JSON.parse(req.body) as { id: string }).id);
      res.setHeader('content-type', 'application/json');
      res.end('{}');
    });
    const target = await engine.createDatabase();
    drop = target.drop;
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), `hookyard-${name}-`));
    const caFile = path.join(cwd, 'receiver-ca.pem');
    fs.writeFileSync(caFile, receiver.ca);
    env = {
      HOOKYARD_EGRESS_ALLOW_PRIVATE: 'true',
      HOOKYARD_EGRESS_CA_FILE: caFile,
      HOOKYARD_EGRESS_CONNECT_TO: `${RECEIVER_HOST}:443:127.0.0.1:${receiver.port}`,
      HOOKYARD_MASTER_KEY: 'e2e-master-key-0123456789abcdef0123',
      HOOKYARD_DATA_DIR: path.join(cwd, 'data'),
      // Jobs the killed process held are recovered once their lease lapses: keep it short.
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

  const api = (method: string, url: string, body?: unknown) =>
    fetch(`${server!.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${key!}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });

  return {
    delivered,
    store: () => store!,
    api,
    async start() {
      server = await startServe({ cwd, env });
      key ??= server.adminKey;
    },
    async writeThroughKill(changes, parallel) {
      // The first run starts a sandbox process or a connection: wait for it, so that the kill lands amid writes and deliveries.
      expect((await api('POST', '/v1/entities/project', { name: 'warm-up' })).status).toBe(201);
      while (delivered.size < 1) await new Promise((resolve) => setTimeout(resolve, 10));

      let acknowledged = 0;
      let next = 0;
      const write = async (): Promise<void> => {
        while (acknowledged < changes) {
          const n = next++;
          try {
            const res = await api('POST', '/v1/entities/project', { name: `project ${n}` });
            if (res.status === 201) acknowledged++;
          } catch {
            // The server is down: wait for the restart.
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
      };
      const writers = Array.from({ length: parallel }, write);

      // Kill amid both: once a fifth is delivered, or before the writes are all done when deliveries trail them.
      while (acknowledged < changes * 0.4 || (delivered.size < changes * 0.2 && acknowledged < changes * 0.9)) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(await server!.stop('SIGKILL')).toBe('SIGKILL');
      const before = { acknowledged, delivered: delivered.size };
      await this.start();
      await Promise.all(writers);
      return before;
    },
    committed: async () => (await store!.db.selectFrom('events').select('id').execute()).map((r) => r.id),
  };
}

/**
 * `/readyz` answers 503 naming the check that failed: while migrations run (the API
 * refuses meanwhile), during shutdown, and when the database does not answer, on SQLite
 * (a closed store) and on PostgreSQL (the connection cut by a TCP proxy that stops, and
 * the answer back once the proxy returns).
 */
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { Readiness } from '../../src/api/readiness.js';
import { loadConfig } from '../../src/config.js';
import { createSecretBox } from '../../src/domain/secret-box.js';
import { JobQueue } from '../../src/jobs/index.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { migrate, openStore, type Store } from '../../src/store/db.js';
import { waitFor } from '../helpers/jobs.js';
import { describeEachEngine, ENGINES } from '../helpers/stores.js';

async function appOver(store: Store, readiness: Readiness): Promise<FastifyInstance> {
  const config = loadConfig({ HOOKYARD_LOG_LEVEL: 'silent' }, { dataDir: '/nonexistent' });
  const deps = { store, sandbox: createSandbox({ egress: {} }), queue: new JobQueue(store), secretBox: createSecretBox('test-master-key-0123456789abcdef0123') };
  return buildApp({ ...deps, config, readiness });
}

const readyz = async (app: FastifyInstance) => {
  const res = await app.inject({ method: 'GET', url: '/readyz' });
  return { status: res.statusCode, body: res.json() };
};

describeEachEngine('readiness', (engine) => {
  it('answers 503 naming the migrations while they run, and the API refuses meanwhile; then ready', async () => {
    const target = await engine.createDatabase();
    const store = openStore(target);
    const readiness = new Readiness('migrating');
    const app = await appOver(store, readiness);
    try {
      expect(await readyz(app)).toEqual({
        status: 503,
        body: { error: { code: 'HY_UNAVAILABLE', message: 'not ready: database migrations are running', details: [{ check: 'migrations', message: 'database migrations are running' }] } },
      });
      const api = await app.inject({ method: 'GET', url: '/v1/integrations' });
      expect(api.statusCode).toBe(503);
      expect(api.headers['retry-after']).toBe('1');
      await migrate(store);
      readiness.set('ready');
      expect(await readyz(app)).toEqual({ status: 200, body: { status: 'ready' } });
      expect((await app.inject({ method: 'GET', url: '/v1/integrations' })).statusCode).toBe(401);
    } finally {
      await app.close();
      await store.close();
      await target.drop();
    }
  });

  it('answers 503 naming the shutdown once it began, and never becomes ready again', async () => {
    const target = await engine.createDatabase();
    const store = openStore(target);
    await migrate(store);
    const readiness = new Readiness('ready');
    const app = await appOver(store, readiness);
    try {
      expect((await readyz(app)).status).toBe(200);
      readiness.set('stopping');
      readiness.set('ready');
      const { status, body } = await readyz(app);
      expect(status).toBe(503);
      expect(body.error.details).toEqual([{ check: 'shutdown', message: 'the process is shutting down' }]);
    } finally {
      await app.close();
      await store.close();
      await target.drop();
    }
  });

  it('answers 503 naming the database when it does not answer', async () => {
    const target = await engine.createDatabase();
    const store = openStore(target);
    await migrate(store);
    const app = await appOver(store, new Readiness());
    try {
      expect((await readyz(app)).status).toBe(200);
      await store.close();
      const { status, body } = await readyz(app);
      expect(status).toBe(503);
      expect(body.error.details[0].check).toBe('database');
      expect(body.error.message).toMatch(/^not ready: the database does not answer: /);
    } finally {
      await app.close();
      await target.drop();
    }
  });
});

/** A TCP proxy to PostgreSQL that can be stopped (every connection cut, new ones refused) and started again on its port. */
function pgProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const start = () =>
    new Promise<number>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.once('close', () => sockets.delete(s));
          s.on('error', () => {});
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => resolve((port = (server!.address() as net.AddressInfo).port)));
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server?.close(() => resolve());
    });
  /** Waits for the clients to close their own connections (pg's pool.end resolves before they do). */
  const drained = () => waitFor(() => sockets.size === 0, 5000);
  return { start, stop, drained };
}

const postgres = ENGINES.find((e) => e.name === 'postgres');
describe.skipIf(!postgres)('readiness during a PostgreSQL outage [postgres]', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('answers 503 naming the database while the connection is cut, and ready again once it is back', async () => {
    const target = await postgres!.createDatabase();
    cleanups.push(target.drop);
    const url = new URL(target.databaseUrl!);
    const proxy = pgProxy({ host: url.hostname, port: Number(url.port || 5432) });
    const port = await proxy.start();
    cleanups.push(async () => {
      await proxy.drained();
      await proxy.stop();
    });
    url.host = `127.0.0.1:${port}`;
    const store = openStore({ dataDir: target.dataDir, databaseUrl: url.toString() });
    cleanups.push(() => store.close());
    await migrate(store);
    const app = await appOver(store, new Readiness());
    cleanups.push(() => app.close());
    expect((await readyz(app)).status).toBe(200);

    await proxy.stop();
    const down = await readyz(app);
    expect(down.status).toBe(503);
    expect(down.body.error.details[0].check).toBe('database');
    expect(down.body.error.message).toMatch(/^not ready: the database does not answer: /);

    await proxy.start();
    await waitFor(async () => (await readyz(app)).status === 200, 10_000);
  });
});

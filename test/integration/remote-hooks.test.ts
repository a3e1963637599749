/**
 * Remote hooks: code on the user's own server, reached by a signed POST. The test server
 * checks every signature with the `standardwebhooks` package — an implementation nobody
 * here wrote — and answers as a remote hook would, or as a broken one does.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSecretBox } from '../../src/domain/secret-box.js';
import { findHookForRun, updateHook } from '../../src/store/hooks.js';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { startHttpsServer, type ReceivedRequest, type TestHttpsServer } from '../helpers/https-server.js';
import { describeEachEngine } from '../helpers/stores.js';

const HOST = 'remote.example.test';
const CLOSED = 'closed.example.test';
const INTEGRATION_SECRET = 'integration-secret-value-7731';
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

interface Payload {
  hook: { id: string; type: string; step: string };
  meta?: { page?: number };
  input?: { records: Array<{ externalId: string; data: Record<string, string> }> };
  event?: { entityId: string };
  request?: { message: { name?: string } };
}

/** Signing secrets the server accepts, by hook path. */
const accepted = new Map<string, string[]>();

function verified(req: ReceivedRequest): Payload | undefined {
  const path = new URL(req.url, `https://${HOST}`).pathname;
  for (const secret of accepted.get(path) ?? []) {
    try {
      return new Webhook(secret).verify(req.body, req.headers as Record<string, string>) as Payload;
    } catch {
      // Try the next secret.
    }
  }
  return undefined;
}

describeEachEngine('remote hooks', (engine) => {
  let t: TestApp;
  let server: TestHttpsServer;
  let closedPort: number;
  let tenant: TestTenant;
  let integrationId: string;

  beforeAll(async () => {
    server = await startHttpsServer(HOST, (req, res) => {
      const path = new URL(req.url, `https://${HOST}`).pathname;
      const payload = verified(req);
      const json = (status: number, body: unknown) => {
        res.statusCode = status;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(body));
      };
      if (!payload) return json(401, { error: 'bad signature' });
      switch (path) {
        case '/pull': {
          if (payload.hook.step === 'preSavePage') {
            return json(200, { records: payload.input!.records.map((r) => ({ ...r, data: { ...r.data, lastName: r.data.lastName.toUpperCase() } })) });
          }
          const page = payload.meta?.page ?? 1;
          const records = [1, 2].map((n) => ({ externalId: `R-${page}-${n}`, data: { firstName: 'Remote', lastName: `person${page}${n}`, email: `r${page}${n}@x.test` } }));
          return json(200, { records, more: page < 2, meta: { page: page + 1 } });
        }
        case '/push':
          return json(200, { received: payload.event!.entityId });
        case '/inbound': {
          const request = payload.request as unknown as { body: { uid: string } };
          return json(200, { response: { status: 202, body: { took: request.body.uid } }, records: [{ externalId: request.body.uid, data: { firstName: 'In', lastName: 'Bound', email: 'in@x.test' } }] });
        }
        case '/pre':
          return payload.request!.message.name === 'reject' ? json(200, { status: 403, message: 'remote says no' }) : json(200, { status: 200 });
        case '/status-500':
          res.statusCode = 500;
          return res.end('boom at the remote end');
        case '/not-json':
          res.statusCode = 200;
          return res.end('hello, not json');
        case '/huge':
          res.statusCode = 200;
          res.setHeader('content-type', 'application/json');
          return res.end(`"${'x'.repeat(20 * 1024 * 1024)}"`);
        case '/slow':
          return void setTimeout(() => json(200, { status: 200 }), 3_000);
        default:
          return json(404, {});
      }
    });
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedPort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    t = await createTestApp(engine, {
      worker: true,
      egress: {
        allowPrivate: true,
        ca: server.ca,
        connectTo: [
          { host: HOST, port: 443, address: '127.0.0.1', toPort: server.port },
          { host: CLOSED, port: 443, address: '127.0.0.1', toPort: closedPort },
        ],
      },
    });
    tenant = await t.tenant('remote');
    integrationId = (await t.call(tenant.keys.editor, { method: 'POST', url: '/v1/integrations', payload: { name: 'Remote', sourceSystemKey: 'remote' } })).json().id;
    const put = await t.call(tenant.keys.admin, { method: 'PUT', url: `/v1/integrations/${integrationId}/secrets/token`, payload: { value: INTEGRATION_SECRET } });
    expect(put.statusCode).toBeLessThan(300);
  });
  afterAll(async () => {
    await t?.dispose();
    await server?.close();
  });

  async function remoteHook(path: string, type: string, extra: Record<string, unknown> = {}, steps?: string[]): Promise<{ id: string; secret: string }> {
    const secret = newSecret();
    accepted.set(path, [secret]);
    const res = await t.call(tenant.keys.editor, {
      method: 'POST',
      url: `/v1/integrations/${integrationId}/hooks`,
      payload: { name: `${type}${path.replaceAll('/', '-')}-${Math.random()}`, type, entityType: 'employee', runtime: 'remote', remote: { url: `https://${HOST}${path}`, secret, ...(steps && { steps }) }, ...extra },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.body).not.toContain(secret);
    return { id: res.json().id, secret };
  }

  const test = (id: string, payload: Record<string, unknown> = {}) => t.call(tenant.keys.editor, { method: 'POST', url: `/v1/hooks/${id}/test`, payload });

  it('refuses a signing secret that is not whsec_ and the base64 of 24 to 64 bytes, and steps on a push hook', async () => {
    for (const secret of ['short', `whsec_${randomBytes(8).toString('base64')}`, `whsec_${randomBytes(100).toString('base64')}`, 'whsec_not base64!']) {
      const res = await t.call(tenant.keys.editor, {
        method: 'POST',
        url: `/v1/integrations/${integrationId}/hooks`,
        payload: { name: 'bad', type: 'push', entityType: 'employee', runtime: 'remote', remote: { url: `https://${HOST}/push`, secret } },
      });
      expect(res.statusCode, secret).toBe(400);
      expect(res.body).toContain('remote/secret');
    }
    const steps = await t.call(tenant.keys.editor, {
      method: 'POST',
      url: `/v1/integrations/${integrationId}/hooks`,
      payload: { name: 'steps', type: 'push', entityType: 'employee', runtime: 'remote', remote: { url: `https://${HOST}/push`, secret: newSecret(), steps: ['preMap'] } },
    });
    expect(steps.statusCode).toBe(400);
    expect(steps.body).toContain('remote/steps');
  });

  it('runs a remote PULL hook over two pages and its preSavePage step, every call signed and free of secret values', async () => {
    const { id } = await remoteHook('/pull', 'pull', {}, ['preSavePage']);
    const before = server.requests.length;
    const dry = await test(id);
    expect(dry.statusCode).toBe(200);
    const execution = dry.json();
    expect(execution).toMatchObject({ status: 'completed', pages: 2, counts: { processed: 4, wouldCreate: 4 } });
    expect(execution.preview.map((p: { externalId: string }) => p.externalId)).toEqual(['R-1-1', 'R-1-2', 'R-2-1', 'R-2-2']);
    const calls = server.requests.slice(before);
    expect(calls.map((r) => (JSON.parse(r.body) as Payload).hook.step)).toEqual(['run', 'preSavePage', 'run', 'preSavePage']);
    for (const call of calls) {
      expect(verified(call)).toBeDefined();
      expect(call.headers['user-agent']).toBe('Hookyard-Hook/1.0');
      expect(call.body).not.toContain(INTEGRATION_SECRET);
    }
    expect(new Set(calls.map((c) => c.headers['webhook-id'])).size).toBe(4);
    expect(execution.http).toHaveLength(4);
    expect(execution.http[0]).toMatchObject({ method: 'POST', url: `https://${HOST}/pull`, status: 200 });

    // A real run saves what the step returned.
    const run = await t.call(tenant.keys.editor, { method: 'POST', url: `/v1/hooks/${id}/run` });
    expect(run.statusCode).toBe(202);
    expect(await t.finished(tenant.keys.viewer, run.json().executionId)).toMatchObject({ status: 'completed', counts: { created: 4 } });
    const employees = (await t.call(tenant.keys.viewer, { method: 'GET', url: '/v1/entities/employee' })).json().items;
    expect(employees.map((e: { lastName: string }) => e.lastName).sort()).toEqual(['PERSON11', 'PERSON12', 'PERSON21', 'PERSON22']);
  });

  it('runs a remote PUSH hook and remote pre-hooks that allow and reject, as code hooks would', async () => {
    const push = await remoteHook('/push', 'push');
    const dry = (await test(push.id, { event: { entityId: 'e-42' } })).json();
    expect(dry).toMatchObject({ status: 'completed' });
    expect(dry.logs.at(-1).data).toEqual({ received: 'e-42' });

    await remoteHook('/pre', 'pre', { operations: ['create'], entityType: 'project' });
    const create = (name: string) => t.call(tenant.keys.editor, { method: 'POST', url: '/v1/entities/project', payload: { name } });
    expect((await create('allowed')).statusCode).toBe(201);
    const rejected = await create('reject');
    expect(rejected.statusCode).toBe(403);
    expect(rejected.json().error.message).toBe('remote says no');
  });

  it('answers an inbound call through a remote hook: its response, and its records saved', async () => {
    await remoteHook('/inbound', 'inbound', { path: 'remote-in' });
    const res = await t.app.inject({ method: 'POST', url: '/inbound/remote/remote-in', payload: { uid: 'c-9' } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ took: 'c-9' });
    const saved = (await t.call(tenant.keys.viewer, { method: 'GET', url: '/v1/entities/employee?email=in@x.test' })).json().items;
    expect(saved).toEqual([expect.objectContaining({ firstName: 'In', lastName: 'Bound' })]);
  });

  it('fails clearly on a reply that is 500, not JSON, too large or too slow, and on a closed port', async () => {
    const cases: Array<[string, RegExp, string?]> = [
      ['/status-500', /^The remote hook answered 500: boom at the remote end$/],
      ['/not-json', /^The remote hook's reply is not JSON: /],
      ['/huge', /^HTTP response size limit exceeded: a response body may be at most 10 MB \(the remote hook's reply\)$/, 'httpResponseBytes'],
    ];
    for (const [path, message, limit] of cases) {
      const { id } = await remoteHook(path, 'push');
      const execution = (await test(id)).json();
      expect(execution, path).toMatchObject({ status: 'failed', error: { message: expect.stringMatching(message) } });
      if (limit) expect(execution.error.limit).toBe(limit);
      expect(execution.http).toHaveLength(1);
    }
    const secret = newSecret();
    const closed = await t.call(tenant.keys.editor, {
      method: 'POST',
      url: `/v1/integrations/${integrationId}/hooks`,
      payload: { name: 'closed', type: 'push', entityType: 'employee', runtime: 'remote', remote: { url: `https://${CLOSED}/x`, secret } },
    });
    const refused = (await test(closed.json().id)).json();
    expect(refused).toMatchObject({ status: 'failed', error: { message: expect.stringMatching(/^The remote hook could not be reached: CONNECTION_FAILED: /) } });
  });

  it('answers 502 and stores nothing when a remote pre-hook is too slow for its 2 s', async () => {
    const { id } = await remoteHook('/slow', 'pre', { operations: ['create'], entityType: 'contractor' });
    const res = await t.call(tenant.keys.editor, { method: 'POST', url: '/v1/entities/contractor', payload: { name: 'Slow Ltd' } });
    expect(res.statusCode).toBe(502);
    const list = await t.call(tenant.keys.viewer, { method: 'GET', url: '/v1/entities/contractor' });
    expect(list.json().items).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    const [execution] = (await t.call(tenant.keys.viewer, { method: 'GET', url: `/v1/hooks/${id}/executions` })).json().items;
    expect(execution).toMatchObject({ status: 'timed_out', error: { limit: 'timeMs' } });
    await t.call(tenant.keys.editor, { method: 'DELETE', url: `/v1/hooks/${id}` });
  });

  it('signs with the old and the new secret for a day after a rotation, then with the new one only', async () => {
    const { id, secret: old } = await remoteHook('/push', 'push');
    const fresh = newSecret();
    const patched = await t.call(tenant.keys.editor, { method: 'PATCH', url: `/v1/hooks/${id}`, payload: { remote: { url: `https://${HOST}/push`, secret: fresh } } });
    expect(patched.statusCode, patched.body).toBe(200);
    const before = server.requests.length;
    accepted.set('/push', [old]);
    expect((await test(id)).json().status).toBe('completed');
    accepted.set('/push', [fresh]);
    expect((await test(id)).json().status).toBe('completed');
    const [first] = server.requests.slice(before);
    expect(String(first.headers['webhook-signature']).split(' ')).toHaveLength(2);

    // The same rotation a day and more ago: the old secret is no longer sent.
    const box = createSecretBox('test-master-key-0123456789abcdef0123');
    const hook = (await findHookForRun(t.store.db, box, tenant.org.id, id))!;
    const input = { name: hook.name, type: hook.type, entityType: hook.entityType, runtime: hook.runtime, code: null, remoteUrl: hook.remote!.url, remoteSteps: null, enabled: true, settings: {} };
    await updateHook(t.store.db, box, tenant.org.id, id, { ...input, remoteSecret: old }, Date.now() - 26 * 3600_000);
    await updateHook(t.store.db, box, tenant.org.id, id, { ...input, remoteSecret: fresh }, Date.now() - 25 * 3600_000);
    expect((await findHookForRun(t.store.db, box, tenant.org.id, id))!.remoteSecrets).toEqual([fresh]);
    accepted.set('/push', [old]);
    expect((await test(id)).json()).toMatchObject({ status: 'failed', error: { message: expect.stringMatching(/^The remote hook answered 401/) } });
  });
});

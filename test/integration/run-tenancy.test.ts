import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { waitFor } from '../helpers/jobs.js';
import { describeEachEngine } from '../helpers/stores.js';

const HOST = 'tenancy.example.test';

/** A PUSH hook that reports which organisation's hook saw which entity. */
const reporter = `async function run(ctx) {
  await ctx.http.post('https://${HOST}/seen', { org: ctx.org.slug, hookId: ctx.execution.hookId, entityId: ctx.event.entityId });
}`;

/**
 * A PULL hook of one source system: the same external ids in every organisation. It logs
 * what its integration's KV held, then leaves its own mark there.
 */
const puller = `async function run(ctx) {
  const seen = await ctx.kv.get('shared');
  console.log('kv held ' + JSON.stringify(seen));
  await ctx.kv.set('shared', ctx.org.slug + '/' + ctx.integration.id);
  return { records: [
    { externalId: 'E-1', data: { firstName: 'One', lastName: ctx.org.slug, email: 'one@' + ctx.org.slug + '.test' } },
    { externalId: 'E-2', data: { firstName: 'Two', lastName: ctx.org.slug, email: 'two@' + ctx.org.slug + '.test' } },
  ] };
}`;

describeEachEngine('tenancy of runs, executions, deliveries, syncs and KV', (engine) => {
  let server: TestHttpsServer;
  let t: TestApp;
  let acme: TestTenant;
  let globex: TestTenant;
  const seen: Array<{ org: string; hookId: string; entityId: string }> = [];

  beforeAll(async () => {
    server = await startHttpsServer(HOST, (req, res) => {
      seen.push(JSON.parse(req.body));
      res.end('{}');
    });
    t = await createTestApp(engine, {
      egress: { allowPrivate: true, ca: server.ca, connectTo: [{ host: HOST, port: 443, address: '127.0.0.1', toPort: server.port }] },
      worker: true,
    });
    acme = await t.tenant('acme');
    globex = await t.tenant('globex');
  });
  afterAll(async () => {
    await t?.dispose();
    await server?.close();
  });

  async function integration(tenant: TestTenant, sourceSystemKey: string): Promise<string> {
    const res = await t.call(tenant.keys.admin, { method: 'POST', url: '/v1/integrations', payload: { name: sourceSystemKey, sourceSystemKey } });
    expect(res.statusCode).toBe(201);
    return res.json().id;
  }
  async function hook(tenant: TestTenant, integrationId: string, payload: Record<string, unknown>): Promise<string> {
    const res = await t.call(tenant.keys.editor, { method: 'POST', url: `/v1/integrations/${integrationId}/hooks`, payload: { name: 'h', ...payload } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id;
  }
  const finished = (tenant: TestTenant, executionId: string) => t.finished(tenant.keys.viewer, executionId, 20_000);
  async function sync(tenant: TestTenant, hookId: string) {
    const res = await t.call(tenant.keys.editor, { method: 'POST', url: `/v1/hooks/${hookId}/run` });
    expect(res.statusCode).toBe(202);
    return finished(tenant, res.json().executionId);
  }

  it("answers 404 to another organisation's hook runs, tests, executions and retries", async () => {
    const hr = await integration(acme, 'runs');
    const push = await hook(acme, hr, { type: 'push', entityType: 'vacancy', code: reporter });
    const pull = await hook(acme, hr, { type: 'pull', entityType: 'contractor', code: 'async function run(ctx) { return { records: [] }; }' });
    await t.call(acme.keys.editor, { method: 'POST', url: '/v1/entities/vacancy', payload: { role: 'Engineer' } });
    let executionId = '';
    await waitFor(async () => {
      const items = (await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/hooks/${push}/executions` })).json().items;
      executionId = items[0]?.status === 'completed' ? items[0].id : '';
      return executionId !== '';
    });
    const before = (await t.store.db.selectFrom('executions').select('id').execute()).length;
    for (const key of [globex.keys.admin, globex.keys.editor]) {
      for (const call of [
        { method: 'POST', url: `/v1/hooks/${pull}/run` },
        { method: 'POST', url: `/v1/hooks/${pull}/test`, payload: {} },
        { method: 'POST', url: `/v1/hooks/${push}/test`, payload: {} },
        { method: 'GET', url: `/v1/executions/${executionId}` },
        { method: 'POST', url: `/v1/executions/${executionId}/retry` },
        { method: 'GET', url: `/v1/hooks/${push}/executions` },
      ] as const) {
        const res = await t.call(key, call);
        expect(res.statusCode, `${call.method} ${call.url}`).toBe(404);
        expect(res.body).not.toContain(executionId);
      }
    }
    expect((await t.store.db.selectFrom('executions').select('id').execute()).length).toBe(before);
    expect((await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/executions/${executionId}` })).statusCode).toBe(200);
  });

  it("delivers an organisation's events to its own PUSH hooks only, and runs its own pre-hooks only", async () => {
    const mine = await hook(acme, await integration(acme, 'push-own'), { type: 'push', entityType: 'project', code: reporter });
    const theirs = await hook(globex, await integration(globex, 'push-own'), { type: 'push', entityType: 'project', code: reporter });
    const gate = await hook(globex, await integration(globex, 'gate'), {
      type: 'pre',
      entityType: 'project',
      operations: ['create', 'list', 'get'],
      code: `async function run(ctx) { return { status: 403, message: 'globex gate' }; }`,
    });
    const created = await t.call(acme.keys.editor, { method: 'POST', url: '/v1/entities/project', payload: { name: 'Apollo' } });
    expect(created.statusCode).toBe(201);
    expect((await t.call(acme.keys.viewer, { method: 'GET', url: '/v1/entities/project' })).statusCode).toBe(200);
    const entityId = created.json().id;
    await waitFor(() => seen.some((s) => s.entityId === entityId));
    // The outbox is drained, so any delivery to another organisation would have been enqueued by now.
    await waitFor(async () => (await t.store.db.selectFrom('events').select('id').where('dispatched_at', 'is', null).execute()).length === 0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seen.filter((s) => s.entityId === entityId)).toEqual([{ org: 'acme', hookId: mine, entityId }]);
    for (const id of [theirs, gate]) {
      expect((await t.call(globex.keys.viewer, { method: 'GET', url: `/v1/hooks/${id}/executions` })).json().items).toEqual([]);
    }
    const jobs = await t.store.db.selectFrom('jobs').select('org_id').where('unique_key', 'like', `push:${theirs}:%`).execute();
    expect(jobs).toEqual([]);
  });

  it('syncs the same source system and external ids in two organisations without touching each other', async () => {
    const acmeHr = await integration(acme, 'workday');
    const globexHr = await integration(globex, 'workday');
    const acmePull = await hook(acme, acmeHr, { type: 'pull', entityType: 'employee', code: puller });
    const globexPull = await hook(globex, globexHr, { type: 'pull', entityType: 'employee', code: puller });

    expect(await sync(acme, acmePull)).toMatchObject({ status: 'completed', counts: { created: 2 } });
    const second = await sync(globex, globexPull);
    expect(second).toMatchObject({ status: 'completed', counts: { created: 2, updated: 0, skipped: 0 } });
    expect(second.logs[0].message).toBe('kv held null');

    for (const [tenant, slug] of [[acme, 'acme'], [globex, 'globex']] as const) {
      const people = (await t.call(tenant.keys.viewer, { method: 'GET', url: '/v1/entities/employee?limit=500' })).json().items;
      expect(people.map((p: { lastName: string; version: number }) => [p.lastName, p.version])).toEqual([[slug, 1], [slug, 1]]);
      const links = await t.store.db.selectFrom('external_links').select(['entity_id']).where('org_id', '=', tenant.org.id).execute();
      expect(links.map((l) => l.entity_id).sort()).toEqual(people.map((p: { id: string }) => p.id).sort());
    }
    // Each integration's KV holds its own mark only.
    expect((await sync(acme, acmePull)).logs[0].message).toBe(`kv held "acme/${acmeHr}"`);
    expect((await sync(globex, globexPull)).logs[0].message).toBe(`kv held "globex/${globexHr}"`);
    const otherHr = await integration(acme, 'workday-2');
    expect((await sync(acme, await hook(acme, otherHr, { type: 'pull', entityType: 'vacancy', code: puller.replace(/firstName: '(\w+)', lastName: ctx.org.slug, email: [^}]+/g, "role: '$1'") }))).logs[0].message).toBe(
      'kv held null',
    );
  });
});

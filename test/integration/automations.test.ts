/**
 * `/v1/automations`: definitions saved, read, replaced, patched and deleted within one
 * organisation; viewers read and editors write; every rule of a definition refused with a
 * 400 naming its place; an inbound path taken elsewhere refused with 409; the verification
 * secret never answered; and an automation's executions listed newest first.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { describeEachEngine } from '../helpers/stores.js';

const LOG = { type: 'log', params: { level: 'info', message: 'hello {{trigger.body.name}}' } };
const manual = (name: string, extra: Record<string, unknown> = {}) => ({ name, trigger: { type: 'manual' }, actions: [LOG], ...extra });

describeEachEngine('automations', (engine) => {
  let t: TestApp;
  let acme: TestTenant;
  let globex: TestTenant;

  beforeAll(async () => {
    t = await createTestApp(engine);
    acme = await t.tenant('acme-automations');
    globex = await t.tenant('globex-automations');
  });
  afterAll(async () => t?.dispose());

  const create = (payload: unknown, key = acme.keys.editor) => t.call(key, { method: 'POST', url: '/v1/automations', payload: payload as Record<string, unknown> });
  const get = (id: string, key = acme.keys.viewer) => t.call(key, { method: 'GET', url: `/v1/automations/${id}` });

  it('creates, reads, lists with a cursor, replaces, patches and deletes an automation, bumping its version', async () => {
    const created = await create(manual('first', { description: 'says hello' }));
    expect(created.statusCode, created.body).toBe(201);
    const first = created.json();
    expect(first).toMatchObject({ name: 'first', description: 'says hello', enabled: true, trigger: { type: 'manual' }, actions: [LOG], version: 1 });
    expect(first).not.toHaveProperty('orgId');
    expect((await get(first.id)).json()).toEqual(first);

    const second = (await create(manual('second'))).json();
    const page1 = (await t.call(acme.keys.viewer, { method: 'GET', url: '/v1/automations?limit=1' })).json();
    expect(page1.items.map((a: { id: string }) => a.id)).toEqual([first.id]);
    const page2 = (await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/automations?limit=1&cursor=${page1.nextCursor}` })).json();
    expect(page2.items.map((a: { id: string }) => a.id)).toEqual([second.id]);

    const replaced = await t.call(acme.keys.editor, { method: 'PUT', url: `/v1/automations/${first.id}`, payload: manual('renamed') });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.json()).toMatchObject({ name: 'renamed', version: 2 });
    expect(replaced.json()).not.toHaveProperty('description');

    const patched = await t.call(acme.keys.editor, { method: 'PATCH', url: `/v1/automations/${first.id}`, payload: { enabled: false, description: 'off for now' } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ name: 'renamed', enabled: false, description: 'off for now', actions: [LOG], version: 3 });
    const cleared = await t.call(acme.keys.editor, { method: 'PATCH', url: `/v1/automations/${first.id}`, payload: { description: null } });
    expect(cleared.json()).not.toHaveProperty('description');

    expect((await t.call(acme.keys.editor, { method: 'DELETE', url: `/v1/automations/${first.id}` })).statusCode).toBe(204);
    expect((await get(first.id)).statusCode).toBe(404);
    expect((await t.call(acme.keys.editor, { method: 'DELETE', url: `/v1/automations/${first.id}` })).statusCode).toBe(404);
  });

  it('lets viewers read and only editors write', async () => {
    const id = (await create(manual('roles'))).json().id;
    const writes = [
      { method: 'POST' as const, url: '/v1/automations', payload: manual('by a viewer') },
      { method: 'PUT' as const, url: `/v1/automations/${id}`, payload: manual('by a viewer') },
      { method: 'PATCH' as const, url: `/v1/automations/${id}`, payload: { enabled: false } },
      { method: 'DELETE' as const, url: `/v1/automations/${id}` },
      { method: 'POST' as const, url: `/v1/automations/${id}/test`, payload: {} },
      { method: 'POST' as const, url: `/v1/automations/${id}/run`, payload: {} },
    ];
    for (const write of writes) {
      const res = await t.call(acme.keys.viewer, write);
      expect(res.statusCode, `${write.method} ${write.url}`).toBe(403);
    }
    expect((await get(id)).statusCode).toBe(200);
    expect((await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/automations/${id}/executions` })).statusCode).toBe(200);
    expect((await t.call(undefined, { method: 'GET', url: '/v1/automations' })).statusCode).toBe(401);
  });

  it("answers 404 to another organisation's automation, for every route, and lists none of it", async () => {
    const id = (await create(manual('private'))).json().id;
    const routes = [
      { method: 'GET' as const, url: `/v1/automations/${id}` },
      { method: 'PUT' as const, url: `/v1/automations/${id}`, payload: manual('taken over') },
      { method: 'PATCH' as const, url: `/v1/automations/${id}`, payload: { enabled: false } },
      { method: 'DELETE' as const, url: `/v1/automations/${id}` },
      { method: 'POST' as const, url: `/v1/automations/${id}/test`, payload: {} },
      { method: 'POST' as const, url: `/v1/automations/${id}/run`, payload: {} },
      { method: 'GET' as const, url: `/v1/automations/${id}/executions` },
      { method: 'GET' as const, url: `/v1/automations/${id}/schedule` },
    ];
    for (const route of routes) {
      const res = await t.call(globex.keys.admin, route);
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(404);
    }
    const listed = (await t.call(globex.keys.viewer, { method: 'GET', url: '/v1/automations' })).json().items;
    expect(listed.map((a: { id: string }) => a.id)).not.toContain(id);
    expect((await get(id)).json()).toMatchObject({ name: 'private', enabled: true, version: 1 });
  });

  it('refuses each rule of a definition with a 400 naming its place in the body', async () => {
    const pushIntegration = (await t.call(acme.keys.editor, { method: 'POST', url: '/v1/integrations', payload: { name: 'HR', sourceSystemKey: 'hr-automations' } })).json().id;
    const pre = (
      await t.call(acme.keys.editor, {
        method: 'POST',
        url: `/v1/integrations/${pushIntegration}/hooks`,
        payload: { name: 'pre', type: 'pre', entityType: 'employee', operations: ['create'], code: 'async function run() { return { status: 200 }; }' },
      })
    ).json().id;
    const entity = { type: 'entity', entityType: 'employee', events: ['create'] };
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['unknown trigger', { name: 'x', trigger: { type: 'webhook' }, actions: [LOG] }, 'body/trigger/type'],
      ['unknown op', { name: 'x', trigger: entity, conditions: { all: [{ field: 'after.firstName', op: 'like', value: 'A' }] }, actions: [LOG] }, 'body/conditions/all/0/op'],
      ['unknown action type', { name: 'x', trigger: { type: 'manual' }, actions: [{ type: 'fax', params: {} }] }, 'body/actions/0/type'],
      ['bad field path', { name: 'x', trigger: entity, conditions: { all: [{ field: 'after..firstName', op: 'exists' }] }, actions: [LOG] }, 'body/conditions/all/0/field'],
      [
        'template that does not parse',
        { name: 'x', trigger: { type: 'manual' }, actions: [{ type: 'log', cases: [{ when: { field: 'trigger.body.a', op: 'exists' }, params: { level: 'info', message: 'a' } }, { else: true, params: { level: 'info', message: 'hi {{trigger.body' } }] }] },
        'body/actions/0/cases/1/params/message',
      ],
      ['schedule that can never run', { name: 'x', trigger: { type: 'schedule', schedule: { kind: 'once', start: '2020-01-01T09:00', timeZone: 'UTC' } }, actions: [LOG] }, 'body/trigger/schedule'],
      ['unknown hookId', { name: 'x', trigger: { type: 'manual' }, actions: [{ type: 'run_hook', params: { hookId: 'no-such-hook', payload: {} } }] }, 'body/actions/0/params/hookId'],
      ['hook that cannot be run', { name: 'x', trigger: { type: 'manual' }, actions: [{ type: 'run_hook', params: { hookId: pre, payload: {} } }] }, 'body/actions/0/params/hookId'],
      ['action params', { name: 'x', trigger: { type: 'manual' }, actions: [{ type: 'log', params: { level: 'loud', message: 'hi' } }] }, 'body/actions/0/params/level'],
    ];
    for (const [rule, body, path] of cases) {
      const res = await create(body);
      expect(res.statusCode, `${rule}: ${res.body}`).toBe(400);
      const paths = (res.json().error.details as Array<{ path: string; message: string }>).map((d) => d.path);
      expect(paths.some((p) => p === path || p.startsWith(`${path}/`)), `${rule}: ${paths.join(', ')}`).toBe(true);
    }
    const listed = (await t.call(acme.keys.viewer, { method: 'GET', url: '/v1/automations?limit=500' })).json().items;
    expect(listed.filter((a: { name: string }) => a.name === 'x')).toEqual([]);
  });

  it('refuses an inbound path an inbound hook or another automation answers (409), and allows another method', async () => {
    const integration = (await t.call(acme.keys.editor, { method: 'POST', url: '/v1/integrations', payload: { name: 'Senders', sourceSystemKey: 'senders-automations' } })).json().id;
    const hook = await t.call(acme.keys.editor, { method: 'POST', url: `/v1/integrations/${integration}/hooks`, payload: { name: 'in', type: 'inbound', path: 'orders/paid', method: 'POST', code: 'async function run() {}' } });
    expect(hook.statusCode).toBe(201);
    const inbound = (path: string, method?: string) => manual('inbound', { trigger: { type: 'inbound', path, ...(method && { method }) } });
    const onHook = await create(inbound('orders/paid'));
    expect(onHook.statusCode).toBe(409);
    expect(onHook.json().error.details).toEqual([expect.objectContaining({ path: 'body/trigger/path' })]);
    expect((await create(inbound('orders/paid', 'PUT'))).statusCode).toBe(201);
    const mine = (await create(inbound('orders/shipped'))).json().id;
    expect((await create(inbound('orders/shipped', 'POST'))).statusCode).toBe(409);
    // Saving an automation again on its own path is no conflict; another organisation has its own paths.
    expect((await t.call(acme.keys.editor, { method: 'PUT', url: `/v1/automations/${mine}`, payload: inbound('orders/shipped') })).statusCode).toBe(200);
    expect((await create(inbound('orders/shipped'), globex.keys.editor)).statusCode).toBe(201);
    // Nor may an inbound hook take an automation's path.
    const onAutomation = await t.call(acme.keys.editor, { method: 'POST', url: `/v1/integrations/${integration}/hooks`, payload: { name: 'late', type: 'inbound', path: 'orders/shipped', code: 'async function run() {}' } });
    expect(onAutomation.statusCode).toBe(409);
    expect(onAutomation.json().error.details).toEqual([expect.objectContaining({ path: 'body/path' })]);
  });

  it('keeps the verification secret write-only: required, never answered, kept when a change leaves it out', async () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const body = (verify: Record<string, unknown>) => manual('signed', { trigger: { type: 'inbound', path: 'signed/secret', verify } });
    const missing = await create(body({ scheme: 'standard-webhooks' }));
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.details).toEqual([expect.objectContaining({ path: 'body/trigger/verify/secret' })]);
    const created = await create(body({ scheme: 'standard-webhooks', secret }));
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;
    expect(created.json().trigger).toEqual({ type: 'inbound', path: 'signed/secret', verify: { scheme: 'standard-webhooks' } });
    const patched = await t.call(acme.keys.editor, { method: 'PATCH', url: `/v1/automations/${id}`, payload: { name: 'signed still' } });
    expect(patched.statusCode, patched.body).toBe(200);
    const replaced = await t.call(acme.keys.editor, { method: 'PUT', url: `/v1/automations/${id}`, payload: body({ scheme: 'standard-webhooks' }) });
    expect(replaced.statusCode, replaced.body).toBe(200);
    const answers = [created.body, patched.body, replaced.body, (await get(id)).body, (await t.call(acme.keys.viewer, { method: 'GET', url: '/v1/automations?limit=500' })).body];
    for (const answer of answers) expect(answer).not.toContain(secret.slice(6));
    const row = await t.store.db.selectFrom('automations').select(['definition', 'verify_secret']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.definition).not.toContain(secret.slice(6));
    expect(row.verify_secret).toBeTruthy();
    expect(row.verify_secret).not.toContain(secret.slice(6));
  });

  it("lists an automation's executions newest first, by status and trigger, a page at a time", async () => {
    const id = (await create(manual('listed', { conditions: { field: 'trigger.body.go', op: 'eq', value: true } }))).json().id;
    const test = (fixture: unknown) => t.call(acme.keys.editor, { method: 'POST', url: `/v1/automations/${id}/test`, payload: fixture as Record<string, unknown> });
    const ran = (await test({ trigger: { body: { go: true, name: 'Ada' } } })).json();
    const skipped = (await test({ trigger: { body: { go: false } } })).json();
    const third = (await test({ trigger: { body: { go: true, name: 'Grace' } } })).json();
    expect([ran.status, skipped.status, third.status]).toEqual(['completed', 'skipped', 'completed']);
    const list = (query = '') => t.call(acme.keys.viewer, { method: 'GET', url: `/v1/automations/${id}/executions${query}` });
    expect((await list()).json().items.map((e: { id: string }) => e.id)).toEqual([third.id, skipped.id, ran.id]);
    expect((await list('?status=skipped')).json().items.map((e: { id: string }) => e.id)).toEqual([skipped.id]);
    const first = (await list('?limit=2')).json();
    expect(first.items).toHaveLength(2);
    expect((await list(`?limit=2&cursor=${first.nextCursor}`)).json().items.map((e: { id: string }) => e.id)).toEqual([ran.id]);
    expect((await list('?status=sideways')).statusCode).toBe(400);
    const manualRun = await t.call(acme.keys.editor, { method: 'POST', url: `/v1/automations/${id}/run`, payload: { go: true } });
    expect(manualRun.statusCode).toBe(202);
    expect((await list('?trigger=manual')).json().items.map((e: { id: string }) => e.id)).toEqual([manualRun.json().executionId]);
    expect((await list('?trigger=test&status=completed')).json().items.map((e: { id: string }) => e.id)).toEqual([third.id, ran.id]);
    expect((await list('?trigger=sideways')).statusCode).toBe(400);
    expect(first.items[0]).toMatchObject({ automationId: id, hookId: null, trigger: 'test', dryRun: true });
    const retried = await t.call(acme.keys.editor, { method: 'POST', url: `/v1/executions/${ran.id}/retry` });
    expect(retried.statusCode).toBe(409);
    expect(retried.json().error.message).toMatch(/run the automation again/);
  });

  it('answers the next run times of a schedule, and 400 for other triggers or a bad count', async () => {
    const card = { kind: 'recurring', start: '2026-01-05T09:00', timeZone: 'Europe/Amsterdam', every: { n: 1, unit: 'days' } };
    const scheduled = (await create(manual('daily', { trigger: { type: 'schedule', schedule: card } }))).json().id;
    const res = await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/automations/${scheduled}/schedule?count=3` });
    expect(res.statusCode, res.body).toBe(200);
    const runs: string[] = res.json().runs;
    expect(runs).toHaveLength(3);
    for (const run of runs) expect(run).toMatch(/^\d{4}-\d{2}-\d{2}T09:00:00\+0[12]:00$/);
    expect(runs.map((r) => Date.parse(r))).toEqual([...runs.map((r) => Date.parse(r))].sort((a, b) => a - b));
    expect(Date.parse(runs[0]!)).toBeGreaterThan(Date.now());
    const other = (await create(manual('by hand'))).json().id;
    expect((await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/automations/${other}/schedule` })).statusCode).toBe(400);
    for (const count of ['0', '101', 'two']) {
      const bad = await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/automations/${scheduled}/schedule?count=${count}` });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.details[0].path).toBe('query/count');
    }
  });
});

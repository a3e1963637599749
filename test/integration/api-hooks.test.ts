import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEntity, findEntity } from '../../src/store/entities.js';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { waitFor } from '../helpers/jobs.js';
import { describeEachEngine } from '../helpers/stores.js';

const ada = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@acme.test' };

describeEachEngine('API pre-hooks and post-hooks', (engine) => {
  let t: TestApp;
  let orgs = 0;

  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => t?.dispose());

  /** A fresh organisation with one integration, so each test has its own hooks. */
  async function tenant() {
    const tenant: TestTenant = await t.tenant(`api-hooks-${++orgs}`);
    const key = tenant.keys.editor;
    const integrationId = (await t.call(key, { method: 'POST', url: '/v1/integrations', payload: { name: 'Gate', sourceSystemKey: 'gate' } })).json().id;
    return {
      tenant,
      async hook(type: 'pre' | 'post', operations: string[], code: string, settings: Record<string, unknown> = {}): Promise<string> {
        const res = await t.call(key, {
          method: 'POST',
          url: `/v1/integrations/${integrationId}/hooks`,
          payload: { name: `${type}-${operations.join('-')}-${Math.random().toString(36).slice(2, 6)}`, type, entityType: 'employee', operations, code, ...settings },
        });
        expect(res.statusCode).toBe(201);
        return res.json().id;
      },
      call: (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Record<string, unknown>) =>
        t.call(key, { method, url, ...(payload && { payload }) }),
      async executions(hookId: string): Promise<Array<{ status: string; trigger: string; logs: Array<{ level: string; message: string; data?: unknown }>; error?: { message: string; limit?: string } }>> {
        return (await t.call(key, { method: 'GET', url: `/v1/hooks/${hookId}/executions` })).json().items;
      },
      async count(): Promise<{ entities: number; events: number }> {
        const db = t.store.db;
        const entities = await db.selectFrom('entities').select('id').where('org_id', '=', tenant.org.id).execute();
        const events = await db.selectFrom('events').select('id').where('org_id', '=', tenant.org.id).execute();
        return { entities: entities.length, events: events.length };
      },
    };
  }

  it('stops a create when a pre-hook rejects it, and writes nothing', async () => {
    const o = await tenant();
    const hookId = await o.hook('pre', ['create'], `async function run(ctx) {
      if (ctx.request.message.firstName === 'Bob') return { status: 422, message: 'Bob may not be hired' };
      return { status: 200 };
    }`);
    const res = await o.call('POST', '/v1/entities/employee', { ...ada, firstName: 'Bob' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({ error: { code: 'HY_UNPROCESSABLE', message: 'Bob may not be hired' } });
    expect(await o.count()).toEqual({ entities: 0, events: 0 });
    expect((await o.call('POST', '/v1/entities/employee', ada)).statusCode).toBe(201);
    await waitFor(async () => (await o.executions(hookId)).length === 2);
    expect((await o.executions(hookId)).map((e) => [e.status, e.trigger])).toEqual([
      ['completed', 'api'],
      ['completed', 'api'],
    ]);
    // Each execution ends with the verdict: what the hook returned and whether the call went on.
    expect((await o.executions(hookId)).map((e) => e.logs.at(-1))).toEqual([
      expect.objectContaining({ level: 'info', message: 'verdict: go on (200)', data: { proceeded: true, status: 200, messageOverride: false } }),
      expect.objectContaining({
        level: 'info',
        message: 'verdict: stop the call with 422: Bob may not be hired',
        data: { proceeded: false, status: 422, message: 'Bob may not be hired' },
      }),
    ]);
  });

  it('stores the message a pre-hook puts in messageOverride, after the hooks run in their order', async () => {
    const o = await tenant();
    const append = (mark: string) => `async function run(ctx) {
      const m = ctx.request.message;
      return { status: 200, messageOverride: { ...m, lastName: m.lastName + '-${mark}' } };
    }`;
    await o.hook('pre', ['create', 'update'], append('second'), { order: 2 });
    await o.hook('pre', ['create'], append('first'), { order: 1 });
    await o.hook('pre', ['create'], append('third'), { order: 2 });
    const created = await o.call('POST', '/v1/entities/employee', ada);
    expect(created.statusCode).toBe(201);
    expect(created.json().lastName).toBe('Lovelace-first-second-third');
    const stored = await findEntity(t.store.db, o.tenant.org.id, 'employee', created.json().id);
    expect(stored?.lastName).toBe('Lovelace-first-second-third');
  });

  it('shows the caller the responseOverride of a post-hook, and leaves what is stored alone', async () => {
    const o = await tenant();
    await o.hook('post', ['get'], `async function run(ctx) {
      if (ctx.response.status !== 200) return;
      return { responseOverride: { ...ctx.response.body, email: '[hidden]', seenBy: ctx.params.name } };
    }`, { params: { name: 'privacy' } });
    const id = (await o.call('POST', '/v1/entities/employee', ada)).json().id;
    const res = await o.call('GET', `/v1/entities/employee/${id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, email: '[hidden]', seenBy: 'privacy' });
    expect((await findEntity(t.store.db, o.tenant.org.id, 'employee', id))?.email).toBe(ada.email);
    // A post-hook sees error answers too, and may change their status.
    expect((await o.call('GET', '/v1/entities/employee/nope')).statusCode).toBe(404);
  });

  it('gives hooks the request and the response as docs/hooks.md describes them', async () => {
    const o = await tenant();
    await o.hook('pre', ['update', 'list'], `async function run(ctx) { return { status: 200 }; }`);
    await o.hook('post', ['update', 'list'], `async function run(ctx) {
      return { status: 299, responseOverride: { request: ctx.request, response: ctx.response } };
    }`);
    const created = (await o.call('POST', '/v1/entities/employee', ada)).json();
    const res = await o.call('PATCH', `/v1/entities/employee/${created.id}`, { lastName: 'Byron' });
    expect(res.statusCode).toBe(299);
    const { request, response } = res.json();
    expect(request).toEqual({ operation: 'update', entityType: 'employee', entityId: created.id, message: { lastName: 'Byron' } });
    expect(response).toMatchObject({ status: 200, body: { id: created.id, lastName: 'Byron', version: 2 } });
    const list = (await o.call('GET', '/v1/entities/employee?limit=5')).json();
    expect(list.request).toEqual({ operation: 'list', entityType: 'employee', message: { limit: '5' } });
    expect(list.response.body.items).toHaveLength(1);
  });

  it('answers 502 and writes nothing when a pre-hook throws, unless it says onError: continue', async () => {
    const o = await tenant();
    const failing = await o.hook('pre', ['create'], `async function run(ctx) { throw new Error('policy service down'); }`);
    const res = await o.call('POST', '/v1/entities/employee', ada);
    expect(res.statusCode).toBe(502);
    expect(res.json().error).toMatchObject({ code: 'HY_BAD_GATEWAY', message: expect.stringMatching(/policy service down/) });
    expect(await o.count()).toEqual({ entities: 0, events: 0 });
    await waitFor(async () => (await o.executions(failing)).length === 1);
    expect((await o.executions(failing))[0]).toMatchObject({ status: 'failed', trigger: 'api', error: { message: expect.stringMatching(/policy service down/) } });

    expect((await o.executions(failing))[0]!.logs.at(-1)).toMatchObject({ message: 'verdict: the hook failed; the call was stopped with 502', data: { proceeded: false, status: 502 } });

    const other = await tenant();
    const optional = await other.hook('pre', ['create'], `async function run(ctx) { throw new Error('optional check down'); }`, { onError: 'continue' });
    expect((await other.call('POST', '/v1/entities/employee', ada)).statusCode).toBe(201);
    await waitFor(async () => (await other.executions(optional)).length === 1);
    expect((await other.executions(optional))[0]!.logs.at(-1)).toMatchObject({ data: { proceeded: true } });
  });

  it('answers 502 when a pre-hook returns a status that is not a final answer (1xx, or no HTTP status), unless onError: continue', async () => {
    for (const status of [100, 101, 0, 600, 250.5]) {
      const o = await tenant();
      const hookId = await o.hook('pre', ['create'], `async function run(ctx) { return { status: ${status} }; }`);
      const res = await o.call('POST', '/v1/entities/employee', ada);
      expect(res.statusCode, String(status)).toBe(502);
      expect(res.json().error.message).toMatch(/status must be an integer HTTP status from 200 to 599; this one returned/);
      expect(await o.count()).toEqual({ entities: 0, events: 0 });
      await waitFor(async () => (await o.executions(hookId)).length === 1);
      expect((await o.executions(hookId))[0]).toMatchObject({ status: 'failed', error: { message: expect.stringMatching(/from 200 to 599/) } });
    }
    const lenient = await tenant();
    await lenient.hook('pre', ['create'], 'async function run(ctx) { return { status: 101 }; }', { onError: 'continue' });
    expect((await lenient.call('POST', '/v1/entities/employee', ada)).statusCode).toBe(201);
  });

  it('sends the original response when a post-hook overrides it with a 1xx status', async () => {
    const o = await tenant();
    await o.hook('post', ['create'], 'async function run(ctx) { return { status: 100, responseOverride: { hijacked: true } }; }');
    const res = await o.call('POST', '/v1/entities/employee', ada);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject(ada);
  });

  it('answers 502 when a slow pre-hook reaches its 2 s limit', async () => {
    const o = await tenant();
    const slow = await o.hook('pre', ['create'], `async function run(ctx) {
      await new Promise((resolve) => setTimeout(resolve, 5000));
      return { status: 200 };
    }`);
    const res = await o.call('POST', '/v1/entities/employee', ada);
    expect(res.statusCode).toBe(502);
    expect(res.json().error.message).toMatch(/timed out/);
    expect(await o.count()).toEqual({ entities: 0, events: 0 });
    await waitFor(async () => (await o.executions(slow)).length === 1);
    expect((await o.executions(slow))[0]).toMatchObject({ status: 'timed_out', error: { limit: 'timeMs' } });
  });

  it('sends the original response when a post-hook fails or returns something else', async () => {
    const o = await tenant();
    const broken = await o.hook('post', ['create'], `async function run(ctx) { throw new Error('audit log down'); }`);
    const odd = await o.hook('post', ['create'], `async function run(ctx) { return 42; }`);
    const res = await o.call('POST', '/v1/entities/employee', ada);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject(ada);
    expect(res.headers.etag).toBe('"1"');
    await waitFor(async () => (await o.executions(broken)).length === 1 && (await o.executions(odd)).length === 1);
    expect((await o.executions(odd))[0]).toMatchObject({ status: 'failed', error: { message: expect.stringMatching(/returned 42/) } });
  });

  it('dry-runs pre and post hooks against a request fixture, writing nothing', async () => {
    const o = await tenant();
    const pre = await o.hook('pre', ['create'], `async function run(ctx) { return { status: 409, message: 'dup ' + ctx.request.message.email }; }`);
    const post = await o.hook('post', ['get'], `async function run(ctx) { return { responseOverride: { wrapped: ctx.response } }; }`);
    const preRun = await o.call('POST', `/v1/hooks/${pre}/test`, { request: { operation: 'create', entityType: 'employee', message: ada } });
    expect(preRun.json()).toMatchObject({ status: 'completed', trigger: 'test', dryRun: true });
    expect(preRun.json().logs.at(-1).data).toEqual({ status: 409, message: 'dup ada@acme.test' });
    const postRun = await o.call('POST', `/v1/hooks/${post}/test`, { request: { message: { id: 'x' }, response: { status: 404, body: null } } });
    expect(postRun.json().logs.at(-1).data).toEqual({ responseOverride: { wrapped: { status: 404, body: null } } });
    expect(await o.count()).toEqual({ entities: 0, events: 0 });
  });

  it('runs no hooks for writes made by syncs, nor for operations a hook did not choose', async () => {
    const o = await tenant();
    const gate = await o.hook('pre', ['create', 'delete'], `async function run(ctx) { return { status: 403, message: 'closed' }; }`);
    const synced = await createEntity(t.store.db, { orgId: o.tenant.org.id, type: 'employee', data: ada, source: { kind: 'pull', integrationId: 'x' } });
    expect((await o.call('GET', `/v1/entities/employee/${synced.id}`)).statusCode).toBe(200);
    expect((await o.call('PATCH', `/v1/entities/employee/${synced.id}`, { lastName: 'B' })).statusCode).toBe(200);
    const refused = await o.call('DELETE', `/v1/entities/employee/${synced.id}`);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toBe('closed');
    await waitFor(async () => (await o.executions(gate)).length === 1);
  });
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { describeEachEngine } from '../helpers/stores.js';

const PULL = `async function run(ctx) {
  return { records: [] };
}`;

describeEachEngine('hooks', (engine) => {
  let t: TestApp;
  let acme: TestTenant;
  let globex: TestTenant;
  let integrationId: string;

  beforeAll(async () => {
    t = await createTestApp(engine);
    acme = await t.tenant('acme');
    globex = await t.tenant('globex');
    integrationId = (await t.call(acme.keys.editor, { method: 'POST', url: '/v1/integrations', payload: { name: 'HR', sourceSystemKey: 'hr' } })).json().id;
  });
  afterAll(async () => t?.dispose());

  const create = (payload: Record<string, unknown>, key = acme.keys.editor) =>
    t.call(key, { method: 'POST', url: `/v1/integrations/${integrationId}/hooks`, payload });

  it('creates a pull hook with a schedule and fills the type defaults', async () => {
    const res = await create({ name: 'people', type: 'pull', entityType: 'employee', code: PULL, schedule: { interval: '6h', preferredHour: 2 } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      integrationId,
      name: 'people',
      type: 'pull',
      entityType: 'employee',
      runtime: 'code',
      code: PULL,
      enabled: true,
      schedule: { interval: '6h', preferredHour: 2 },
      version: 1,
    });
    const push = (await create({ name: 'notify', type: 'push', entityType: 'employee', code: PULL })).json();
    expect(push).toMatchObject({ changeTypes: ['create', 'update', 'delete'], retry: { attempts: 3 } });
  });

  it('refuses code with a syntax error, naming its line and column', async () => {
    const res = await create({ name: 'broken', type: 'pull', entityType: 'employee', code: 'async function run(ctx) {\n  return {\n}' });
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.message).toMatch(/line \d+, column \d+/);
    expect(error.details).toEqual([{ path: 'body/code', message: error.message, line: expect.any(Number), column: expect.any(Number) }]);
    expect(error.message).toMatch(/^body\/code does not compile: SyntaxError: /);
  });

  it('accepts TypeScript when the language says so', async () => {
    const ts = 'async function run(ctx: { meta?: unknown }): Promise<{ records: unknown[] }> {\n  return { records: [] };\n}';
    expect((await create({ name: 'ts', type: 'pull', entityType: 'employee', code: ts })).statusCode).toBe(400);
    expect((await create({ name: 'ts', type: 'pull', entityType: 'employee', code: ts, language: 'typescript' })).statusCode).toBe(201);
  });

  it('refuses settings that do not fit the type, with the field named', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ name: 'x', type: 'pull', code: PULL }, /entityType is required/],
      [{ name: 'x', type: 'pull', entityType: 'employee', code: PULL, operations: ['get'] }, /operations does not apply/],
      [{ name: 'x', type: 'pre', entityType: 'employee', code: PULL }, /operations is required/],
      [{ name: 'x', type: 'pull', entityType: 'employee', code: PULL, schedule: { interval: '2h' } }, /interval/],
      [{ name: 'x', type: 'pull', entityType: 'employee' }, /code is required/],
      [{ name: 'x', type: 'push', entityType: 'employee', runtime: 'remote', remote: { url: 'http://example.test/hook', secret: 'x'.repeat(20) } }, /https/],
      [{ name: 'x', type: 'nope', entityType: 'employee', code: PULL }, /type/],
      [{ name: 'x', type: 'push', entityType: 'employee', runtime: 'remote', remote: { url: 'https://me:pw@example.test/hook', secret: 'x'.repeat(20) } }, /user name or password/],
    ];
    for (const [payload, message] of cases) {
      const res = await create(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.message).toMatch(message);
    }
  });

  it('keeps a remote hook signing secret write-only', async () => {
    const secret = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    const res = await create({ name: 'stack', type: 'push', entityType: 'project', runtime: 'remote', remote: { url: 'https://hooks.example.test/run', secret } });
    expect(res.statusCode).toBe(201);
    expect(res.json().remote).toEqual({ url: 'https://hooks.example.test/run' });
    expect(res.body).not.toContain(secret);
    const read = await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/hooks/${res.json().id}` });
    expect(read.body).not.toContain(secret);
    const row = await t.store.db.selectFrom('hooks').select('remote_secret').where('id', '=', res.json().id).executeTakeFirstOrThrow();
    expect(row.remote_secret).not.toContain(secret);
  });

  it('patches a hook, bumps its version, and clears a setting with null', async () => {
    const hook = (await create({ name: 'p', type: 'pull', entityType: 'vacancy', code: PULL, schedule: { interval: '1h', preferredHour: 0 } })).json();
    const patched = await t.call(acme.keys.editor, { method: 'PATCH', url: `/v1/hooks/${hook.id}`, payload: { enabled: false, schedule: null } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ enabled: false, version: 2, name: 'p' });
    expect(patched.json().schedule).toBeUndefined();
    const bad = await t.call(acme.keys.editor, { method: 'PATCH', url: `/v1/hooks/${hook.id}`, payload: { code: 'function (' } });
    expect(bad.statusCode).toBe(400);
    expect((await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/hooks/${hook.id}` })).json().version).toBe(2);
  });

  it('lists hooks of an integration, and deletes one', async () => {
    const hook = (await create({ name: 'gone', type: 'pull', entityType: 'project', code: PULL })).json();
    const page = (await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/integrations/${integrationId}/hooks?limit=500` })).json();
    expect(page.items.map((h: { id: string }) => h.id)).toContain(hook.id);
    expect((await t.call(acme.keys.editor, { method: 'DELETE', url: `/v1/hooks/${hook.id}` })).statusCode).toBe(204);
    expect((await t.call(acme.keys.editor, { method: 'GET', url: `/v1/hooks/${hook.id}` })).statusCode).toBe(404);
  });

  it('lets viewers read but not write hooks', async () => {
    expect((await create({ name: 'v', type: 'pull', entityType: 'employee', code: PULL }, acme.keys.viewer)).statusCode).toBe(403);
  });

  it("answers 404 for another organisation's hooks and integrations", async () => {
    const hook = (await create({ name: 'mine', type: 'pull', entityType: 'employee', code: PULL })).json();
    const key = globex.keys.admin;
    for (const call of [
      { method: 'GET', url: `/v1/hooks/${hook.id}` },
      { method: 'PATCH', url: `/v1/hooks/${hook.id}`, payload: { name: 'stolen' } },
      { method: 'DELETE', url: `/v1/hooks/${hook.id}` },
      { method: 'GET', url: `/v1/hooks/${hook.id}/executions` },
      { method: 'GET', url: `/v1/integrations/${integrationId}/hooks` },
      { method: 'POST', url: `/v1/integrations/${integrationId}/hooks`, payload: { name: 'x', type: 'pull', entityType: 'employee', code: PULL } },
    ] as const) {
      expect((await t.call(key, call)).statusCode, `${call.method} ${call.url}`).toBe(404);
    }
    expect((await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/hooks/${hook.id}` })).json().name).toBe('mine');
  });
});

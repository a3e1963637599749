import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { describeEachEngine } from '../helpers/stores.js';

describeEachEngine('API keys and authentication', (engine) => {
  let t: TestApp;
  let acme: TestTenant;
  let globex: TestTenant;

  beforeAll(async () => {
    t = await createTestApp(engine);
    acme = await t.tenant('acme');
    globex = await t.tenant('globex');
  });
  afterAll(async () => t?.dispose());

  it('creates a key that is shown once and works at once', async () => {
    const created = await t.call(acme.keys.admin, { method: 'POST', url: '/v1/api-keys', payload: { role: 'viewer', name: 'ci' } });
    expect(created.statusCode).toBe(201);
    const body = created.json();
    expect(body.key).toMatch(/^hyk_[A-Za-z0-9_-]{32,}$/);
    expect(body.prefix).toBe(body.key.slice(0, 10));

    const listed = await t.call(body.key, { method: 'GET', url: '/v1/api-keys' });
    expect(listed.statusCode).toBe(403);

    const asAdmin = await t.call(acme.keys.admin, { method: 'GET', url: `/v1/api-keys/${body.id}` });
    expect(asAdmin.json()).toMatchObject({ id: body.id, role: 'viewer', name: 'ci' });
    expect(JSON.stringify(asAdmin.json())).not.toContain(body.key);
  });

  it('records when a key was last used', async () => {
    const { key, id } = (await t.call(acme.keys.admin, { method: 'POST', url: '/v1/api-keys', payload: { role: 'viewer' } })).json();
    expect((await t.call(acme.keys.admin, { method: 'GET', url: `/v1/api-keys/${id}` })).json().lastUsedAt).toBeNull();
    const before = Date.now();
    await t.call(key, { method: 'GET', url: '/v1/integrations' });
    const { lastUsedAt } = (await t.call(acme.keys.admin, { method: 'GET', url: `/v1/api-keys/${id}` })).json();
    expect(Date.parse(lastUsedAt)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('answers 401 without a key, with a malformed header and with an unknown key', async () => {
    for (const headers of [{}, { authorization: 'Basic abc' }, { authorization: 'Bearer hyk_' + 'x'.repeat(43) }]) {
      const res = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('HY_UNAUTHORIZED');
    }
  });

  it('answers 401 for a revoked key', async () => {
    const { key, id } = (await t.call(acme.keys.admin, { method: 'POST', url: '/v1/api-keys', payload: { role: 'admin' } })).json();
    expect((await t.call(key, { method: 'GET', url: '/v1/api-keys' })).statusCode).toBe(200);
    expect((await t.call(acme.keys.admin, { method: 'DELETE', url: `/v1/api-keys/${id}` })).statusCode).toBe(204);
    const after = await t.call(key, { method: 'GET', url: '/v1/api-keys' });
    expect(after.statusCode).toBe(401);
  });

  it('lets editors and viewers not manage keys', async () => {
    for (const key of [acme.keys.editor, acme.keys.viewer]) {
      expect((await t.call(key, { method: 'POST', url: '/v1/api-keys', payload: { role: 'admin' } })).statusCode).toBe(403);
    }
  });

  it('hides one organisation\'s keys from another', async () => {
    const { id } = (await t.call(acme.keys.admin, { method: 'POST', url: '/v1/api-keys', payload: { role: 'viewer' } })).json();
    expect((await t.call(globex.keys.admin, { method: 'GET', url: `/v1/api-keys/${id}` })).statusCode).toBe(404);
    expect((await t.call(globex.keys.admin, { method: 'DELETE', url: `/v1/api-keys/${id}` })).statusCode).toBe(404);
    const page = (await t.call(globex.keys.admin, { method: 'GET', url: '/v1/api-keys?limit=500' })).json();
    expect(page.items.map((k: { id: string }) => k.id)).not.toContain(id);
  });

  it('pages through keys with a cursor', async () => {
    const first = (await t.call(acme.keys.admin, { method: 'GET', url: '/v1/api-keys?limit=2' })).json();
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await t.call(acme.keys.admin, { method: 'GET', url: `/v1/api-keys?limit=2&cursor=${first.nextCursor}` })).json();
    expect(second.items[0].id).not.toBe(first.items[0].id);
    expect(second.items[0].id).not.toBe(first.items[1].id);
  });
});


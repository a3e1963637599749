import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { describeEachEngine } from '../helpers/stores.js';

describeEachEngine('integrations and secrets', (engine) => {
  let t: TestApp;
  let acme: TestTenant;
  let globex: TestTenant;
  const SECRET = 'tok-4f9a-very-secret-value';

  beforeAll(async () => {
    t = await createTestApp(engine);
    acme = await t.tenant('acme');
    globex = await t.tenant('globex');
  });
  afterAll(async () => t?.dispose());

  async function newIntegration(key = acme.keys.editor, sourceSystemKey = `hr-${Math.random().toString(36).slice(2, 8)}`) {
    const res = await t.call(key, { method: 'POST', url: '/v1/integrations', payload: { name: 'In-house HR', sourceSystemKey } });
    expect(res.statusCode).toBe(201);
    return res.json() as { id: string; sourceSystemKey: string };
  }

  it('creates, reads, lists, renames and deletes an integration', async () => {
    const created = await newIntegration();
    expect((await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/integrations/${created.id}` })).json()).toMatchObject({ name: 'In-house HR', description: '' });
    const patched = await t.call(acme.keys.editor, { method: 'PATCH', url: `/v1/integrations/${created.id}`, payload: { description: 'People from the HR system' } });
    expect(patched.json()).toMatchObject({ name: 'In-house HR', description: 'People from the HR system', sourceSystemKey: created.sourceSystemKey });
    const listed = (await t.call(acme.keys.viewer, { method: 'GET', url: '/v1/integrations?limit=500' })).json();
    expect(listed.items.map((i: { id: string }) => i.id)).toContain(created.id);
    expect((await t.call(acme.keys.editor, { method: 'DELETE', url: `/v1/integrations/${created.id}` })).statusCode).toBe(204);
    expect((await t.call(acme.keys.editor, { method: 'GET', url: `/v1/integrations/${created.id}` })).statusCode).toBe(404);
  });

  it('refuses a second integration with the same source system key, and a malformed key', async () => {
    await newIntegration(acme.keys.editor, 'workday');
    const again = await t.call(acme.keys.editor, { method: 'POST', url: '/v1/integrations', payload: { name: 'x', sourceSystemKey: 'workday' } });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toContain('workday');
    // Another organisation may use the same key.
    await newIntegration(globex.keys.editor, 'workday');
    const bad = await t.call(acme.keys.editor, { method: 'POST', url: '/v1/integrations', payload: { name: 'x', sourceSystemKey: 'Work Day' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('sourceSystemKey');
  });

  it('stores secrets encrypted and never returns their values', async () => {
    const { id } = await newIntegration();
    const put = await t.call(acme.keys.admin, { method: 'PUT', url: `/v1/integrations/${id}/secrets/token`, payload: { value: SECRET } });
    expect(put.statusCode).toBe(201);
    expect(put.body).not.toContain(SECRET);
    const replaced = await t.call(acme.keys.admin, { method: 'PUT', url: `/v1/integrations/${id}/secrets/token`, payload: { value: SECRET + '2' } });
    expect(replaced.statusCode).toBe(200);

    const list = await t.call(acme.keys.editor, { method: 'GET', url: `/v1/integrations/${id}/secrets` });
    expect(list.json().items).toEqual([{ name: 'token', createdAt: expect.any(String), updatedAt: expect.any(String) }]);
    expect(list.body).not.toContain(SECRET);

    const row = await t.store.db.selectFrom('secrets').select('ciphertext').where('integration_id', '=', id).executeTakeFirstOrThrow();
    expect(row.ciphertext).not.toContain(SECRET);
    expect(Buffer.from(row.ciphertext.slice(3), 'base64').toString('latin1')).not.toContain(SECRET);

    expect((await t.call(acme.keys.admin, { method: 'DELETE', url: `/v1/integrations/${id}/secrets/token` })).statusCode).toBe(204);
    expect((await t.call(acme.keys.admin, { method: 'DELETE', url: `/v1/integrations/${id}/secrets/token` })).statusCode).toBe(404);
  });

  it('lets only admins write secrets, and viewers not list them', async () => {
    const { id } = await newIntegration();
    const put = await t.call(acme.keys.editor, { method: 'PUT', url: `/v1/integrations/${id}/secrets/token`, payload: { value: SECRET } });
    expect(put.statusCode).toBe(403);
    expect((await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/integrations/${id}/secrets` })).statusCode).toBe(403);
    const badName = await t.call(acme.keys.admin, { method: 'PUT', url: `/v1/integrations/${id}/secrets/not-an-identifier`, payload: { value: 'x' } });
    expect(badName.statusCode).toBe(400);
  });

  it("answers 404 for another organisation's integration on every route", async () => {
    const { id } = await newIntegration();
    await t.call(acme.keys.admin, { method: 'PUT', url: `/v1/integrations/${id}/secrets/token`, payload: { value: SECRET } });
    const key = globex.keys.admin;
    const calls = [
      { method: 'GET', url: `/v1/integrations/${id}` },
      { method: 'PATCH', url: `/v1/integrations/${id}`, payload: { name: 'stolen' } },
      { method: 'DELETE', url: `/v1/integrations/${id}` },
      { method: 'GET', url: `/v1/integrations/${id}/secrets` },
      { method: 'PUT', url: `/v1/integrations/${id}/secrets/token`, payload: { value: 'overwrite' } },
      { method: 'DELETE', url: `/v1/integrations/${id}/secrets/token` },
    ] as const;
    for (const call of calls) {
      const res = await t.call(key, call);
      expect(res.statusCode, `${call.method} ${call.url}`).toBe(404);
    }
    const list = (await t.call(key, { method: 'GET', url: '/v1/integrations?limit=500' })).json();
    expect(list.items.map((i: { id: string }) => i.id)).not.toContain(id);
    expect((await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/integrations/${id}` })).json().name).toBe('In-house HR');
  });
});

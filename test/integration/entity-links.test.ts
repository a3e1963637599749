import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEntity } from '../../src/store/entities.js';
import { insertLinks } from '../../src/store/external-links.js';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { describeEachEngine } from '../helpers/stores.js';

describeEachEngine('entity links in the API', (engine) => {
  let t: TestApp;
  let acme: TestTenant;
  let workday: string;
  const ids: Record<string, string> = {};

  const get = (url: string) => t.call(acme.keys.viewer, { method: 'GET', url });
  const lastNames = async (query: string) => (await get(`/v1/entities/employee?${query}`)).json().items.map((e: { lastName: string }) => e.lastName);

  beforeAll(async () => {
    t = await createTestApp(engine);
    acme = await t.tenant('acme');
    const integration = (key: string) => t.call(acme.keys.editor, { method: 'POST', url: '/v1/integrations', payload: { name: key, sourceSystemKey: key } });
    workday = (await integration('workday')).json().id;
    // A deleted integration leaves its links: they then name no integration.
    const gone = (await integration('legacy')).json().id;
    const source = { kind: 'pull', integrationId: workday } as const;
    for (const name of ['Hopper', 'Lovelace', 'Turing']) {
      ids[name] = (await createEntity(t.store.db, { orgId: acme.org.id, type: 'employee', source, data: { firstName: 'A', lastName: name, email: 'a@x.test' } })).id;
    }
    await insertLinks(t.store.db, { orgId: acme.org.id, sourceSystemKey: 'workday' }, [
      { entityType: 'employee', externalId: 'W-1', entityId: ids.Hopper!, fingerprint: 'f' },
      { entityType: 'employee', externalId: 'W-2', entityId: ids.Lovelace!, fingerprint: 'f' },
    ]);
    await insertLinks(t.store.db, { orgId: acme.org.id, sourceSystemKey: 'legacy' }, [{ entityType: 'employee', externalId: 'W-1', entityId: ids.Lovelace!, fingerprint: 'f' }]);
    expect((await t.call(acme.keys.editor, { method: 'DELETE', url: `/v1/integrations/${gone}` })).statusCode).toBe(204);
  });
  afterAll(async () => t?.dispose());

  it('shows where an entity came from on get, list, patch and create', async () => {
    const lovelace = [
      { sourceSystemKey: 'legacy', externalId: 'W-1', integrationId: null },
      { sourceSystemKey: 'workday', externalId: 'W-2', integrationId: workday },
    ];
    expect((await get(`/v1/entities/employee/${ids.Lovelace}`)).json().links).toEqual(lovelace);
    const listed = (await get('/v1/entities/employee')).json().items;
    expect(listed.map((e: { lastName: string; links: unknown[] }) => [e.lastName, e.links.length])).toEqual([
      ['Hopper', 1],
      ['Lovelace', 2],
      ['Turing', 0],
    ]);
    const patched = await t.call(acme.keys.editor, { method: 'PATCH', url: `/v1/entities/employee/${ids.Lovelace}`, payload: { jobRole: 'Analyst' } });
    expect(patched.json().links).toEqual(lovelace);
    const created = await t.call(acme.keys.editor, { method: 'POST', url: '/v1/entities/employee', payload: { firstName: 'B', lastName: 'Noether', email: 'b@x.test' } });
    expect(created.json().links).toEqual([]);
    expect((await t.call(acme.keys.editor, { method: 'DELETE', url: `/v1/entities/employee/${created.json().id}` })).statusCode).toBe(204);
  });

  it('filters the list by sourceSystemKey, externalId or both, with other filters and pages', async () => {
    expect(await lastNames('sourceSystemKey=workday')).toEqual(['Hopper', 'Lovelace']);
    expect(await lastNames('sourceSystemKey=workday&externalId=W-2')).toEqual(['Lovelace']);
    expect(await lastNames('externalId=W-1')).toEqual(['Hopper', 'Lovelace']);
    expect(await lastNames('sourceSystemKey=workday&externalId=W-9')).toEqual([]);
    expect(await lastNames('sourceSystemKey=workday&lastName=Hopper')).toEqual(['Hopper']);
    const first = (await get('/v1/entities/employee?externalId=W-1&limit=1')).json();
    expect(first.items.map((e: { lastName: string }) => e.lastName)).toEqual(['Hopper']);
    expect(await lastNames(`externalId=W-1&limit=1&cursor=${first.nextCursor}`)).toEqual(['Lovelace']);
    // Links of another entity type do not match.
    expect((await get('/v1/entities/contractor?sourceSystemKey=workday')).json().items).toEqual([]);
  });

  it("never shows or finds another organisation's links", async () => {
    const globex = await t.tenant('globex');
    const res = await t.call(globex.keys.viewer, { method: 'GET', url: '/v1/entities/employee?sourceSystemKey=workday' });
    expect(res.json().items).toEqual([]);
  });
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { describeEachEngine } from '../helpers/stores.js';

describeEachEngine('custom attributes', (engine) => {
  let t: TestApp;
  let acme: TestTenant;
  let key: string;

  beforeAll(async () => {
    t = await createTestApp(engine);
    acme = await t.tenant('acme');
    key = acme.keys.editor;
  });
  afterAll(async () => t?.dispose());

  const define = (payload: Record<string, unknown>) => t.call(key, { method: 'POST', url: '/v1/custom-attributes', payload });
  const ada = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@acme.test' };

  it('round-trips a definition and a value on an entity, and refuses a value it does not allow', async () => {
    const res = await define({ entityType: 'employee', key: 'level', label: 'Level', type: 'enum', options: ['junior', 'senior'] });
    expect(res.statusCode).toBe(201);
    const def = res.json();
    expect(def).toMatchObject({ entityType: 'employee', key: 'level', label: 'Level', type: 'enum', options: ['junior', 'senior'] });
    expect((await t.call(key, { method: 'GET', url: `/v1/custom-attributes/${def.id}` })).json()).toEqual(def);

    const created = await t.call(key, { method: 'POST', url: '/v1/entities/employee', payload: { ...ada, customAttributes: { level: 'senior' } } });
    expect(created.statusCode).toBe(201);
    const employee = created.json();
    expect(employee.customAttributes).toEqual({ level: 'senior' });
    expect((await t.call(key, { method: 'GET', url: `/v1/entities/employee/${employee.id}` })).json().customAttributes).toEqual({ level: 'senior' });

    const bad = await t.call(key, { method: 'PATCH', url: `/v1/entities/employee/${employee.id}`, payload: { customAttributes: { level: 'lead' } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toBe('body/customAttributes/level must be one of junior, senior');
    expect((await t.call(key, { method: 'GET', url: `/v1/entities/employee/${employee.id}` })).json()).toEqual(employee);

    const undefinedKey = await t.call(key, { method: 'POST', url: '/v1/entities/employee', payload: { ...ada, customAttributes: { shoeSize: 44 } } });
    expect(undefinedKey.statusCode).toBe(400);
    expect(undefinedKey.json().error.message).toBe('body/customAttributes/shoeSize has no custom attribute definition');

    const widened = await t.call(key, { method: 'PATCH', url: `/v1/custom-attributes/${def.id}`, payload: { label: 'Seniority', options: ['junior', 'senior', 'lead'] } });
    expect(widened.json()).toMatchObject({ label: 'Seniority', options: ['junior', 'senior', 'lead'] });
    const promoted = await t.call(key, { method: 'PATCH', url: `/v1/entities/employee/${employee.id}`, payload: { customAttributes: { level: 'lead' } } });
    expect(promoted.json().customAttributes).toEqual({ level: 'lead' });
    const cleared = await t.call(key, { method: 'PATCH', url: `/v1/entities/employee/${employee.id}`, payload: { customAttributes: { level: null } } });
    expect(cleared.json().customAttributes).toEqual({});
  });

  it('checks each attribute type', async () => {
    for (const [k, type] of [['nickname', 'string'], ['shoeSize', 'number'], ['remote', 'boolean'], ['anniversary', 'date']] as const) {
      expect((await define({ entityType: 'contractor', key: k, label: k, type })).statusCode).toBe(201);
    }
    const values = { nickname: 'Bobby', shoeSize: 44, remote: false, anniversary: '2020-02-29' };
    const ok = await t.call(key, { method: 'POST', url: '/v1/entities/contractor', payload: { name: 'Bob', customAttributes: values } });
    expect(ok.json().customAttributes).toEqual(values);
    const bad = await t.call(key, {
      method: 'POST',
      url: '/v1/entities/contractor',
      payload: { name: 'Bob', customAttributes: { nickname: 1, shoeSize: 'big', remote: 'no', anniversary: '2021-02-29' } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.map((d: { path: string }) => d.path)).toEqual([
      'body/customAttributes/nickname',
      'body/customAttributes/shoeSize',
      'body/customAttributes/remote',
      'body/customAttributes/anniversary',
    ]);
  });

  it('refuses a duplicate key per entity type, but not on another type', async () => {
    expect((await define({ entityType: 'project', key: 'sponsor', label: 'Sponsor', type: 'string' })).statusCode).toBe(201);
    const again = await define({ entityType: 'project', key: 'sponsor', label: 'Sponsor', type: 'string' });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toBe('project already has a custom attribute "sponsor"');
    expect((await define({ entityType: 'vacancy', key: 'sponsor', label: 'Sponsor', type: 'string' })).statusCode).toBe(201);
  });

  it('refuses a bad definition with the field named', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ entityType: 'robot', key: 'a', label: 'A', type: 'string' }, 'entityType'],
      [{ entityType: 'project', key: '1a', label: 'A', type: 'string' }, 'key'],
      [{ entityType: 'project', key: 'tier', label: 'Tier', type: 'enum' }, 'options is required for an enum attribute'],
      [{ entityType: 'project', key: 'code', label: 'Code', type: 'string', options: ['x'] }, 'options is only for enum attributes'],
    ];
    for (const [payload, named] of cases) {
      const res = await define(payload);
      expect(res.statusCode, named).toBe(400);
      expect(res.json().error.message).toContain(named);
    }
  });

  it('lists definitions filtered by entity type, with a cursor', async () => {
    const page = (await t.call(key, { method: 'GET', url: '/v1/custom-attributes?entityType=contractor&limit=3' })).json();
    expect(page.items).toHaveLength(3);
    expect(page.items.every((d: { entityType: string }) => d.entityType === 'contractor')).toBe(true);
    const rest = (await t.call(key, { method: 'GET', url: `/v1/custom-attributes?entityType=contractor&limit=3&cursor=${page.nextCursor}` })).json();
    expect(rest.items).toHaveLength(1);
    expect(rest.nextCursor).toBeNull();
  });

  it('deletes a definition; values already stored stay, new ones are refused', async () => {
    const def = (await define({ entityType: 'vacancy', key: 'band', label: 'Band', type: 'number' })).json();
    const v = (await t.call(key, { method: 'POST', url: '/v1/entities/vacancy', payload: { role: 'SRE', customAttributes: { band: 3 } } })).json();
    expect((await t.call(key, { method: 'DELETE', url: `/v1/custom-attributes/${def.id}` })).statusCode).toBe(204);
    expect((await t.call(key, { method: 'GET', url: `/v1/custom-attributes/${def.id}` })).statusCode).toBe(404);
    expect((await t.call(key, { method: 'GET', url: `/v1/entities/vacancy/${v.id}` })).json().customAttributes).toEqual({ band: 3 });
    const res = await t.call(key, { method: 'PATCH', url: `/v1/entities/vacancy/${v.id}`, payload: { customAttributes: { band: 4 } } });
    expect(res.statusCode).toBe(400);
    const removed = await t.call(key, { method: 'PATCH', url: `/v1/entities/vacancy/${v.id}`, payload: { customAttributes: { band: null } } });
    expect(removed.json().customAttributes).toEqual({});
  });
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { describeEachEngine } from '../helpers/stores.js';

describeEachEngine('entities and custom attributes: tenancy and roles', (engine) => {
  let t: TestApp;
  let acme: TestTenant;
  let globex: TestTenant;
  let employee: Record<string, unknown> & { id: string };
  let definition: Record<string, unknown> & { id: string };

  beforeAll(async () => {
    t = await createTestApp(engine);
    acme = await t.tenant('acme');
    globex = await t.tenant('globex');
    definition = (
      await t.call(globex.keys.editor, {
        method: 'POST',
        url: '/v1/custom-attributes',
        payload: { entityType: 'employee', key: 'level', label: 'Level', type: 'enum', options: ['junior', 'senior'] },
      })
    ).json();
    employee = (
      await t.call(globex.keys.editor, {
        method: 'POST',
        url: '/v1/entities/employee',
        payload: { firstName: 'Hank', lastName: 'Scorpio', email: 'hank@globex.test', customAttributes: { level: 'senior' } },
      })
    ).json();
  });
  afterAll(async () => t?.dispose());

  it('answers 404 to another organisation for each of its entities, on every route', async () => {
    const url = `/v1/entities/employee/${employee.id}`;
    for (const [method, payload] of [['GET'], ['PATCH', { firstName: 'Mallory' }], ['DELETE']] as const) {
      const res = await t.call(acme.keys.admin, { method, url, ...(payload ? { payload } : {}) });
      expect(res.statusCode, method).toBe(404);
      expect(res.json().error.code).toBe('HY_NOT_FOUND');
    }
    const stale = await t.call(acme.keys.admin, { method: 'PATCH', url, headers: { 'if-match': '"1"' }, payload: { firstName: 'Mallory' } });
    expect(stale.statusCode).toBe(404);
    expect((await t.call(globex.keys.viewer, { method: 'GET', url })).json()).toEqual(employee);
  });

  it('never lists another organisation\'s entities, with or without filters', async () => {
    for (const query of ['', '?email=hank%40globex.test', '?limit=500']) {
      const page = (await t.call(acme.keys.admin, { method: 'GET', url: `/v1/entities/employee${query}` })).json();
      expect(page.items).toEqual([]);
    }
  });

  it('does not let an assignment reference another organisation\'s entity', async () => {
    const project = (await t.call(acme.keys.editor, { method: 'POST', url: '/v1/entities/project', payload: { name: 'Apollo' } })).json();
    const res = await t.call(acme.keys.editor, {
      method: 'POST',
      url: '/v1/entities/assignment',
      payload: { employeeId: employee.id, projectId: project.id },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.message).toBe(`employeeId "${employee.id}" is not an entity of this organisation`);
  });

  it('answers 404 to another organisation for each of its custom attributes, and hides them from its lists and checks', async () => {
    const url = `/v1/custom-attributes/${definition.id}`;
    for (const [method, payload] of [['GET'], ['PATCH', { label: 'Mine' }], ['DELETE']] as const) {
      expect((await t.call(acme.keys.admin, { method, url, ...(payload ? { payload } : {}) })).statusCode, method).toBe(404);
    }
    expect((await t.call(acme.keys.admin, { method: 'GET', url: '/v1/custom-attributes' })).json().items).toEqual([]);
    const res = await t.call(acme.keys.editor, {
      method: 'POST',
      url: '/v1/entities/employee',
      payload: { firstName: 'A', lastName: 'B', email: 'a@acme.test', customAttributes: { level: 'senior' } },
    });
    expect(res.statusCode).toBe(400);
    expect((await t.call(globex.keys.viewer, { method: 'GET', url })).json()).toEqual(definition);
  });

  it('lets a viewer read but not write', async () => {
    const viewer = globex.keys.viewer;
    expect((await t.call(viewer, { method: 'GET', url: '/v1/entities/employee' })).statusCode).toBe(200);
    expect((await t.call(viewer, { method: 'GET', url: `/v1/entities/employee/${employee.id}` })).statusCode).toBe(200);
    expect((await t.call(viewer, { method: 'GET', url: '/v1/custom-attributes' })).statusCode).toBe(200);
    const writes = [
      { method: 'POST', url: '/v1/entities/employee', payload: { firstName: 'V', lastName: 'V', email: 'v@globex.test' } },
      { method: 'PATCH', url: `/v1/entities/employee/${employee.id}`, payload: { firstName: 'V' } },
      { method: 'DELETE', url: `/v1/entities/employee/${employee.id}` },
      { method: 'POST', url: '/v1/custom-attributes', payload: { entityType: 'project', key: 'x', label: 'X', type: 'string' } },
      { method: 'PATCH', url: `/v1/custom-attributes/${definition.id}`, payload: { label: 'V' } },
      { method: 'DELETE', url: `/v1/custom-attributes/${definition.id}` },
    ] as const;
    for (const write of writes) {
      const res = await t.call(viewer, write);
      expect(res.statusCode, `${write.method} ${write.url}`).toBe(403);
      expect(res.json().error.code).toBe('HY_FORBIDDEN');
    }
    expect((await t.call(viewer, { method: 'GET', url: `/v1/entities/employee/${employee.id}` })).json()).toEqual(employee);
  });

  it('answers 401 to a wrong or revoked key', async () => {
    const { key, id } = (await t.call(globex.keys.admin, { method: 'POST', url: '/v1/api-keys', payload: { role: 'editor' } })).json();
    await t.call(globex.keys.admin, { method: 'DELETE', url: `/v1/api-keys/${id}` });
    for (const bad of [key, 'hyk_' + 'x'.repeat(43), 'not-a-key']) {
      for (const [method, url] of [
        ['GET', '/v1/entities/employee'],
        ['GET', `/v1/entities/employee/${employee.id}`],
        ['DELETE', `/v1/entities/employee/${employee.id}`],
        ['GET', '/v1/custom-attributes'],
      ] as const) {
        const res = await t.call(bad, { method, url });
        expect(res.statusCode, `${method} ${url}`).toBe(401);
      }
    }
    expect((await t.call(globex.keys.viewer, { method: 'GET', url: `/v1/entities/employee/${employee.id}` })).statusCode).toBe(200);
  });
});

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Role } from '../../src/domain/api-keys.js';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { describeEachEngine } from '../helpers/stores.js';

const PUSH = 'async function run(ctx) {}';

describeEachEngine('roles on every write route, cursors and stored keys', (engine) => {
  let t: TestApp;
  let acme: TestTenant;
  let globex: TestTenant;
  let ids: { integration: string; hook: string; execution: string; entity: string; definition: string; apiKey: string };

  beforeAll(async () => {
    t = await createTestApp(engine);
    acme = await t.tenant('acme');
    globex = await t.tenant('globex');
    const admin = (method: 'POST' | 'PUT', url: string, payload: Record<string, unknown>) => t.call(acme.keys.admin, { method, url, payload });
    const integration = (await admin('POST', '/v1/integrations', { name: 'HR', sourceSystemKey: 'hr' })).json().id;
    await admin('PUT', `/v1/integrations/${integration}/secrets/token`, { value: 'tok-123456' });
    const hook = (await admin('POST', `/v1/integrations/${integration}/hooks`, { name: 'p', type: 'push', entityType: 'employee', code: PUSH })).json().id;
    const execution = (await admin('POST', `/v1/hooks/${hook}/test`, {})).json().id;
    const entity = (await admin('POST', '/v1/entities/project', { name: 'Apollo' })).json().id;
    const definition = (await admin('POST', '/v1/custom-attributes', { entityType: 'project', key: 'tier', label: 'Tier', type: 'string' })).json().id;
    const apiKey = (await admin('POST', '/v1/api-keys', { role: 'viewer' })).json().id;
    ids = { integration, hook, execution, entity, definition, apiKey };
  });
  afterAll(async () => t?.dispose());

  /** Every route that changes something or shows secrets, with the least role it needs. */
  function routes(): Array<{ method: string; url: string; payload?: Record<string, unknown>; role: Role }> {
    const { integration, hook, execution, entity, definition, apiKey } = ids;
    return [
      { method: 'POST', url: '/v1/integrations', payload: { name: 'x', sourceSystemKey: 'x' }, role: 'editor' },
      { method: 'PATCH', url: `/v1/integrations/${integration}`, payload: { name: 'x' }, role: 'editor' },
      { method: 'DELETE', url: `/v1/integrations/${integration}`, role: 'editor' },
      { method: 'GET', url: `/v1/integrations/${integration}/secrets`, role: 'editor' },
      { method: 'HEAD', url: `/v1/integrations/${integration}/secrets`, role: 'editor' },
      { method: 'PUT', url: `/v1/integrations/${integration}/secrets/token`, payload: { value: 'stolen' }, role: 'admin' },
      { method: 'DELETE', url: `/v1/integrations/${integration}/secrets/token`, role: 'admin' },
      { method: 'POST', url: `/v1/integrations/${integration}/hooks`, payload: { name: 'x', type: 'push', entityType: 'employee', code: PUSH }, role: 'editor' },
      { method: 'PATCH', url: `/v1/hooks/${hook}`, payload: { name: 'x' }, role: 'editor' },
      { method: 'DELETE', url: `/v1/hooks/${hook}`, role: 'editor' },
      { method: 'POST', url: `/v1/hooks/${hook}/run`, role: 'editor' },
      { method: 'POST', url: `/v1/hooks/${hook}/test`, payload: {}, role: 'editor' },
      { method: 'POST', url: `/v1/executions/${execution}/retry`, role: 'editor' },
      { method: 'POST', url: '/v1/custom-attributes', payload: { entityType: 'project', key: 'x', label: 'X', type: 'string' }, role: 'editor' },
      { method: 'PATCH', url: `/v1/custom-attributes/${definition}`, payload: { label: 'x' }, role: 'editor' },
      { method: 'DELETE', url: `/v1/custom-attributes/${definition}`, role: 'editor' },
      { method: 'POST', url: '/v1/entities/project', payload: { name: 'x' }, role: 'editor' },
      { method: 'PATCH', url: `/v1/entities/project/${entity}`, payload: { name: 'x' }, role: 'editor' },
      { method: 'DELETE', url: `/v1/entities/project/${entity}`, role: 'editor' },
      { method: 'GET', url: '/v1/api-keys', role: 'admin' },
      { method: 'HEAD', url: '/v1/api-keys', role: 'admin' },
      { method: 'GET', url: `/v1/api-keys/${apiKey}`, role: 'admin' },
      { method: 'POST', url: '/v1/api-keys', payload: { role: 'admin' }, role: 'admin' },
      { method: 'DELETE', url: `/v1/api-keys/${apiKey}`, role: 'admin' },
    ];
  }

  it('refuses every write, secret and key route to a role below the one it needs, before doing anything', async () => {
    const before = await t.store.db.selectFrom('events').select('id').execute();
    for (const role of ['viewer', 'editor'] as const) {
      for (const route of routes()) {
        if (role === 'editor' && route.role === 'editor') continue;
        const res = await t.call(acme.keys[role], route as Parameters<TestApp['call']>[1]);
        expect(res.statusCode, `${role} ${route.method} ${route.url}`).toBe(403);
        if (route.method !== 'HEAD') expect(res.json().error.code).toBe('HY_FORBIDDEN');
      }
    }
    expect(await t.store.db.selectFrom('events').select('id').execute()).toEqual(before);
    const secrets = await t.call(acme.keys.admin, { method: 'GET', url: `/v1/integrations/${ids.integration}/secrets` });
    expect(secrets.json().items.map((s: { name: string }) => s.name)).toEqual(['token']);
    expect((await t.call(acme.keys.admin, { method: 'GET', url: `/v1/api-keys/${ids.apiKey}` })).json().revokedAt).toBeNull();
  });

  it('answers 400, not 500, to a tampered cursor, and a cursor never crosses organisations', async () => {
    const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const bad of [[1.5, 'x'], [1e300, 'x'], ['1', 'x'], [1, 2], [1, 'x'.repeat(200)], 'junk']) {
      for (const url of ['/v1/integrations', '/v1/entities/project', '/v1/api-keys', `/v1/hooks/${ids.hook}/executions`]) {
        const res = await t.call(acme.keys.admin, { method: 'GET', url: `${url}?cursor=${typeof bad === 'string' ? bad : cursor(bad)}` });
        expect(res.statusCode, `${url} ${JSON.stringify(bad)}`).toBe(400);
      }
    }
    for (let i = 0; i < 3; i++) await t.call(acme.keys.editor, { method: 'POST', url: '/v1/entities/project', payload: { name: `P${i}` } });
    const first = (await t.call(acme.keys.viewer, { method: 'GET', url: '/v1/entities/project?limit=1' })).json();
    expect(first.nextCursor).toEqual(expect.any(String));
    const theirs = await t.call(globex.keys.admin, { method: 'GET', url: `/v1/entities/project?cursor=${first.nextCursor}` });
    expect(theirs.json()).toEqual({ items: [], nextCursor: null });
    const early = await t.call(globex.keys.admin, { method: 'GET', url: `/v1/integrations?cursor=${cursor([0, ''])}` });
    expect(early.json()).toEqual({ items: [], nextCursor: null });
  });

  it('bounds list limits on every list route, and hook code to 512 KiB', async () => {
    const lists = ['/v1/integrations', '/v1/api-keys', '/v1/custom-attributes', '/v1/entities/project', `/v1/integrations/${ids.integration}/hooks`, `/v1/hooks/${ids.hook}/executions`];
    for (const url of lists) {
      for (const limit of ['0', '501', '-1', 'x', '1e3']) {
        expect((await t.call(acme.keys.admin, { method: 'GET', url: `${url}?limit=${limit}` })).statusCode, `${url} limit=${limit}`).toBe(400);
      }
      expect((await t.call(acme.keys.admin, { method: 'GET', url: `${url}?limit=500` })).statusCode, url).toBe(200);
    }
    const code = `async function run(ctx) {}\n//${'x'.repeat(512 * 1024)}`;
    const big = await t.call(acme.keys.editor, { method: 'PATCH', url: `/v1/hooks/${ids.hook}`, payload: { code } });
    expect(big.statusCode).toBe(400);
    expect(big.json().error.message).toMatch(/code/);
  });

  it('stores keys as the SHA-256 of a hyk_ key of 256 random bits, never the key', async () => {
    const { key, id } = (await t.call(acme.keys.admin, { method: 'POST', url: '/v1/api-keys', payload: { role: 'editor' } })).json();
    expect(key).toMatch(/^hyk_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.slice(4), 'base64url')).toHaveLength(32);
    const row = await t.store.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(key.slice(10));
  });
});

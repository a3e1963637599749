/**
 * One organisation cannot take the whole sandbox: its runs are bounded, work a caller is
 * waiting on is refused with 429 and Retry-After past the bound, and another
 * organisation's runs go on meanwhile.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { describeEachEngine } from '../helpers/stores.js';

const SLOW = 'async function run() { await new Promise((r) => setTimeout(r, 1500)); return "done"; }';

describeEachEngine('sandbox fairness between organisations', (engine) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp(engine, { sandbox: { maxRunsPerOrg: 2, maxRuns: 4 } });
  });
  afterAll(async () => t?.dispose());

  async function setUp(slug: string) {
    const tenant: TestTenant = await t.tenant(slug);
    const key = tenant.keys.editor;
    const integrationId = (await t.call(key, { method: 'POST', url: '/v1/integrations', payload: { name: 'I', sourceSystemKey: 'i' } })).json().id;
    const hook = async (payload: Record<string, unknown>) => {
      const res = await t.call(key, { method: 'POST', url: `/v1/integrations/${integrationId}/hooks`, payload: { name: `h-${Math.random()}`, entityType: 'employee', ...payload } });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    return { key, hook };
  }

  it('refuses a dry run past the organisation bound with 429 and Retry-After, records it skipped, and lets another organisation run', async () => {
    const flood = await setUp('flood');
    const calm = await setUp('calm');
    const slow = await flood.hook({ type: 'push', code: SLOW });
    const quick = await calm.hook({ type: 'push', code: 'async function run() { return "ok"; }' });

    const running = [1, 2].map(() => t.call(flood.key, { method: 'POST', url: `/v1/hooks/${slow}/test`, payload: {} }));
    await new Promise((r) => setTimeout(r, 300));
    const refused = await t.call(flood.key, { method: 'POST', url: `/v1/hooks/${slow}/test`, payload: {} });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json().error).toMatchObject({ code: 'HY_RATE_LIMITED', message: expect.stringMatching(/This organisation is running 2 hooks at once/) });

    const other = await t.call(calm.key, { method: 'POST', url: `/v1/hooks/${quick}/test`, payload: {} });
    expect(other.statusCode).toBe(200);
    expect(other.json()).toMatchObject({ status: 'completed' });

    for (const res of await Promise.all(running)) expect(res.json()).toMatchObject({ status: 'completed' });
    const executions = (await t.call(flood.key, { method: 'GET', url: `/v1/hooks/${slow}/executions?status=skipped` })).json().items;
    expect(executions).toEqual([expect.objectContaining({ status: 'skipped', error: expect.objectContaining({ message: expect.stringMatching(/^rate limit: /) }) })]);
  });

  it('answers an API call 429 when its pre-hook finds the organisation at its bound', async () => {
    const busy = await setUp('busy');
    const slow = await busy.hook({ type: 'push', code: SLOW });
    await busy.hook({ type: 'pre', operations: ['create'], code: 'async function run() { return { status: 200 }; }' });
    const running = [1, 2].map(() => t.call(busy.key, { method: 'POST', url: `/v1/hooks/${slow}/test`, payload: {} }));
    await new Promise((r) => setTimeout(r, 300));
    const create = await t.call(busy.key, { method: 'POST', url: '/v1/entities/employee', payload: { firstName: 'A', lastName: 'B', email: 'a@b.test' } });
    expect(create.statusCode).toBe(429);
    expect(create.headers['retry-after']).toBe('1');
    await Promise.all(running);
    const later = await t.call(busy.key, { method: 'POST', url: '/v1/entities/employee', payload: { firstName: 'A', lastName: 'B', email: 'a@b.test' } });
    expect(later.statusCode).toBe(201);
  });
});

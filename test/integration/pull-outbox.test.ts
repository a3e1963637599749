import { afterAll, beforeAll, expect, it } from 'vitest';
import { dispatchOutboxBatch } from '../../src/engine/outbox/dispatch.js';
import { savePage, type PageScope } from '../../src/engine/pages/save-page.js';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { describeEachEngine } from '../helpers/stores.js';

// A sync page whose events no consumer of the outbox wants writes them already dispatched;
// with a PUSH hook or an automation on the type and change, they wait for the dispatcher.
describeEachEngine('sync pages and the outbox', (engine) => {
  let t: TestApp;
  let acme: TestTenant;
  let scope: PageScope;
  let next = 0;
  beforeAll(async () => {
    t = await createTestApp(engine); // no worker: nothing dispatches but the test
    acme = await t.tenant('acme');
    const hr = (await post('/v1/integrations', { name: 'hr', sourceSystemKey: 'hr' })).json();
    const hook = (await post(`/v1/integrations/${hr.id}/hooks`, { name: 'people', type: 'pull', entityType: 'employee', code: 'async function run() { return { records: [] }; }' })).json();
    scope = { orgId: acme.org.id, integrationId: hr.id, hookId: hook.id, sourceKind: 'pull', sourceSystemKey: 'hr', entityType: 'employee', dryRun: false, dialect: t.store.engine.name, definitions: [] };
  });
  afterAll(async () => t?.dispose());

  function post(url: string, payload: Record<string, unknown>) {
    return t.call(acme.keys.editor, { method: 'POST', url, payload });
  }
  /** Saves a page of two new employees; answers how many of their events wait for the dispatcher. */
  async function pendingAfterPage(): Promise<number> {
    const records = [0, 1].map(() => {
      const n = ++next;
      return { externalId: `E-${n}`, data: { firstName: `Given${n}`, lastName: 'Family', email: `p${n}@acme.test` } };
    });
    const saved = await savePage(t.store.db, scope, records);
    expect(saved.results.map((r) => r.outcome)).toEqual(['created', 'created']);
    const events = await t.store.db.selectFrom('events').select(['entity_id', 'dispatched_at']).where('org_id', '=', acme.org.id).where('entity_id', 'in', saved.results.map((r) => r.entityId!)).execute();
    expect(events).toHaveLength(2);
    return events.filter((e) => e.dispatched_at === null).length;
  }
  const drain = async () => {
    for (;;) {
      const result = await dispatchOutboxBatch(t.deps);
      if (result === 'busy' || !result.more) return;
    }
  };
  const jobs = async (kind: string) => (await t.store.db.selectFrom('jobs').select('id').where('kind', '=', kind).execute()).length;

  it('writes the events nobody wants as dispatched, and keeps those a PUSH hook or an automation wants', async () => {
    expect(await pendingAfterPage()).toBe(0);

    // A PUSH hook of another integration on employees: the page's creates wait, and are delivered.
    const crm = (await post('/v1/integrations', { name: 'crm', sourceSystemKey: 'crm' })).json();
    const push = (await post(`/v1/integrations/${crm.id}/hooks`, { name: 'to crm', type: 'push', entityType: 'employee', code: 'async function run() {}' })).json();
    await drain();
    expect(await pendingAfterPage()).toBe(2);
    await drain();
    expect(await jobs('push.deliver')).toBe(2);

    // Only deletes: creates are not wanted.
    expect((await t.call(acme.keys.editor, { method: 'PATCH', url: `/v1/hooks/${push.id}`, payload: { changeTypes: ['delete'] } })).statusCode).toBe(200);
    expect(await pendingAfterPage()).toBe(0);

    // An automation on employee creates.
    const automation = await post('/v1/automations', { name: 'welcome', trigger: { type: 'entity', entityType: 'employee', events: ['create'] }, actions: [{ type: 'log', params: { level: 'info', message: 'hi' } }] });
    expect(automation.statusCode, automation.body).toBe(201);
    expect(await pendingAfterPage()).toBe(2);
    await drain();
    expect(await jobs('automation.run')).toBe(2);
  });
});

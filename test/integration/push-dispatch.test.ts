import { afterAll, beforeAll, expect, it } from 'vitest';
import { dispatchPushBatch } from '../../src/engine/push/push-dispatch.js';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { describeEachEngine } from '../helpers/stores.js';

// The dispatcher reads a batch without its payloads, and only the events some consumer may
// want whole: an event nobody wants is marked dispatched without being read or parsed.
describeEachEngine('outbox dispatch', (engine) => {
  let t: TestApp;
  let acme: TestTenant;
  beforeAll(async () => {
    t = await createTestApp(engine); // no worker: the test runs the batches itself
    acme = await t.tenant('acme');
  });
  afterAll(async () => t?.dispose());

  const post = (url: string, payload: Record<string, unknown>) => t.call(acme.keys.editor, { method: 'POST', url, payload });

  it('reads whole only the events a consumer wants, and marks every event of the batch dispatched', async () => {
    const hr = (await post('/v1/integrations', { name: 'hr', sourceSystemKey: 'hr' })).json().id;
    const code = 'async function run(ctx) {}';
    expect((await post(`/v1/integrations/${hr}/hooks`, { name: 'projects', type: 'push', entityType: 'project', code })).statusCode).toBe(201);
    const off = await post(`/v1/integrations/${hr}/hooks`, { name: 'deletes', type: 'push', entityType: 'contractor', code, changeTypes: ['delete'] });
    expect(off.statusCode).toBe(201);
    // Drain what the setup wrote.
    while ((await dispatchPushBatch(t.deps)) !== 0);

    expect((await post('/v1/entities/employee', { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@acme.test' })).statusCode).toBe(201);
    expect((await post('/v1/entities/contractor', { name: 'Grace Hopper', email: 'grace@acme.test' })).statusCode).toBe(201);
    expect((await post('/v1/entities/project', { name: 'Apollo', projectCode: 'AP-1' })).statusCode).toBe(201);
    // Payloads that cannot be parsed, on the events nobody wants (no hook on employees; the
    // contractor hook wants deletes only): were they read, the batch would fail.
    await t.store.db.updateTable('events').set({ after: '{not json' }).where('entity_type', 'in', ['employee', 'contractor']).execute();

    expect(await dispatchPushBatch(t.deps)).toBe(3);
    const jobs = await t.store.db.selectFrom('jobs').select(['kind', 'payload']).where('kind', '=', 'push.deliver').execute();
    expect(jobs.map((j) => JSON.parse(j.payload).event.entityType)).toEqual(['project']);
    const pending = await t.store.db.selectFrom('events').select('id').where('dispatched_at', 'is', null).execute();
    expect(pending).toEqual([]);
  });
});

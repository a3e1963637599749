import { sql, type KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signalDeliveryDone } from '../../src/engine/outbox/backpressure.js';
import { dispatchOutboxBatch, startOutboxDispatch } from '../../src/engine/outbox/dispatch.js';
import { createEntity } from '../../src/store/entities.js';
import { waitFor } from '../helpers/jobs.js';
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
  const drain = async () => {
    for (;;) {
      const result = await dispatchOutboxBatch(t.deps);
      if (result === 'busy' || !result.more) return;
    }
  };
  const pendingTypes = async () =>
    (await t.store.db.selectFrom('events').select('entity_type').where('dispatched_at', 'is', null).orderBy('seq').execute()).map((r) => r.entity_type);

  /**
   * A new organisation with a PUSH hook on employees, and no delivery left pending from the
   * tests before (the dispatcher's bound counts every organisation's); with a POST as its editor.
   */
  const pushingTenant = async (name: string) => {
    const tenant = await t.tenant(name);
    const call = (url: string, payload: Record<string, unknown>) => t.call(tenant.keys.editor, { method: 'POST', url, payload });
    const crm = (await call('/v1/integrations', { name: 'crm', sourceSystemKey: 'crm' })).json().id;
    expect((await call(`/v1/integrations/${crm}/hooks`, { name: 'people', type: 'push', entityType: 'employee', code: 'async function run(ctx) {}' })).statusCode).toBe(201);
    await drain();
    await t.store.db.updateTable('jobs').set({ status: 'completed' }).where('status', '=', 'pending').execute();
    return { tenant, call };
  };

  it('reads whole only the events a consumer wants, and marks every event of the batch dispatched', async () => {
    const hr = (await post('/v1/integrations', { name: 'hr', sourceSystemKey: 'hr' })).json().id;
    const code = 'async function run(ctx) {}';
    expect((await post(`/v1/integrations/${hr}/hooks`, { name: 'projects', type: 'push', entityType: 'project', code })).statusCode).toBe(201);
    const off = await post(`/v1/integrations/${hr}/hooks`, { name: 'deletes', type: 'push', entityType: 'contractor', code, changeTypes: ['delete'] });
    expect(off.statusCode).toBe(201);
    // Drain what the setup wrote.
    await drain();

    expect((await post('/v1/entities/employee', { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@acme.test' })).statusCode).toBe(201);
    expect((await post('/v1/entities/contractor', { name: 'Grace Hopper', email: 'grace@acme.test' })).statusCode).toBe(201);
    expect((await post('/v1/entities/project', { name: 'Apollo', projectCode: 'AP-1' })).statusCode).toBe(201);
    // Payloads that cannot be parsed, on the events nobody wants (no hook on employees; the
    // contractor hook wants deletes only): were they read, the batch would fail.
    await t.store.db.updateTable('events').set({ after: '{not json' }).where('entity_type', 'in', ['employee', 'contractor']).execute();

    expect(await dispatchOutboxBatch(t.deps)).toEqual({ events: 3, deliveries: 1, more: false });
    const jobs = await t.store.db.selectFrom('jobs').select(['kind', 'payload']).where('kind', '=', 'push.deliver').execute();
    expect(jobs.map((j) => JSON.parse(j.payload).event.entityType)).toEqual(['project']);
    const pending = await t.store.db.selectFrom('events').select('id').where('dispatched_at', 'is', null).execute();
    expect(pending).toEqual([]);
  });

  it('keeps at most maxPending deliveries pending, and dispatches more once half of them ended', async () => {
    const { tenant: globex, call } = await pushingTenant('globex');
    const deliveries = () => t.store.db.selectFrom('jobs').select(['id', 'status']).where('kind', '=', 'push.deliver').where('org_id', '=', globex.org.id).orderBy('seq').execute();
    const undispatched = async () => (await t.store.db.selectFrom('events').select('id').where('dispatched_at', 'is', null).execute()).length;

    const errors: Error[] = [];
    // Small batches and no poll: each write wakes the dispatcher, and only the room it counted bounds it.
    const stop = startOutboxDispatch(t.deps, { maxPending: 4, batchSize: 1, pollIntervalMs: 60_000, onError: (e) => errors.push(e) });
    try {
      for (let i = 0; i < 10; i++) {
        expect((await call('/v1/entities/employee', { firstName: `F${i}`, lastName: 'L', email: `p${i}@globex.test` })).statusCode).toBe(201);
      }
      await waitFor(async () => (await deliveries()).length === 4 && (await undispatched()) === 6);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await deliveries()).length).toBe(4);

      // Two deliveries end (half of maxPending): the dispatcher counts again and fills the room they left.
      const ended = (await deliveries()).slice(0, 2).map((j) => j.id);
      await t.store.db.updateTable('jobs').set({ status: 'completed' }).where('id', 'in', ended).execute();
      signalDeliveryDone();
      signalDeliveryDone();
      await waitFor(async () => (await deliveries()).length === 6);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await deliveries()).filter((j) => j.status === 'pending')).toHaveLength(4);
      expect(await undispatched()).toBe(4);
    } finally {
      await stop();
    }
    expect(errors).toEqual([]);
  });

  it('wakes once a transaction that wrote events has committed, and a dispatcher that found another batch under way tries again', async () => {
    const { tenant: hooli } = await pushingTenant('hooli');
    const undispatched = async () => (await t.store.db.selectFrom('events').select('id').where('org_id', '=', hooli.org.id).where('dispatched_at', 'is', null).execute()).length;
    const employee = (n: number) => ({ orgId: hooli.org.id, type: 'employee' as const, source: { kind: 'api' as const, apiKeyId: 'k' }, data: { firstName: `F${n}`, lastName: 'L', email: `e${n}@hooli.test` } });
    const errors: Error[] = [];
    // No poll: only the store's signal wakes it.
    const stop = startOutboxDispatch(t.deps, { pollIntervalMs: 60_000, onError: (e) => errors.push(e) });
    try {
      await t.store.db.transaction().execute(async (trx) => {
        await createEntity(trx, employee(1));
        await new Promise((resolve) => setTimeout(resolve, 50));
      });
      await waitFor(async () => (await undispatched()) === 0);

      if (engine.name === 'postgres') {
        // Another node's batch holds the dispatch lock while this process commits an event.
        await t.store.db.transaction().execute(async (trx) => {
          await sql`select pg_advisory_xact_lock(${0x486b7964})`.execute(trx);
          await createEntity(t.store.db, employee(2));
          await new Promise((resolve) => setTimeout(resolve, 50));
          expect(await undispatched()).toBe(1);
        });
        await waitFor(async () => (await undispatched()) === 0);
      }
    } finally {
      await stop();
    }
    expect(errors).toEqual([]);
  });

  it('reads about as many events as the room takes when every event is wanted', async () => {
    const { call } = await pushingTenant('initech');
    // A backlog of 60 wanted events, as a flood of API writes leaves it.
    for (let i = 0; i < 60; i++) {
      expect((await call('/v1/entities/employee', { firstName: `F${i}`, lastName: 'L', email: `p${i}@initech.test` })).statusCode).toBe(201);
    }
    // The sizes of the dispatcher's reads without payloads: the only query of these columns.
    const reads: number[] = [];
    const counting: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async ({ result }) => {
        const first = result.rows[0];
        if (first && Object.keys(first).join() === 'seq,org_id,entity_type,change_type') reads.push(result.rows.length);
        return result;
      },
    };
    const deps = { ...t.deps, store: { ...t.deps.store, db: t.store.db.withPlugin(counting) } };
    const stop = startOutboxDispatch(deps, { maxPending: 8, pollIntervalMs: 60_000 });
    try {
      await waitFor(async () => (await t.store.db.selectFrom('jobs').select('id').where('status', '=', 'pending').execute()).length === 8);
    } finally {
      await stop();
    }
    const undispatched = await t.store.db.selectFrom('events').select('id').where('dispatched_at', 'is', null).execute();
    expect(undispatched).toHaveLength(52);
    // Not the 500 of a batch (here all 60): twice the room at most.
    expect(reads.length).toBeGreaterThan(0);
    expect(Math.max(...reads)).toBeLessThanOrEqual(16);
  });

  it('stops after the event whose jobs fill the budget; the events nobody wants cost none of it', async () => {
    await drain();
    await t.store.db.deleteFrom('jobs').execute();
    const employee = { firstName: 'Alan', lastName: 'Turing', email: 'alan@acme.test' };
    for (const [type, body] of [
      ['employee', employee],
      ['employee', { ...employee, email: 'alan2@acme.test' }],
      ['project', { name: 'Gemini', projectCode: 'GE-1' }],
      ['employee', { ...employee, email: 'alan3@acme.test' }],
      ['project', { name: 'Mercury', projectCode: 'ME-1' }],
    ] as const) {
      expect((await post(`/v1/entities/${type}`, body)).statusCode).toBe(201);
    }

    // A budget of one job: the two unwanted events and the first project go; the rest wait.
    expect(await dispatchOutboxBatch(t.deps, 500, 1)).toEqual({ events: 3, deliveries: 1, more: true });
    expect(await pendingTypes()).toEqual(['employee', 'project']);
    // A full batch says more may wait, whatever the budget.
    expect(await dispatchOutboxBatch(t.deps, 1, 10)).toEqual({ events: 1, deliveries: 0, more: true });
    expect(await dispatchOutboxBatch(t.deps, 500, 10)).toEqual({ events: 1, deliveries: 1, more: false });
    expect(await pendingTypes()).toEqual([]);
    const jobs = await t.store.db.selectFrom('jobs').select('payload').where('kind', '=', 'push.deliver').orderBy('seq').execute();
    expect(jobs.map((j) => JSON.parse(j.payload).event.after.name)).toEqual(['Gemini', 'Mercury']);
  });

  it('reads whole no more wanted events than the budget takes, and leaves the rest undispatched, an echo included', async () => {
    await drain();
    await t.store.db.deleteFrom('jobs').execute();
    for (const [name, projectCode] of [['Vostok', 'VO-1'], ['Voskhod', 'VO-2'], ['Soyuz', 'SO-1']]) {
      expect((await post('/v1/entities/project', { name, projectCode })).statusCode).toBe(201);
    }
    const events = await t.store.db.selectFrom('events').select(['seq']).where('dispatched_at', 'is', null).orderBy('seq').execute();
    const hr = (await t.store.db.selectFrom('integrations').select('id').where('org_id', '=', acme.org.id).where('source_system_key', '=', 'hr').executeTakeFirstOrThrow()).id;
    // The first is an echo (written by the hook's own integration): wanted, but it makes no job.
    await t.store.db.updateTable('events').set({ source: JSON.stringify({ kind: 'pull', integrationId: hr, hookId: 'h' }) }).where('seq', '=', events[0]!.seq).execute();

    // A budget of one: only the echo is read, and it makes no job; the events after it wait.
    expect(await dispatchOutboxBatch(t.deps, 500, 1)).toEqual({ events: 1, deliveries: 0, more: true });
    expect(await pendingTypes()).toEqual(['project', 'project']);
    expect(await dispatchOutboxBatch(t.deps, 500, 1)).toEqual({ events: 1, deliveries: 1, more: true });
    const jobs = await t.store.db.selectFrom('jobs').select('payload').where('kind', '=', 'push.deliver').execute();
    expect(jobs.map((j) => JSON.parse(j.payload).event.after.name)).toEqual(['Voskhod']);
    expect(await pendingTypes()).toEqual(['project']);
  });
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EntityEvent } from '../../src/domain/entity-events.js';
import { attemptExecutionId } from '../../src/engine/job-attempts.js';
import { PUSH_DELIVER, registerPushJobs } from '../../src/engine/push/push-jobs.js';
import { HandlerTable } from '../../src/jobs/index.js';
import { createEntity } from '../../src/store/entities.js';
import { listEntityEvents } from '../../src/store/events.js';
import { findExecution } from '../../src/store/executions.js';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { waitFor } from '../helpers/jobs.js';
import { describeEachEngine } from '../helpers/stores.js';

const HOST = 'receiver.example.test';

/** What the receiver got from one run. */
interface Delivery {
  readonly tag: string;
  readonly hookId: string;
  readonly attempt: number;
  readonly trigger: string;
  readonly event: EntityEvent;
}

/** A PUSH hook that posts what it got to the receiver and fails when the receiver does. */
const deliverTo = (tag: string) => `async function run(ctx) {
  const res = await ctx.http.post('https://${HOST}/deliveries', { tag: ${JSON.stringify(tag)}, hookId: ctx.execution.hookId,
    attempt: ctx.execution.attempt, trigger: ctx.execution.trigger, event: ctx.event });
  if (res.status >= 300) throw new Error('receiver answered ' + res.status);
}`;

describeEachEngine('PUSH delivery', (engine) => {
  let server: TestHttpsServer;
  let t: TestApp;
  let acme: TestTenant;
  const deliveries: Delivery[] = [];
  /** Tags the receiver answers 500 for. */
  const failing = new Set<string>();
  /** Tags the receiver answers slowly (random 0–15 ms), to shake out ordering bugs. */
  const slow = new Set<string>();

  beforeAll(async () => {
    server = await startHttpsServer(HOST, (req, res) => {
      const delivery = JSON.parse(req.body) as Delivery;
      deliveries.push(delivery);
      const answer = () => {
        res.statusCode = failing.has(delivery.tag) ? 500 : 200;
        res.end('{}');
      };
      if (slow.has(delivery.tag)) setTimeout(answer, Math.random() * 15);
      else answer();
    });
    t = await createTestApp(engine, {
      egress: { allowPrivate: true, ca: server.ca, connectTo: [{ host: HOST, port: 443, address: '127.0.0.1', toPort: server.port }] },
      worker: true,
    });
    acme = await t.tenant('acme');
  });
  afterAll(async () => {
    await t?.dispose();
    await server?.close();
  });

  const post = (url: string, payload: unknown) => t.call(acme.keys.editor, { method: 'POST', url, payload: payload as Record<string, unknown> });
  async function integration(key: string): Promise<string> {
    return (await post('/v1/integrations', { name: key, sourceSystemKey: key })).json().id;
  }
  async function pushHook(integrationId: string, tag: string, settings: Record<string, unknown> = {}): Promise<string> {
    const res = await post(`/v1/integrations/${integrationId}/hooks`, { name: tag, type: 'push', entityType: 'employee', code: deliverTo(tag), ...settings });
    expect(res.statusCode).toBe(201);
    return res.json().id;
  }
  const of = (tag: string) => deliveries.filter((d) => d.tag === tag);
  const executionsOf = async (hookId: string) => (await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/hooks/${hookId}/executions` })).json().items;
  const person = (n: number | string) => ({ firstName: `Ada${n}`, lastName: 'Lovelace', email: `ada${n}@acme.test` });

  it('delivers create, update and delete to the hooks whose change types match, with before and after', async () => {
    const hr = await integration('push-crud');
    const all = await pushHook(hr, 'crud-all');
    const deletes = await pushHook(hr, 'crud-deletes', { changeTypes: ['delete'] });
    const projects = (await post(`/v1/integrations/${hr}/hooks`, { name: 'projects', type: 'push', entityType: 'project', code: deliverTo('crud-projects') })).json().id;

    // Events carry the entity's fields; links are the API's view of where it came from.
    const { links: _created, ...created } = (await post('/v1/entities/employee', person('crud'))).json();
    const { links: _updated, ...updated } = (await t.call(acme.keys.editor, { method: 'PATCH', url: `/v1/entities/employee/${created.id}`, payload: { lastName: 'Byron' } })).json();
    expect((await t.call(acme.keys.editor, { method: 'DELETE', url: `/v1/entities/employee/${created.id}` })).statusCode).toBe(204);

    await waitFor(() => of('crud-all').length === 3 && of('crud-deletes').length === 1);
    const stored = await listEntityEvents(t.store.db, acme.org.id, created.id);
    const events = of('crud-all').map((d) => d.event);
    expect(events).toEqual(stored);
    expect(events.map((e) => [e.changeType, e.before, e.after])).toEqual([
      ['create', null, created],
      ['update', created, updated],
      ['delete', updated, null],
    ]);
    expect(events[0]).toMatchObject({ entityType: 'employee', entityId: created.id, source: { kind: 'api', apiKeyId: expect.any(String) } });
    expect(of('crud-deletes').map((d) => d.event)).toEqual([stored[2]]);
    expect(of('crud-all').every((d) => d.hookId === all && d.trigger === 'event' && d.attempt === 1)).toBe(true);
    expect(of('crud-deletes')[0].hookId).toBe(deletes);

    await waitFor(async () => (await executionsOf(all)).filter((e: { status: string }) => e.status === 'completed').length === 3);
    expect(await executionsOf(projects)).toEqual([]);
    expect(of('crud-projects')).toEqual([]);
  });

  it('retries a run that fails twice and records it completed on attempt 3, with the same event id', async () => {
    const hookId = await pushHook(await integration('push-flaky'), 'flaky');
    failing.add('flaky');
    const created = (await post('/v1/entities/employee', person('flaky'))).json();
    await waitFor(() => of('flaky').length === 2, 15_000);
    failing.delete('flaky');
    await waitFor(() => of('flaky').length === 3, 15_000);

    const runs = of('flaky');
    expect(runs.map((d) => d.attempt)).toEqual([1, 2, 3]);
    expect(new Set(runs.map((d) => d.event.id)).size).toBe(1);
    expect(runs[0].event.entityId).toBe(created.id);
    await waitFor(async () => (await executionsOf(hookId)).some((e: { status: string }) => e.status === 'completed'));
    const executions = await executionsOf(hookId);
    expect(executions.map((e: { attempt: number; status: string; trigger: string }) => [e.attempt, e.status, e.trigger])).toEqual([
      [3, 'completed', 'event'],
      [2, 'failed', 'event'],
      [1, 'failed', 'event'],
    ]);
    expect(executions[2].error.message).toMatch(/receiver answered 500/);
  });

  it('marks a run failed after its attempts, and re-runs it by hand as a new execution', async () => {
    const hookId = await pushHook(await integration('push-dead'), 'dead', { retry: { attempts: 2 } });
    failing.add('dead');
    await post('/v1/entities/employee', person('dead'));
    await waitFor(async () => (await executionsOf(hookId)).filter((e: { status: string }) => e.status === 'failed').length === 2, 15_000);
    const job = await t.store.db.selectFrom('jobs').select(['status', 'attempts']).where('unique_key', 'like', `push:${hookId}:%`).executeTakeFirstOrThrow();
    expect(job).toEqual({ status: 'failed', attempts: 2 });

    failing.delete('dead');
    const [last] = await executionsOf(hookId);
    const retry = await t.call(acme.keys.editor, { method: 'POST', url: `/v1/executions/${last.id}/retry` });
    expect(retry.statusCode).toBe(202);
    const { executionId } = retry.json();
    await waitFor(async () => (await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/executions/${executionId}` })).json().status === 'completed');
    const runs = of('dead');
    expect(runs.map((d) => d.trigger)).toEqual(['event', 'event', 'retry']);
    expect(new Set(runs.map((d) => d.event.id)).size).toBe(1);
    expect((await t.call(acme.keys.viewer, { method: 'POST', url: `/v1/executions/${last.id}/retry` })).statusCode).toBe(403);
  });

  it("keeps one entity's events in commit order while different entities run concurrently", async () => {
    await pushHook(await integration('push-order'), 'order');
    slow.add('order');
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await post('/v1/entities/employee', person(`order${i}`))).json().id);
    // Interleave the updates of all entities, several in flight at once.
    await Promise.all(
      ids.map(async (id) => {
        for (let v = 0; v < 6; v++) {
          const res = await t.call(acme.keys.editor, { method: 'PATCH', url: `/v1/entities/employee/${id}`, payload: { internalEmployeeId: `v${v}` } });
          expect(res.statusCode).toBe(200);
        }
      }),
    );
    await waitFor(() => of('order').length === ids.length * 7, 30_000);
    for (const id of ids) {
      const versions = of('order')
        .filter((d) => d.event.entityId === id)
        .map((d) => (d.event.after as { version: number }).version);
      expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7]);
    }
  });

  it("does not send an integration's own PULL or inbound writes to its PUSH hooks, but does send them to others", async () => {
    const own = await integration('push-echo-own');
    const other = await integration('push-echo-other');
    const ownHook = await pushHook(own, 'echo-own');
    await pushHook(other, 'echo-other');
    const fromPull = await createEntity(t.store.db, { orgId: acme.org.id, type: 'employee', data: person('echo-pull'), source: { kind: 'pull', integrationId: own, hookId: 'h' } });
    const fromInbound = await createEntity(t.store.db, { orgId: acme.org.id, type: 'employee', data: person('echo-in'), source: { kind: 'inbound', integrationId: own } });
    const fromOther = await createEntity(t.store.db, { orgId: acme.org.id, type: 'employee', data: person('echo-other'), source: { kind: 'pull', integrationId: other } });

    await waitFor(() => of('echo-other').length === 2 && of('echo-own').length === 1);
    expect(of('echo-other').map((d) => d.event.entityId).sort()).toEqual([fromPull.id, fromInbound.id].sort());
    expect(of('echo-own').map((d) => d.event.entityId)).toEqual([fromOther.id]);
    const ownJobs = await t.store.db.selectFrom('jobs').select('unique_key').where('unique_key', 'like', `push:${ownHook}:%`).execute();
    expect(ownJobs).toHaveLength(1);
    const pending = await t.store.db.selectFrom('events').select('id').where('dispatched_at', 'is', null).execute();
    expect(pending).toEqual([]);
  });

  it('dry-runs a PUSH hook with a sample event: real HTTP, no retry, no KV write, no job', async () => {
    const hr = await integration('push-dry');
    const code = `async function run(ctx) {
      await ctx.kv.set('seen', ctx.event.id);
      const res = await ctx.http.post('https://${HOST}/deliveries', { tag: 'dry', hookId: ctx.execution.hookId,
        attempt: ctx.execution.attempt, trigger: ctx.execution.trigger, event: ctx.event });
      if (res.status >= 300) throw new Error('receiver answered ' + res.status);
      return { sent: true };
    }`;
    const hookId = (await post(`/v1/integrations/${hr}/hooks`, { name: 'dry', type: 'push', entityType: 'employee', code })).json().id;
    const event = { id: 'evt-sample', changeType: 'update', entityId: 'e-1', before: { firstName: 'A' }, after: { firstName: 'B' } };
    const res = await post(`/v1/hooks/${hookId}/test`, { event });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ hookId, status: 'completed', trigger: 'test', dryRun: true, attempt: 1 });
    expect(res.json().logs.at(-1)).toMatchObject({ message: 'dry run: the hook returned', data: { sent: true } });
    expect(of('dry')).toHaveLength(1);
    expect(of('dry')[0]).toMatchObject({ trigger: 'test', event: { ...event, entityType: 'employee', source: { kind: 'api' } } });

    failing.add('dry');
    const failed = await post(`/v1/hooks/${hookId}/test`, {});
    expect(failed.json()).toMatchObject({ status: 'failed', dryRun: true, error: { message: expect.stringMatching(/receiver answered 500/) } });
    expect(of('dry')[1].event).toMatchObject({ entityType: 'employee', changeType: 'create', before: null });
    const kv = await t.store.db.selectFrom('kv').select('key').where('integration_id', '=', hr).execute();
    expect(kv).toEqual([]);
    const jobs = await t.store.db.selectFrom('jobs').select('id').where('unique_key', 'like', `push:${hookId}:%`).execute();
    expect(jobs).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(of('dry')).toHaveLength(2);
    expect(await executionsOf(hookId)).toHaveLength(2);
  });

  it('never runs a disabled hook', async () => {
    const hr = await integration('push-off');
    await post(`/v1/integrations/${hr}/hooks`, { name: 'off', type: 'push', entityType: 'employee', code: deliverTo('off'), enabled: false });
    const on = await pushHook(hr, 'on');
    await post('/v1/entities/employee', person('off'));
    await waitFor(() => of('on').length === 1);
    expect(of('on')[0].hookId).toBe(on);
    expect(of('off')).toEqual([]);
  });

  it('records an attempt whose worker died as failed: interrupted, under the id the attempt would have used', async () => {
    const hookId = await pushHook(await integration('push-interrupted'), 'interrupted');
    const created = (await post('/v1/entities/employee', person('interrupted'))).json();
    const [event] = await listEntityEvents(t.store.db, acme.org.id, created.id);
    const handlers = new HandlerTable();
    registerPushJobs(handlers, t.deps);
    // A recovery of job `job-x`: attempt 1 was claimed and its worker died without a word.
    const job = {
      ...{ id: 'job-x', kind: PUSH_DELIVER, orgId: acme.org.id, payload: { hookId, event: event! }, runAt: 0, createdAt: 0 },
      ...{ uniqueKey: null, orderingKey: null, attempt: 2, maxAttempts: 3, recovery: true, exhausted: false, lease: 'l', leaseExpiresAt: 0 },
    };
    const ctx = { signal: new AbortController().signal, workerId: 'w', atOutcome: () => undefined, atOutcomeBatch: () => undefined };
    await handlers.get(PUSH_DELIVER)!.interrupted!(job, ctx);
    await handlers.get(PUSH_DELIVER)!.interrupted!(job, ctx);
    const lost = await findExecution(t.store.db, acme.org.id, attemptExecutionId('job-x', 1));
    expect(lost).toMatchObject({ hookId, status: 'failed', trigger: 'event', attempt: 1, error: { message: expect.stringMatching(/^interrupted/) } });
    await waitFor(async () => (await executionsOf(hookId)).length === 2);
    expect((await executionsOf(hookId)).map((e: { attempt: number; status: string }) => [e.attempt, e.status]).sort()).toEqual([
      [1, 'completed'],
      [1, 'failed'],
    ]);
  });
});

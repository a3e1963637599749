/**
 * Retention with an injected clock: each kind of history goes once it is older than its
 * own age, in bounded batches, and nothing younger (nor an undispatched event, nor a
 * pending job) is touched; the pruned counts reach the metrics.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cleanUp, maintenance } from '../../src/engine/maintenance.js';
import type { PrunedKind, RunMetrics } from '../../src/engine/run-metrics.js';
import { newId } from '../../src/domain/ids.js';
import type { Store } from '../../src/store/db.js';
import { insertFinishedExecutions } from '../../src/store/executions.js';
import { insertIntegration } from '../../src/store/integrations.js';
import { kvSet } from '../../src/store/kv.js';
import { insertOrganisation } from '../../src/store/organisations.js';
import { describeEachEngine, freshStore } from '../helpers/stores.js';

const DAY = 24 * 3600_000;
const NOW = Date.UTC(2027, 0, 15, 12);

describeEachEngine('retention', (engine) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let orgId: string;
  let integrationId: string;

  beforeAll(async () => {
    ({ store, dispose } = await freshStore(engine));
    orgId = (await insertOrganisation(store.db, { slug: 'acme' })).id;
    integrationId = (await insertIntegration(store.db, orgId, { name: 'HR', sourceSystemKey: 'hr' })).id;
  });
  afterAll(async () => dispose?.());

  /** Rows of every kind, `ageDays` old at NOW; returns their ids by kind. */
  async function seed(tag: string, ageDays: number, count: number) {
    const at = NOW - ageDays * DAY;
    const ids = { executions: [] as string[], jobs: [] as string[], pendingJobs: [] as string[], kv: [] as string[], events: [] as string[], undispatched: [] as string[] };
    for (let i = 0; i < count; i++) {
      const execution = newId();
      await insertFinishedExecutions(store.db, [{ id: execution, orgId, hookId: newId(), trigger: 'event', status: 'completed', startedAt: at, finishedAt: at + 10 }]);
      ids.executions.push(execution);
      for (const [status, list] of [['completed', ids.jobs], ['failed', ids.jobs], ['pending', ids.pendingJobs]] as const) {
        const id = newId();
        await store.db
          .insertInto('jobs')
          .values({ id, org_id: orgId, kind: 'retention.test', payload: 'null', status, run_at: at, attempts: 1, max_attempts: 1, unique_key: null, ordering_key: null, created_at: at, updated_at: at })
          .execute();
        list.push(id);
      }
      // A KV entry expires `ageDays` ago (a negative age: it expires later).
      await kvSet(store.db, { orgId, integrationId }, `${tag}-${i}`, '1', at, at - DAY);
      ids.kv.push(`${tag}-${i}`);
      for (const [dispatched, list] of [[at + 5, ids.events], [null, ids.undispatched]] as const) {
        const id = newId();
        await store.db
          .insertInto('events')
          .values({ id, org_id: orgId, entity_type: 'employee', entity_id: newId(), change_type: 'create', before: null, after: '{}', source: '{"kind":"api"}', occurred_at: at, dispatched_at: dispatched })
          .execute();
        list.push(id);
      }
    }
    return ids;
  }

  async function present(ids: Awaited<ReturnType<typeof seed>>) {
    const count = async (table: 'executions' | 'jobs' | 'events', list: string[]) =>
      list.length === 0 ? 0 : (await store.db.selectFrom(table).select('id').where('id', 'in', list).execute()).length;
    const kv = (await store.db.selectFrom('kv').select('key').where('key', 'in', ids.kv).execute()).length;
    return {
      executions: await count('executions', ids.executions),
      jobs: await count('jobs', ids.jobs),
      pendingJobs: await count('jobs', ids.pendingJobs),
      kv,
      events: await count('events', ids.events),
      undispatched: await count('events', ids.undispatched),
    };
  }

  it('prunes each kind past its own age, in batches, and leaves everything younger', async () => {
    const ancient = await seed('ancient', 400, 7);
    const month = await seed('month', 45, 3);
    const fresh = await seed('fresh', 2, 3);
    const future = await seed('future', -1, 2);
    const pruned: Partial<Record<PrunedKind, number>> = {};
    const metrics: RunMetrics = {
      executionFinished: () => {},
      deliveryStarted: () => {},
      pruned: (kind, rows) => void (pruned[kind] = (pruned[kind] ?? 0) + rows),
    };
    const removed = await cleanUp({ store, metrics, retention: { executionDays: 30, jobDays: 3, eventDays: 90 } }, { batchSize: 4 }, NOW);

    // Executions and jobs older than 30 and 3 days; events older than 90 days; KV entries expired by now.
    expect(removed).toEqual({ executions: 10, jobs: 20, kv: 13, events: 7, inboundMessages: 0 });
    expect(pruned).toEqual({ executions: 10, jobs: 20, kv: 13, events: 7, inboundMessages: 0 });
    expect(await present(ancient)).toEqual({ executions: 0, jobs: 0, pendingJobs: 7, kv: 0, events: 0, undispatched: 7 });
    expect(await present(month)).toEqual({ executions: 0, jobs: 0, pendingJobs: 3, kv: 0, events: 3, undispatched: 3 });
    expect(await present(fresh)).toEqual({ executions: 3, jobs: 6, pendingJobs: 3, kv: 0, events: 3, undispatched: 3 });
    expect(await present(future)).toEqual({ executions: 2, jobs: 4, pendingJobs: 2, kv: 2, events: 2, undispatched: 2 });

    // A later clean-up at the same instant finds nothing more.
    expect(await cleanUp({ store, retention: { executionDays: 30, jobDays: 3, eventDays: 90 } }, { batchSize: 4 }, NOW)).toEqual({ executions: 0, jobs: 0, kv: 0, events: 0, inboundMessages: 0 });
    // A shorter event age takes the month-old events too, and still no undispatched one.
    expect((await cleanUp({ store, retention: { eventDays: 30 } }, {}, NOW)).events).toBe(3);
    expect(await present(month)).toMatchObject({ events: 0, undispatched: 3 });
  });

  it('never prunes finished jobs younger than a day and two hours, whatever the setting', async () => {
    const recent = await seed('recent-jobs', 1, 2);
    await cleanUp({ store, retention: { jobDays: 0.5 } }, {}, NOW);
    expect((await present(recent)).jobs).toBe(4);
    await cleanUp({ store, retention: { jobDays: 0.5 } }, {}, NOW + 3 * 3600_000);
    expect((await present(recent)).jobs).toBe(0);
  });

  it('runs a clean-up when the service starts, on its injected clock', async () => {
    const old = await seed('service', 400, 2);
    const stop = maintenance({ now: () => NOW, intervalMs: 3600_000 })({ store, retention: {} } as never);
    await stop();
    expect(await present(old)).toEqual({ executions: 0, jobs: 0, pendingJobs: 2, kv: 0, events: 0, undispatched: 2 });
  });
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/helpers/stores.js';
import type { Store } from '../store/db.js';
import { JobQueue } from './job-queue.js';
import { scheduleSlotKey, startScheduler, tickScheduler, type ScheduledItem } from './scheduler.js';
import { openJobStores, uniqueKind, waitFor, type JobStores } from '../../test/helpers/jobs.js';

describeEachEngine('scheduler', (engine) => {
  let store: Store;
  let other: Store;
  let stores: JobStores;
  let orgId: string;
  let clock = Date.parse('2025-06-01T08:07:00Z');

  beforeAll(async () => {
    stores = await openJobStores(engine);
    ({ store, other, orgId } = stores);
  });

  afterAll(async () => stores?.dispose());

  const jobsOf = (kind: string) =>
    store.db.selectFrom('jobs').select(['unique_key', 'payload', 'run_at', 'ordering_key']).where('kind', '=', kind).orderBy('run_at').execute();

  it('enqueues the latest due slot once, however often and on however many nodes it ticks', async () => {
    const kind = uniqueKind('tick');
    const items: ScheduledItem[] = [{ id: 'hook-1', orgId, schedule: { interval: '6h', preferredHour: 2 }, timeZone: 'Asia/Kolkata' }];
    const list = async () => items;
    const nodeA = new JobQueue(store, { now: () => clock });
    const nodeB = new JobQueue(other, { now: () => clock });

    const first = await tickScheduler({ queue: nodeA, kind, list, maxAttempts: 2 });
    expect(first.enqueued).toHaveLength(1);
    expect((await tickScheduler({ queue: nodeA, kind, list })).enqueued).toEqual([]);
    expect((await tickScheduler({ queue: nodeB, kind, list })).enqueued).toEqual([]);

    // 08:07Z is 13:37 in Kolkata: the latest slot is 08:00 local, 02:30Z.
    const slot = new Date('2025-06-01T02:30:00Z');
    expect(await jobsOf(kind)).toEqual([
      { unique_key: scheduleSlotKey('hook-1', slot), payload: JSON.stringify({ id: 'hook-1', slot: slot.toISOString() }), run_at: slot.getTime(), ordering_key: 'schedule:hook-1' },
    ]);

    clock = Date.parse('2025-06-01T08:30:00Z');
    expect((await tickScheduler({ queue: nodeB, kind, list })).enqueued).toHaveLength(1);
    expect((await jobsOf(kind)).map((j) => j.run_at)).toEqual([slot.getTime(), Date.parse('2025-06-01T08:30:00Z')]);
  });

  it('does not run a slot from before the schedule was saved', async () => {
    const kind = uniqueKind('not-before');
    const queue = new JobQueue(store, { now: () => Date.parse('2025-06-01T10:20:00Z') });
    const item: ScheduledItem = { id: 'hook-2', orgId, schedule: { interval: '1h' }, timeZone: 'UTC', notBefore: Date.parse('2025-06-01T10:05:00Z') };
    expect((await tickScheduler({ queue, kind, list: async () => [item] })).enqueued).toEqual([]);
    const saved = { ...item, notBefore: Date.parse('2025-06-01T09:59:00Z') };
    expect((await tickScheduler({ queue, kind, list: async () => [saved] })).enqueued).toHaveLength(1);
  });

  it('reports an item with an unknown time zone and still schedules the others', async () => {
    const kind = uniqueKind('bad-zone');
    const queue = new JobQueue(store, { now: () => clock });
    const result = await tickScheduler({
      queue,
      kind,
      list: async () => [
        { id: 'broken', orgId, schedule: { interval: '1h' }, timeZone: 'Nowhere/Land' },
        { id: 'fine', orgId, schedule: { interval: '1h' }, timeZone: 'Europe/Berlin' },
      ],
    });
    expect(result.enqueued).toHaveLength(1);
    expect(result.errors.map((e) => e.id)).toEqual(['broken']);
    expect(result.errors[0]!.error.message).toMatch(/time zone/);
  });

  it('ticks on an interval until stopped', async () => {
    const kind = uniqueKind('runner');
    const queue = new JobQueue(store);
    let ticks = 0;
    const stop = startScheduler({
      queue,
      kind,
      intervalMs: 10,
      list: async () => {
        ticks += 1;
        return [{ id: 'hook-3', orgId, schedule: { interval: '15m' }, timeZone: 'UTC' }];
      },
    });
    try {
      await waitFor(() => ticks >= 3);
    } finally {
      await stop();
    }
    const after = ticks;
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(ticks).toBe(after);
    expect((await jobsOf(kind)).length).toBeGreaterThanOrEqual(1);
    expect((await jobsOf(kind)).length).toBeLessThanOrEqual(2);
  });
});

/**
 * The schedule trigger over a real database: which slots a tick enqueues as
 * `automation.run` jobs, once per slot whatever the number of nodes ticking.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AutomationTrigger, ScheduleCard } from '../../src/domain/automations.js';
import { upcomingRuns } from '../../src/domain/schedule-card.js';
import type { EngineDeps } from '../../src/engine/deps.js';
import { AUTOMATION_RUN } from '../../src/engine/automations/run-job.js';
import {
  automationScheduler,
  automationSchedulerOptions,
  automationSlotKey,
  countScheduleRuns,
} from '../../src/engine/automations/triggers/schedule.js';
import { JobQueue, tickScheduler } from '../../src/jobs/index.js';
import type { Store } from '../../src/store/db.js';
import { insertExecution } from '../../src/store/executions.js';
import { describeEachEngine } from '../helpers/stores.js';
import { insertOrg, openJobStores, waitFor, type JobStores } from '../helpers/jobs.js';

describeEachEngine('automation schedule trigger', (engine) => {
  let stores: JobStores;
  let store: Store;
  let other: Store;
  let orgId: string;

  beforeAll(async () => {
    stores = await openJobStores(engine);
    ({ store, other, orgId } = stores);
    await store.db.updateTable('organisations').set({ time_zone: 'Europe/Amsterdam' }).where('id', '=', orgId).execute();
  });
  afterAll(async () => stores?.dispose());

  async function saveAutomation(
    card: ScheduleCard | AutomationTrigger,
    options: { org?: string; enabled?: boolean; savedAt?: string } = {},
  ): Promise<string> {
    const id = randomUUID();
    const trigger = 'type' in card ? card : { type: 'schedule', schedule: card };
    const savedAt = Date.parse(options.savedAt ?? '2026-01-01T00:00:00Z');
    await store.db
      .insertInto('automations')
      .values({
        id,
        org_id: options.org ?? orgId,
        name: `automation ${id.slice(0, 8)}`,
        enabled: options.enabled === false ? 0 : 1,
        definition: JSON.stringify({ trigger, actions: [{ type: 'log', params: { level: 'info', message: 'tick' } }] }),
        version: 1,
        created_at: savedAt,
        updated_at: savedAt,
      })
      .execute();
    return id;
  }

  /** Ticks once at `at` on the given node; answers the slots of `automationId` now in the jobs table. */
  const tick = (at: string, node: Store = store) => tickScheduler(automationSchedulerOptions(node.db, new JobQueue(node, { now: () => Date.parse(at) })));
  const slotsOf = async (automationId: string) =>
    (
      await store.db
        .selectFrom('jobs')
        .select(['kind', 'unique_key', 'payload', 'run_at', 'org_id'])
        .where('ordering_key', '=', `schedule:${automationId}`)
        .orderBy('run_at')
        .execute()
    ).map((job) => ({ ...job, run_at: new Date(Number(job.run_at)).toISOString(), payload: JSON.parse(job.payload) as unknown }));

  const daily: ScheduleCard = { kind: 'recurring', start: '2026-11-01T09:00', every: { n: 1, unit: 'days' } };

  it('enqueues a due slot once, however often and on however many nodes it ticks', async () => {
    const id = await saveAutomation(daily);
    for (const node of [store, other, store]) await tick('2026-12-01T08:30:00Z', node);
    // 09:00 in Amsterdam (CET) is 08:00Z.
    const slot = new Date('2026-12-01T08:00:00Z');
    expect(await slotsOf(id)).toEqual([
      {
        kind: AUTOMATION_RUN,
        unique_key: automationSlotKey(id, slot),
        payload: { automationId: id, triggerType: 'schedule', trigger: { slot: '2026-12-01T09:00:00+01:00' } },
        run_at: slot.toISOString(),
        org_id: orgId,
      },
    ]);
    await tick('2026-12-02T08:00:00Z', other);
    expect((await slotsOf(id)).map((job) => job.run_at)).toEqual([slot.toISOString(), '2026-12-02T08:00:00.000Z']);
  });

  it('never doubles a slot when two nodes tick at the same moment', async () => {
    const ids = await Promise.all([daily, { ...daily, every: { n: 15, unit: 'minutes' } } as const, { ...daily, maxRuns: 3 }].map((card) => saveAutomation(card)));
    for (const at of ['2026-12-03T08:01:00Z', '2026-12-03T08:16:00Z', '2026-12-03T08:31:00Z']) {
      await Promise.all([tick(at, store), tick(at, other), tick(at, store), tick(at, other)]);
    }
    const jobs = await Promise.all(ids.map(slotsOf));
    expect(jobs.map((slots) => slots.map((job) => job.run_at))).toEqual([
      ['2026-12-03T08:00:00.000Z'],
      ['2026-12-03T08:00:00.000Z', '2026-12-03T08:15:00.000Z', '2026-12-03T08:30:00.000Z'],
      ['2026-12-03T08:00:00.000Z'],
    ]);
  });

  it('stops enqueueing once maxRuns runs happened, counting slots still queued and not skipped runs', async () => {
    const id = await saveAutomation({ kind: 'recurring', start: '2026-12-04T10:00', every: { n: 1, unit: 'hours' }, maxRuns: 3 });
    // 10:00 and 11:00 local: both wait in the queue, and count.
    await tick('2026-12-04T09:00:00Z');
    await tick('2026-12-04T10:00:00Z');
    expect(await countScheduleRuns(store.db, orgId, id)).toBe(2);
    await tick('2026-12-04T11:00:00Z');
    expect(await countScheduleRuns(store.db, orgId, id)).toBe(3);
    await tick('2026-12-04T12:00:00Z');
    expect(await slotsOf(id)).toHaveLength(3);

    // The runner ran the first, skipped the second; the third is still queued.
    const [first, second] = await store.db.selectFrom('jobs').select('id').where('ordering_key', '=', `schedule:${id}`).orderBy('run_at').limit(2).execute();
    await store.db.updateTable('jobs').set({ status: 'completed' }).where('id', 'in', [first!.id, second!.id]).execute();
    const ran = await insertExecution(store.db, { orgId, automationId: id, trigger: 'schedule', status: 'running' });
    await store.db.updateTable('executions').set({ status: 'completed' }).where('id', '=', ran).execute();
    await insertExecution(store.db, { orgId, automationId: id, trigger: 'schedule', status: 'skipped' });
    await insertExecution(store.db, { orgId, automationId: id, trigger: 'schedule', dryRun: true, status: 'running' });
    expect(await countScheduleRuns(store.db, orgId, id)).toBe(2);
    await tick('2026-12-04T12:00:00Z');
    expect((await slotsOf(id)).map((job) => job.run_at)).toEqual([
      '2026-12-04T09:00:00.000Z',
      '2026-12-04T10:00:00.000Z',
      '2026-12-04T11:00:00.000Z',
      '2026-12-04T12:00:00.000Z',
    ]);
    await tick('2026-12-04T13:00:00Z');
    expect(await slotsOf(id)).toHaveLength(4);
    // What the schedule route answers: nothing left to run.
    const trigger = { type: 'schedule', schedule: { kind: 'recurring', start: '2026-12-04T10:00', every: { n: 1, unit: 'hours' }, maxRuns: 3 } } as const;
    expect(upcomingRuns(trigger, 'Europe/Amsterdam', new Date('2026-12-04T13:00:00Z'), 5, await countScheduleRuns(store.db, orgId, id))).toEqual([]);
  });

  it('counts a slot once however many attempts it took, and keeps counting runs whose executions retention has pruned', async () => {
    const id = await saveAutomation({ kind: 'recurring', start: '2026-12-01T10:00', every: { n: 1, unit: 'days' }, maxRuns: 2 });
    const first = { trigger: { slot: '2026-12-01T10:00:00+01:00' } };
    // The first slot: an attempt interrupted, then its retry; the second slot failed.
    for (const [status, input] of [['failed', first], ['completed', first], ['failed', { trigger: { slot: '2026-12-02T10:00:00+01:00' } }]] as const) {
      const ran = await insertExecution(store.db, { orgId, automationId: id, trigger: 'schedule', status: 'running', input });
      await store.db.updateTable('executions').set({ status }).where('id', '=', ran).execute();
    }
    expect(await countScheduleRuns(store.db, orgId, id)).toBe(2);
    await store.db.deleteFrom('executions').where('automation_id', '=', id).execute();
    expect(await countScheduleRuns(store.db, orgId, id)).toBe(2);
    await tick('2026-12-06T09:30:00Z');
    expect(await slotsOf(id)).toEqual([]);
    // Another organisation's runs are its own.
    expect(await countScheduleRuns(store.db, randomUUID(), id)).toBe(0);
  });

  it('schedules neither disabled automations nor other triggers', async () => {
    const off = await saveAutomation(daily, { enabled: false });
    const manual = await saveAutomation({ type: 'manual' });
    await tick('2026-12-05T08:30:00Z');
    expect(await slotsOf(off)).toEqual([]);
    expect(await slotsOf(manual)).toEqual([]);
  });

  it('stops at end', async () => {
    const id = await saveAutomation({ ...daily, end: '2026-12-07T09:00' });
    await tick('2026-12-06T08:30:00Z');
    await tick('2026-12-07T08:30:00Z');
    await tick('2026-12-08T08:30:00Z');
    expect((await slotsOf(id)).map((job) => job.run_at)).toEqual(['2026-12-06T08:00:00.000Z']);
  });

  it('runs the latest missed slot once after downtime, and none more than a day late', async () => {
    const dailyId = await saveAutomation({ ...daily, times: ['09:00', '13:00'] });
    const weeklyId = await saveAutomation({ kind: 'recurring', start: '2026-11-30T09:00', every: { n: 1, unit: 'weeks' } });
    // Nothing ticked since the 9th; on Friday the 11th at 14:30 local.
    await tick('2026-12-11T13:30:00Z');
    expect((await slotsOf(dailyId)).map((job) => job.run_at)).toEqual(['2026-12-11T12:00:00.000Z']);
    // Monday the 7th is four days late: dropped.
    expect(await slotsOf(weeklyId)).toEqual([]);
  });

  it('does not run a slot from before the automation was saved', async () => {
    const id = await saveAutomation(daily, { savedAt: '2026-12-12T08:10:00Z' });
    await tick('2026-12-12T08:20:00Z');
    expect(await slotsOf(id)).toEqual([]);
    await tick('2026-12-13T08:00:00Z');
    expect((await slotsOf(id)).map((job) => job.run_at)).toEqual(['2026-12-13T08:00:00.000Z']);
  });

  it("reads a card without a time zone in its organisation's, and reports a broken card without stopping the others", async () => {
    const kolkata = await insertOrg(store.db);
    await store.db.updateTable('organisations').set({ time_zone: 'Asia/Kolkata' }).where('id', '=', kolkata).execute();
    const there = await saveAutomation(daily, { org: kolkata });
    const broken = await saveAutomation({ ...daily, start: 'tomorrow' });
    const result = await tick('2026-12-14T04:00:00Z');
    expect(result.errors.map((e) => e.id)).toEqual([broken]);
    await store.db.updateTable('automations').set({ enabled: 0 }).where('id', '=', broken).execute();
    // 09:00 in Kolkata is 03:30Z.
    expect(await slotsOf(there)).toEqual([expect.objectContaining({ org_id: kolkata, run_at: '2026-12-14T03:30:00.000Z' })]);
  });

  it('ticks as a background service until stopped', async () => {
    const id = await saveAutomation({ kind: 'recurring', start: '2026-01-01T00:00', every: { n: 1, unit: 'minutes' } });
    // The service reads only the store and the queue of the engine's dependencies.
    const stop = automationScheduler({ intervalMs: 10 })({ store, queue: new JobQueue(store) } as unknown as EngineDeps);
    try {
      await waitFor(async () => (await slotsOf(id)).length > 0);
    } finally {
      await stop();
    }
    expect((await slotsOf(id))[0]!.run_at.endsWith(':00.000Z')).toBe(true);
  });
});


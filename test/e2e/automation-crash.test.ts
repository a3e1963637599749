/**
 * Entity-triggered automations ride the outbox as PUSH hooks do: kill -9 a real
 * `hookyard serve` while changes are being written and automation runs are pending or
 * under way, restart it, and every committed change still reaches the automation at
 * least once (its `http_request` action posts the event id to a receiver), and each
 * ends with a completed execution of the automation.
 */
import { expect, it } from 'vitest';
import { RECEIVER_HOST, crashRig } from '../helpers/crash-rig.js';
import { describeEachEngine } from '../helpers/stores.js';

const CHANGES = 400;
const PARALLEL = 4;

describeEachEngine('entity-triggered automations survive kill -9 of hookyard serve', (engine) => {
  const rig = crashRig(engine, 'automation-crash');

  it('runs the automation for every committed change at least once after a kill -9 amid writes and runs', { timeout: 240_000 }, async () => {
    await rig.start();
    const automation = await rig.api('POST', '/v1/automations', {
      name: 'to receiver',
      trigger: { type: 'entity', entityType: 'project', events: ['create'] },
      actions: [{ type: 'http_request', params: { method: 'POST', url: `https://${RECEIVER_HOST}/events`, body: { id: '{{event.id}}', entityId: '{{event.entityId}}' } } }],
    });
    expect(automation.status, await automation.clone().text()).toBe(201);
    const before = await rig.writeThroughKill(CHANGES, PARALLEL);

    /** The events whose run of the automation completed: its execution stores the event id. */
    const completed = async () => {
      const rows = await rig.store().db.selectFrom('executions').select('input').where('automation_id', 'is not', null).where('status', '=', 'completed').execute();
      return new Set(rows.map((r) => (JSON.parse(r.input ?? '{}') as { eventId?: string }).eventId));
    };
    const deadline = Date.now() + 180_000;
    let missing: string[] = [];
    let unfinished: string[] = [];
    do {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const events = await rig.committed();
      const done = await completed();
      missing = events.filter((id) => !rig.delivered.has(id));
      // A run interrupted after its request was sent runs again once its lease lapses.
      unfinished = events.filter((id) => !done.has(id));
    } while ((missing.length > 0 || unfinished.length > 0) && Date.now() < deadline);

    const events = await rig.committed();
    expect(before.acknowledged).toBeLessThan(CHANGES);
    expect(before.delivered).toBeLessThan(events.length);
    expect(events.length).toBeGreaterThanOrEqual(CHANGES);
    expect(missing).toEqual([]);
    expect(unfinished).toEqual([]);
    expect([...rig.delivered].every((id) => events.includes(id))).toBe(true);
  });
});

import { expect, it } from 'vitest';
import { RECEIVER_HOST, crashRig } from '../helpers/crash-rig.js';
import { describeEachEngine } from '../helpers/stores.js';

const CHANGES = 1000;
/** Writes in flight at once: few enough that deliveries keep up and the kill lands amid both. */
const PARALLEL = 4;

const HOOK = `async function run(ctx) {
  const res = await ctx.http.post('https://${RECEIVER_HOST}/events', { id: ctx.event.id, entityId: ctx.event.entityId });
  if (res.status !== 200) throw new Error('receiver answered ' + res.status);
}`;

describeEachEngine('PUSH delivery survives kill -9 of hookyard serve', (engine) => {
  const rig = crashRig(engine, 'crash');

  it('delivers every committed change at least once after a kill -9 in the middle of writes and deliveries', { timeout: 240_000 }, async () => {
    await rig.start();
    const integration = (await (await rig.api('POST', '/v1/integrations', { name: 'Receiver', sourceSystemKey: 'receiver' })).json()) as { id: string };
    const hook = await rig.api('POST', `/v1/integrations/${integration.id}/hooks`, { name: 'to receiver', type: 'push', entityType: 'project', code: HOOK });
    expect(hook.status).toBe(201);
    const before = await rig.writeThroughKill(CHANGES, PARALLEL);

    const deadline = Date.now() + 180_000;
    let missing: string[] = [];
    do {
      await new Promise((resolve) => setTimeout(resolve, 250));
      missing = (await rig.committed()).filter((id) => !rig.delivered.has(id));
    } while (missing.length > 0 && Date.now() < deadline);

    const events = await rig.committed();
    expect(before.acknowledged).toBeLessThan(CHANGES);
    expect(before.delivered).toBeLessThan(events.length);
    expect(events.length).toBeGreaterThanOrEqual(CHANGES);
    expect(missing).toEqual([]);
    expect([...rig.delivered].every((id) => events.includes(id))).toBe(true);
  });
});

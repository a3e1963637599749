import { afterAll, beforeAll, expect, it } from 'vitest';
import { ExecutionRecorder } from '../../src/engine/execution-recorder.js';
import type { Store } from '../../src/store/db.js';
import { insertOrg, waitFor } from '../helpers/jobs.js';
import { describeEachEngine, freshStore } from '../helpers/stores.js';

describeEachEngine('the execution recorder', (engine) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let orgId: string;

  beforeAll(async () => {
    ({ store, dispose } = await freshStore(engine));
    orgId = await insertOrg(store.db);
  });
  afterAll(async () => dispose?.());

  let next = 0;
  const run = (trigger: 'inbound' | 'api' = 'inbound') => ({ id: `exec-${engine.name}-${++next}`, orgId, trigger, status: 'completed' as const, startedAt: Date.now(), finishedAt: Date.now() });
  const count = async (trigger: string) =>
    Number((await store.db.selectFrom('executions').select((eb) => eb.fn.countAll().as('n')).where('org_id', '=', orgId).where('trigger', '=', trigger).executeTakeFirstOrThrow()).n);

  it('writes a run recorded alone without being asked to', async () => {
    const recorder = new ExecutionRecorder(store.db, (error) => expect.fail(error.message));
    recorder.record(run('api'));
    await waitFor(async () => (await count('api')) === 1);
  });

  it('writes every run of a burst larger than one insert, and flush resolves once they are stored', async () => {
    const recorder = new ExecutionRecorder(store.db, (error) => expect.fail(error.message));
    for (let i = 0; i < 250; i++) recorder.record(run());
    await recorder.flush();
    expect(await count('inbound')).toBe(250);
    // Records that arrive while a write is under way are written by the next one.
    for (let i = 0; i < 3; i++) recorder.record(run());
    const writing = recorder.flush();
    recorder.record(run());
    await writing;
    await recorder.flush();
    expect(await count('inbound')).toBe(254);
  });
});

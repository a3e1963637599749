import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine, freshStore } from '../../test/helpers/stores.js';
import type { Store } from './db.js';
import { appendEvent } from './events.js';
import { onOutboxWrite } from './outbox-signal.js';

describeEachEngine('the outbox signal', (engine) => {
  let store: Store;
  let dispose: () => Promise<void>;
  const orgId = 'org-signal';
  beforeAll(async () => {
    ({ store, dispose } = await freshStore(engine));
    await store.db.insertInto('organisations').values({ id: orgId, slug: orgId, name: 'Signal', time_zone: 'UTC', created_at: 0 }).execute();
  });
  afterAll(async () => dispose?.());

  const change = { orgId, entityType: 'employee' as const, entityId: 'e1', changeType: 'create' as const, before: null, after: null, source: { kind: 'api' as const, apiKeyId: 'k' } };

  /** How many signals `work` made, counted once it is over. */
  async function signals(work: () => Promise<unknown>): Promise<number> {
    let count = 0;
    const off = onOutboxWrite(() => count++);
    try {
      await work().catch((e: Error) => { if (e.message !== "rolled back") throw e; });
      return count;
    } finally {
      off();
    }
  }

  it('signals once a transaction that wrote events commits, not before, and not at all when it rolls back', async () => {
    let before = -1;
    let inside = -1;
    expect(
      await signals(async () => {
        before = await signals(() => Promise.resolve());
        await store.db.transaction().execute(async (trx) => {
          let count = 0;
          const off = onOutboxWrite(() => count++);
          await appendEvent(trx, change);
          await appendEvent(trx, change);
          inside = count;
          off();
        });
      }),
    ).toBe(1);
    expect([before, inside]).toEqual([0, 0]);

    expect(
      await signals(() =>
        store.db.transaction().execute(async (trx) => {
          await appendEvent(trx, change);
          throw new Error('rolled back');
        }),
      ),
    ).toBe(0);
    // A statement outside a transaction signals once it is done; one that writes no events does not.
    expect(await signals(() => appendEvent(store.db, change))).toBe(1);
    expect(await signals(() => store.db.updateTable('organisations').set({ name: 'x' }).where('id', '=', orgId).execute())).toBe(0);
  });
});

import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createApiKey, authenticateApiKey, revokeApiKey } from '../../src/store/api-keys.js';
import { openStore, type Store } from '../../src/store/db.js';
import { createEntity } from '../../src/store/entities.js';
import { cachedRead } from '../../src/store/read-cache.js';
import { deferred, insertOrg } from '../helpers/jobs.js';
import { describeEachEngine, freshStore } from '../helpers/stores.js';

describeEachEngine('cached configuration reads', (engine) => {
  let store: Store;
  let dispose: () => Promise<void>;
  let databaseUrl: string | undefined;
  let orgId: string;
  const cached = true;

  beforeAll(async () => {
    ({ store, dispose, databaseUrl } = await freshStore(engine));
    orgId = await insertOrg(store.db);
  });
  afterAll(async () => dispose?.());

  /** Waits until `store`'s cache keeps values (PostgreSQL: listening, no write of its own unconfirmed). */
  async function settled(on: Store = store): Promise<void> {
    for (let attempt = 0; attempt < 200; attempt++) {
      let loads = 0;
      const probe = () => cachedRead(on.db, `probe-${attempt}`, async () => ++loads);
      await probe();
      await probe();
      if (loads === 1) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('the cache never kept a value');
  }
  // On PostgreSQL, a write of the store's own (the migrations, the test before) keeps the
  // cache off until the commit's notification arrives.
  beforeEach(() => settled());

  /** A read under `key` that counts its loads. */
  function counter(key: string) {
    let loads = 0;
    return {
      read: () => cachedRead(store.db, key, async () => ({ load: ++loads, nested: { list: [1] } })),
      get loads() {
        return loads;
      },
    };
  }

  const writes: Record<string, () => Promise<unknown>> = {
    api_keys: () => store.db.updateTable('api_keys').set({ last_used_at: Date.now() }).where('org_id', '=', orgId).execute(),
    custom_attributes: () => store.db.deleteFrom('custom_attributes').where('org_id', '=', 'none').execute(),
    hooks: () => store.db.updateTable('hooks').set({ enabled: 1 }).where('org_id', '=', 'none').execute(),
    integrations: () => store.db.deleteFrom('integrations as i').where('i.org_id', '=', 'none').execute(),
    organisations: () => store.db.updateTable('organisations').set({ name: 'Renamed' }).where('id', '=', orgId).execute(),
    secrets: () => store.db.deleteFrom('secrets').where('org_id', '=', 'none').execute(),
  };

  it(cached ? 'reads once, then serves frozen values until a cached table is written' : 'reads the database every time', async () => {
    const value = counter('frozen');
    const first = await value.read();
    const second = await value.read();
    expect(value.loads).toBe(cached ? 1 : 2);
    if (cached) {
      expect(second).toBe(first);
      expect(() => (first.nested.list as number[]).push(2)).toThrow(TypeError);
    }
  });

  if (cached) {
    it.each(Object.keys(writes))('a write to %s empties the cache', async (table) => {
      const value = counter(`write-${table}`);
      await value.read();
      await value.read();
      expect(value.loads).toBe(1);
      await writes[table]!();
      await value.read();
      expect(value.loads).toBe(2);
    });

    it('a write to other tables, and a read, keep it', async () => {
      const value = counter('other-tables');
      await value.read();
      await store.db.insertInto('entities').values({ id: 'cache-test', org_id: orgId, type: 'project', data: '{}', version: 1, created_at: 0, updated_at: 0 }).execute();
      // An entity write through its transaction (on this store, a savepoint of a group commit).
      await createEntity(store.db, { orgId, type: 'project', data: { name: 'Cached' }, source: { kind: 'api', apiKeyId: 'k' } });
      await store.db.selectFrom('hooks').selectAll().execute();
      await value.read();
      expect(value.loads).toBe(1);
    });

    it('does not keep a read that found nothing', async () => {
      let loads = 0;
      const read = () => cachedRead(store.db, 'nothing', async () => void loads++);
      await read();
      await read();
      expect(loads).toBe(2);
    });

    it('does not keep a read that a write overlapped', async () => {
      const gate = deferred();
      let loads = 0;
      const read = () =>
        cachedRead(store.db, 'overlap', async () => {
          loads++;
          if (loads === 1) await gate.promise;
          return loads;
        });
      const pending = read();
      await writes.hooks!();
      gate.resolve();
      expect(await pending).toBe(1);
      expect(await read()).toBe(2);
    });
  }

  if (engine.name === 'postgres') {
    it("another process's write empties the cache once its notification arrives", async () => {
      const other = openStore({ dataDir: '', databaseUrl });
      try {
        const value = counter('elsewhere');
        await value.read();
        await value.read();
        expect(value.loads).toBe(1);
        await other.db.updateTable('organisations').set({ name: 'Renamed elsewhere' }).where('id', '=', orgId).execute();
        for (let attempt = 0; attempt < 200 && value.loads === 1; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          await value.read();
        }
        expect(value.loads).toBe(2);
      } finally {
        await other.close();
      }
    });
  }

  it('never serves a transaction from the cache', async () => {
    const value = counter('transaction');
    await value.read();
    await store.db.transaction().execute(async (trx) => {
      await cachedRead(trx, 'transaction', async () => 'loaded in the transaction');
      expect(await cachedRead(trx, 'transaction', async () => 'again')).toBe('again');
    });
  });

  it('a revoked API key stops working at once, and a rolled-back revocation leaves it working', async () => {
    const { key, info } = await createApiKey(store.db, { orgId, name: 'cached', role: 'viewer' });
    expect(await authenticateApiKey(store.db, key)).toMatchObject({ apiKeyId: info.id });
    await store.db
      .transaction()
      .execute(async (trx) => {
        await revokeApiKey(trx, orgId, info.id);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await authenticateApiKey(store.db, key)).toMatchObject({ apiKeyId: info.id });
    await revokeApiKey(store.db, orgId, info.id);
    expect(await authenticateApiKey(store.db, key)).toBeUndefined();
  });
});

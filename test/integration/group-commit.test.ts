import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate, openStore, type Store } from '../../src/store/db.js';
import { inTransaction } from '../../src/store/transaction.js';
import { insertOrg } from '../helpers/jobs.js';
import { describeEachEngine } from '../helpers/stores.js';

/**
 * inTransaction's contract, which the embedded store keeps while it commits the writes
 * that start in one event-loop turn together (group commit).
 */
describeEachEngine('entity write transactions', (engine) => {
  let store: Store;
  /** A second connection (pool) on the same database: it sees only what was committed. */
  let other: Store;
  let drop: () => Promise<void>;
  let orgId: string;

  beforeAll(async () => {
    const target = await engine.createDatabase();
    drop = target.drop;
    store = openStore(target);
    await migrate(store);
    other = openStore(target);
    orgId = await insertOrg(store.db);
  });
  afterAll(async () => {
    await other?.close();
    await store?.close();
    await drop?.();
  });

  const insert = (db: typeof store.db, id: string) =>
    db.insertInto('entities').values({ id, org_id: orgId, type: 'project', data: '{}', version: 1, created_at: 0, updated_at: 0 }).execute();
  const exists = async (id: string) => (await other.db.selectFrom('entities').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;

  it('runs writes that start together each on its own: one that throws leaves nothing, the others commit', async () => {
    const results = await Promise.allSettled([
      inTransaction(store.db, async (trx) => (await insert(trx, 'together-a'), 'a')),
      inTransaction(store.db, async (trx) => {
        await insert(trx, 'together-b');
        throw new Error('b changed its mind');
      }),
      inTransaction(store.db, async (trx) => (await insert(trx, 'together-c'), 'c')),
    ]);
    expect(results).toEqual([
      { status: 'fulfilled', value: 'a' },
      { status: 'rejected', reason: new Error('b changed its mind') },
      { status: 'fulfilled', value: 'c' },
    ]);
    expect([await exists('together-a'), await exists('together-b'), await exists('together-c')]).toEqual([true, false, true]);
  });

  it('a write alone that throws leaves nothing, and the next one commits', async () => {
    await expect(
      inTransaction(store.db, async (trx) => {
        await insert(trx, 'alone-a');
        throw new Error('a changed its mind');
      }),
    ).rejects.toThrow('a changed its mind');
    expect(await inTransaction(store.db, async (trx) => (await insert(trx, 'alone-b'), 'b'))).toBe('b');
    expect([await exists('alone-a'), await exists('alone-b')]).toEqual([false, true]);
  });

  it('answers a caller only once its write is committed, visible to every other connection', async () => {
    const writes = Array.from({ length: 5 }, (_, i) =>
      inTransaction(store.db, async (trx) => {
        await insert(trx, `committed-${i}`);
        return `committed-${i}`;
      }).then(exists),
    );
    expect(await Promise.all(writes)).toEqual([true, true, true, true, true]);
  });

  // The embedded store runs them one after the other; PostgreSQL runs them side by side.
  if (engine.name === 'sqlite') {
    it('a later write in the same turn sees the earlier ones, as sequential transactions would', async () => {
      const [, seen] = await Promise.all([
        inTransaction(store.db, (trx) => insert(trx, 'first')),
        inTransaction(store.db, async (trx) => (await trx.selectFrom('entities').select('id').where('id', '=', 'first').executeTakeFirst())?.id),
      ]);
      expect(seen).toBe('first');
    });
  }

  it('runs inside a transaction the caller already holds, and rolls back with it', async () => {
    await store.db
      .transaction()
      .execute(async (trx) => {
        await inTransaction(trx, (inner) => insert(inner, 'joined'));
        throw new Error('the outer transaction fails');
      })
      .catch(() => undefined);
    expect(await exists('joined')).toBe(false);
  });
});

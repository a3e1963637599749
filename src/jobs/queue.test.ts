import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachEngine } from '../../test/helpers/stores.js';
import type { Store } from '../store/db.js';
import { exponentialBackoff } from './backoff.js';
import { claimJobs, completeJobs, enqueueJobs, failJob, renewLeases, type ClaimOptions } from './queue.js';
import { openJobStores, uniqueKind, type JobStores } from '../../test/helpers/jobs.js';
import type { ClaimedJob } from './types.js';

const T0 = 1_700_000_000_000;

describeEachEngine('job queue', (engine) => {
  let store: Store;
  let other: Store;
  let stores: JobStores;
  let orgId: string;

  beforeAll(async () => {
    stores = await openJobStores(engine);
    ({ store, other, orgId } = stores);
  });

  afterAll(async () => stores?.dispose());

  const claim = (kind: string, options: Partial<ClaimOptions> = {}, s: Store = store): Promise<ClaimedJob[]> =>
    claimJobs(s.db, { dialect: s.engine.name, workerId: 'w1', kinds: [kind], limit: 10, leaseMs: 30_000, now: T0, ...options });

  const row = (id: string) => store.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('enqueues, claims and completes a job', async () => {
    const kind = uniqueKind('basic');
    const [id] = await enqueueJobs(store.db, [{ kind, orgId, payload: { hello: 'world' } }], T0);
    const [job, ...rest] = await claim(kind);
    expect(rest).toEqual([]);
    expect(job).toMatchObject({ id, kind, orgId, payload: { hello: 'world' }, attempt: 1, maxAttempts: 1, recovery: false, exhausted: false });
    expect(job!.leaseExpiresAt).toBe(T0 + 30_000);
    expect(await claim(kind)).toEqual([]);
    expect(await completeJobs(store.db, [job!], T0 + 5)).toEqual(new Set([job!.id]));
    expect(await row(id!)).toMatchObject({ status: 'completed', lease_owner: null, attempts: 1 });
  });


  // A worker's claims read expired leases about once a second; the others are one statement.
  for (const [path, recover] of [['one statement', false], ['with the recovery read', true]] as const) {
    const claimAs = (kind: string, options: Partial<ClaimOptions> = {}, s: Store = store) => claim(kind, { recover, ...options }, s);

    it(`claims the oldest due jobs first, up to the limit, each with its lease and attempt counted (${path})`, async () => {
      const kind = uniqueKind('order');
      const [late, early, middle] = await enqueueJobs(store.db, [T0 + 2, T0, T0 + 1].map((runAt) => ({ kind, orgId, runAt })), T0);
      const jobs = await claimAs(kind, { limit: 2, now: T0 + 5, leaseMs: 1000 });
      expect(jobs.map((j) => [j.id, j.attempt, j.recovery, j.leaseExpiresAt])).toEqual([
        [early, 1, false, T0 + 1005],
        [middle, 1, false, T0 + 1005],
      ]);
      expect(jobs[0]!.lease).toBe(jobs[1]!.lease);
      expect(await row(early!)).toMatchObject({ status: 'running', attempts: 1, lease_owner: jobs[0]!.lease, updated_at: T0 + 5 });
      expect(await row(late!)).toMatchObject({ status: 'pending', attempts: 0, lease_owner: null });
    });

    it(`does not claim a job before its run time (${path})`, async () => {
      const kind = uniqueKind('later');
      await enqueueJobs(store.db, [{ kind, orgId, runAt: T0 + 1000 }], T0);
      expect(await claimAs(kind)).toEqual([]);
      expect(await claimAs(kind, { now: T0 + 1000 })).toHaveLength(1);
    });

    it(`never gives the same job to two concurrent claimers (${path})`, async () => {
      const kind = uniqueKind('race');
      await enqueueJobs(store.db, Array.from({ length: 60 }, (_, i) => ({ kind, orgId, payload: i })), T0);
      const claimer = async (s: Store, workerId: string): Promise<string[]> => {
        const ids: string[] = [];
        for (;;) {
          const jobs = await claimAs(kind, { workerId, limit: 3 }, s);
          if (jobs.length === 0) return ids;
          ids.push(...jobs.map((j) => j.id));
        }
      };
      const results = await Promise.all([1, 2, 3, 4].flatMap((n) => [claimer(store, `a${n}`), claimer(other, `b${n}`)]));
      const all = results.flat();
      expect(all).toHaveLength(60);
      expect(new Set(all).size).toBe(60);
    });

    it(`runs the jobs of one ordering key one at a time, oldest first, while other keys run (${path})`, async () => {
      const kind = uniqueKind('ordering');
      const [a1, a2, a3] = await enqueueJobs(store.db, [1, 2, 3].map((n) => ({ kind, orgId, payload: `a${n}`, orderingKey: `${kind}:a` })), T0);
      const [b1] = await enqueueJobs(store.db, [{ kind, orgId, payload: 'b1', orderingKey: `${kind}:b` }], T0);
      const [free] = await enqueueJobs(store.db, [{ kind, orgId, payload: 'free' }], T0);

      const first = await claimAs(kind);
      expect(first.map((j) => j.id).sort()).toEqual([a1, b1, free].sort());
      expect(await claimAs(kind)).toEqual([]);

      await completeJobs(store.db, [first.find((j) => j.id === a1)!], T0);
      const second = await claimAs(kind);
      expect(second.map((j) => j.id)).toEqual([a2]);

      // A failed attempt waiting for its retry still holds back the newer events of its entity.
      await failJob(store.db, { ...second[0]!, maxAttempts: 2 }, new Error('remote down'), { backoff: () => 1000, now: T0 });
      expect(await claimAs(kind, { now: T0 + 999 })).toEqual([]);
      const retry = await claimAs(kind, { now: T0 + 1000 });
      expect(retry.map((j) => j.id)).toEqual([a2]);
      await completeJobs(store.db, [retry[0]!], T0 + 1000);
      expect((await claimAs(kind, { now: T0 + 1000 })).map((j) => j.id)).toEqual([a3]);
    });
  }

  it('skips a job whose unique key already exists, without an error', async () => {
    const kind = uniqueKind('unique');
    const first = await enqueueJobs(store.db, [{ kind, orgId, uniqueKey: `${kind}:slot` }], T0);
    const again = await enqueueJobs(store.db, [{ kind, orgId, uniqueKey: `${kind}:slot` }, { kind, orgId, uniqueKey: `${kind}:other` }], T0);
    expect(first).toHaveLength(1);
    expect(again).toHaveLength(1);
    const jobs = await store.db.selectFrom('jobs').select('unique_key').where('kind', '=', kind).orderBy('unique_key').execute();
    expect(jobs.map((j) => j.unique_key)).toEqual([`${kind}:other`, `${kind}:slot`]);
  });

  it('leaves no job when the transaction that enqueued it rolls back', async () => {
    const kind = uniqueKind('rollback');
    await expect(
      store.db.transaction().execute(async (trx) => {
        await enqueueJobs(trx, [{ kind, orgId }], T0);
        throw new Error('the entity write failed');
      }),
    ).rejects.toThrow('the entity write failed');
    expect(await claim(kind)).toEqual([]);
    await store.db.transaction().execute((trx) => enqueueJobs(trx, [{ kind, orgId }], T0));
    expect(await claim(kind)).toHaveLength(1);
  });



  it('retries a failed job with exponential backoff, then marks it failed after max attempts', async () => {
    const kind = uniqueKind('retry');
    const backoff = exponentialBackoff({ baseMs: 1000, maxMs: 60_000 });
    const [id] = await enqueueJobs(store.db, [{ kind, orgId, maxAttempts: 3 }], T0);

    let now = T0;
    let [job] = await claim(kind, { now });
    expect(await failJob(store.db, job!, new Error('HTTP 503'), { backoff, now })).toBe('pending');
    expect(await row(id!)).toMatchObject({ status: 'pending', run_at: now + 1000, last_error: 'HTTP 503', lease_owner: null });

    expect(await claim(kind, { now: now + 999 })).toEqual([]);
    now += 1000;
    [job] = await claim(kind, { now });
    expect(job!.attempt).toBe(2);
    expect(await failJob(store.db, job!, new Error('HTTP 502'), { backoff, now })).toBe('pending');
    expect((await row(id!)).run_at).toBe(now + 2000);

    now += 2000;
    [job] = await claim(kind, { now });
    expect(job!.attempt).toBe(3);
    expect(await failJob(store.db, job!, new Error('HTTP 500'), { backoff, now })).toBe('failed');
    expect(await row(id!)).toMatchObject({ status: 'failed', attempts: 3, last_error: 'HTTP 500' });
    expect(await claim(kind, { now: now + 3_600_000 })).toEqual([]);
  });

  it('caps the backoff', () => {
    const backoff = exponentialBackoff({ baseMs: 1000, maxMs: 5000 });
    expect([1, 2, 3, 4, 10].map(backoff)).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it('reclaims a job whose lease expired and flags it as the recovery of an interrupted attempt', async () => {
    const kind = uniqueKind('lease');
    const [id] = await enqueueJobs(store.db, [{ kind, orgId, maxAttempts: 2 }], T0);
    const [dead] = await claim(kind, { workerId: 'dead', leaseMs: 1000 });
    expect(await claim(kind, { now: T0 + 999 })).toEqual([]);

    const [recovered] = await claim(kind, { workerId: 'alive', now: T0 + 1000 });
    expect(recovered).toMatchObject({ id, attempt: 2, recovery: true, exhausted: false });
    // The interrupted worker comes back: its lease token no longer holds the job.
    expect(await completeJobs(store.db, [dead!], T0 + 1001)).toEqual(new Set());
    expect([...(await renewLeases(store.db, [dead!, recovered!], 1000, T0 + 1001))]).toEqual([id]);
    expect(await completeJobs(store.db, [recovered!], T0 + 1002)).toEqual(new Set([id]));
  });

  it('completes the jobs it is given in one statement, each only with its own lease', async () => {
    const kind = uniqueKind('complete-many');
    const ids = await enqueueJobs(store.db, [0, 1, 2, 3].map(() => ({ kind, orgId })), T0);
    const [a, b] = await claim(kind, { workerId: 'one', limit: 2 });
    const [c] = await claim(kind, { workerId: 'two', limit: 1 });
    const [d] = await claim(kind, { workerId: 'two', limit: 1 });
    // c with the token of d's claim holds nothing, though one worker made both claims.
    const done = await completeJobs(store.db, [a!, b!, { id: c!.id, lease: d!.lease }], T0 + 5);
    expect(done).toEqual(new Set([ids[0], ids[1]]));
    const rows = await Promise.all(ids.map((jobId) => row(jobId)));
    expect(rows.map((r) => [r.status, r.lease_owner, r.updated_at])).toEqual([
      ['completed', null, T0 + 5],
      ['completed', null, T0 + 5],
      ['running', c!.lease, T0],
      ['running', d!.lease, T0],
    ]);
    // A job completed already is not completed again.
    expect(await completeJobs(store.db, [a!, c!], T0 + 6)).toEqual(new Set([c!.id]));
    expect((await row(ids[0]!)).updated_at).toBe(T0 + 5);
  });

  it('claims an interrupted last attempt once more only to close it', async () => {
    const kind = uniqueKind('exhausted');
    const [id] = await enqueueJobs(store.db, [{ kind, orgId, maxAttempts: 1 }], T0);
    await claim(kind, { leaseMs: 1000 });
    const [job] = await claim(kind, { now: T0 + 5000 });
    expect(job).toMatchObject({ id, attempt: 1, recovery: true, exhausted: true });
    expect(await failJob(store.db, job!, new Error('interrupted'), { backoff: () => 0, now: T0 + 5000 })).toBe('failed');
  });

  it('claims only the kinds asked for', async () => {
    const kind = uniqueKind('wanted');
    await enqueueJobs(store.db, [{ kind: uniqueKind('unwanted'), orgId }, { kind, orgId }], T0);
    expect((await claim(kind)).map((j) => j.kind)).toEqual([kind]);
  });

  it('refuses a max attempts below one', async () => {
    await expect(enqueueJobs(store.db, [{ kind: 'x', orgId, maxAttempts: 0 }], T0)).rejects.toThrow(/maxAttempts/);
  });
});

import { CompiledQuery } from 'kysely';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { describeEachEngine } from '../../test/helpers/stores.js';
import type { JobMetrics } from './job-metrics.js';
import type { Store } from '../store/db.js';
import { HandlerTable } from './handler-table.js';
import { JobQueue } from './job-queue.js';
import { claimJobs } from './queue.js';
import { newId } from '../domain/ids.js';
import { finishedExecutionsInsert } from '../store/executions.js';
import { deferred, openJobStores, uniqueKind, waitFor, type JobStores } from '../../test/helpers/jobs.js';
import type { ClaimedJob } from './types.js';
import { JobWorker, type JobWorkerOptions } from './worker.js';

describeEachEngine('job worker', (engine) => {
  let store: Store;
  let other: Store;
  let stores: JobStores;
  let queue: JobQueue;
  let orgId: string;
  const errors: Error[] = [];

  beforeAll(async () => {
    stores = await openJobStores(engine);
    ({ store, other, orgId } = stores);
    queue = new JobQueue(store);
  });

  afterAll(async () => stores?.dispose());

  const status = async (id: string) => (await store.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow());

  /** A job kind whose handler signals `started`, then runs until `release`. */
  function blockingKind(label: string) {
    const kind = uniqueKind(label);
    const handlers = new HandlerTable();
    const started = deferred();
    const release = deferred();
    handlers.register(kind, {
      async run() {
        started.resolve();
        await release.promise;
      },
    });
    return { kind, handlers, started, release };
  }

  /** A job of `kind` claimed by a worker that then died: its lease has run out. */
  async function abandonedJob(kind: string, maxAttempts: number): Promise<string> {
    const [id] = await queue.enqueue({ kind, orgId, maxAttempts });
    await claimJobs(store.db, { dialect: store.engine.name, workerId: 'dead', kinds: [kind], limit: 1, leaseMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    return id!;
  }

  /** Runs `body` with a started worker and always stops it. */
  async function withWorker(handlers: HandlerTable, options: Partial<JobWorkerOptions>, body: (worker: JobWorker) => Promise<void>): Promise<void> {
    const worker = new JobWorker({ queue, handlers, pollIntervalMs: 20, leaseMs: 5000, onError: (e) => errors.push(e), ...options });
    await worker.start();
    try {
      await body(worker);
    } finally {
      await worker.stop({ timeoutMs: 1000 });
    }
  }

  it('runs the handlers of its kinds, at most `concurrency` at once, and completes their jobs', async () => {
    const kind = uniqueKind('run');
    const handlers = new HandlerTable();
    const seen: unknown[] = [];
    let active = 0;
    let peak = 0;
    handlers.register<number>(kind, {
      async run(job) {
        active += 1;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setTimeout(resolve, 20));
        seen.push(job.payload);
        active -= 1;
      },
    });
    await withWorker(handlers, { concurrency: 3 }, async () => {
      const ids = await queue.enqueue(Array.from({ length: 8 }, (_, i) => ({ kind, orgId, payload: i })));
      await waitFor(async () => (await Promise.all(ids.map(status))).every((j) => j.status === 'completed'));
    });
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBeLessThanOrEqual(3);
    expect(peak).toBeGreaterThan(1);
  });

  it('records anything a handler throws as the error of the attempt', async () => {
    const kind = uniqueKind('throw');
    const handlers = new HandlerTable();
    handlers.register(kind, {
      async run() {
        throw 'not an Error';
      },
    });
    await withWorker(handlers, {}, async () => {
      const [id] = await queue.enqueue({ kind, orgId });
      await waitFor(async () => (await status(id!)).status === 'failed');
      expect((await status(id!)).last_error).toBe('not an Error');
    });
  });

  it('is woken by an enqueue instead of waiting for the poll', async () => {
    const kind = uniqueKind('wake');
    const handlers = new HandlerTable();
    const ran = deferred();
    handlers.register(kind, { run: async () => ran.resolve() });
    await withWorker(handlers, { pollIntervalMs: 60_000 }, async () => {
      // Let the worker finish its first claim and go to sleep for the long poll.
      await new Promise((resolve) => setTimeout(resolve, 100));
      // PostgreSQL: enqueued through another pool, as another process would, woken by NOTIFY.
      await new JobQueue(other).enqueue({ kind, orgId });
      await ran.promise;
    });
  });

  it('stop waits for running jobs to finish', async () => {
    const { kind, handlers, started, release } = blockingKind('graceful');
    const worker = new JobWorker({ queue, handlers, pollIntervalMs: 20, onError: (e) => errors.push(e) });
    await worker.start();
    const [id] = await queue.enqueue({ kind, orgId });
    await started.promise;
    let stopped = false;
    const stopping = worker.stop({ timeoutMs: 10_000 }).then((result) => {
      stopped = true;
      return result;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(false);
    release.resolve();
    expect(await stopping).toEqual({ abandoned: [] });
    expect((await status(id!)).status).toBe('completed');
  });

  it('commits the writes a handler adds with atOutcome together with the outcome of its attempt', async () => {
    const kind = uniqueKind('outcome');
    const handlers = new HandlerTable();
    handlers.register<string>(kind, {
      async run(job, ctx) {
        ctx.atOutcome((db) => db.updateTable('jobs').set({ payload: JSON.stringify(`${job.payload} written`) }).where('id', '=', job.id).execute());
        if (job.payload === 'fails') throw new Error('no luck');
      },
    });
    await withWorker(handlers, {}, async () => {
      const [done, failed] = await queue.enqueue([
        { kind, orgId, payload: 'completes' },
        { kind, orgId, payload: 'fails', maxAttempts: 1 },
      ]);
      await waitFor(async () => (await status(done!)).status === 'completed' && (await status(failed!)).status === 'failed');
      expect((await status(done!)).payload).toBe('"completes written"');
      expect(await status(failed!)).toMatchObject({ payload: '"fails written"', last_error: 'no luck' });
    });
  });

  it('writes the outcomes of jobs that end together, even when one of them cannot be written', async () => {
    const kind = uniqueKind('outcome-batch');
    const handlers = new HandlerTable();
    const release = deferred();
    handlers.register<string>(kind, {
      async run(job, ctx) {
        await release.promise;
        // A write that fails (no such table) must not take the other outcomes with it.
        if (job.payload === 'bad') ctx.atOutcome((db) => db.deleteFrom('no_such_table' as 'jobs').execute());
      },
    });
    const jobErrors: Error[] = [];
    await withWorker(handlers, { concurrency: 4, onError: (e) => jobErrors.push(e) }, async (worker) => {
      const ids = await queue.enqueue(['a', 'bad', 'b', 'c'].map((payload) => ({ kind, orgId, payload })));
      await waitFor(() => worker.runningJobs.length === 4);
      release.resolve();
      const [a, bad, b, c] = ids;
      await waitFor(async () => (await Promise.all([a!, b!, c!].map(status))).every((j) => j.status === 'completed'));
      expect((await status(bad!)).status).toBe('running');
    });
    expect(jobErrors.map((e) => e.message)).toEqual([expect.stringMatching(/no_such_table/)]);
  });

  it('gives the atOutcomeBatch items of attempts that end together to one writeAll, committed with their outcomes', async () => {
    const kind = uniqueKind('outcome-writeall');
    const handlers = new HandlerTable();
    let release = deferred();
    const calls: string[][] = [];
    // Marks each item's job by its payload; a group holding 'bad' throws, as a failed insert would.
    const writeAll = (db: Store['db'], items: readonly string[]) => {
      calls.push([...items]);
      if (items.includes('bad')) return CompiledQuery.raw('update no_such_table set x = 1');
      return db.updateTable('jobs').set({ payload: '"batched"' }).where('id', 'in', items).compile();
    };
    handlers.register<string>(kind, {
      async run(job, ctx) {
        await release.promise;
        ctx.atOutcome((db) => db.updateTable('jobs').set({ payload: '"own"' }).where('id', '=', job.id).execute());
        ctx.atOutcomeBatch(writeAll, job.payload === 'bad' ? 'bad' : job.id);
        if (job.payload === 'fails') throw new Error('no luck');
      },
    });
    const jobErrors: Error[] = [];
    await withWorker(handlers, { concurrency: 3, onError: (e) => jobErrors.push(e) }, async (worker) => {
      const ids = await queue.enqueue(['a', 'b', 'fails'].map((payload) => ({ kind, orgId, payload })));
      await waitFor(() => worker.runningJobs.length === 3);
      release.resolve();
      await waitFor(async () => (await Promise.all(ids.map(status))).every((j) => j.status !== 'running'));
      expect(calls).toEqual([ids]);
      const rows = await Promise.all(ids.map(status));
      expect(rows.map((r) => [r.status, r.payload])).toEqual([
        ['completed', '"batched"'],
        ['completed', '"batched"'],
        ['failed', '"batched"'],
      ]);
    });
    expect(jobErrors).toEqual([]);

    // A writeAll that throws: the group is rolled back and each attempt written alone, so only the bad one is lost.
    calls.length = 0;
    release = deferred();
    await withWorker(handlers, { concurrency: 3, onError: (e) => jobErrors.push(e) }, async (worker) => {
      const ids = await queue.enqueue(['c', 'bad', 'd'].map((payload) => ({ kind, orgId, payload })));
      await waitFor(() => worker.runningJobs.length === 3);
      release.resolve();
      const [c, bad, d] = ids;
      await waitFor(async () => (await Promise.all([c!, d!].map(status))).every((j) => j.status === 'completed'));
      expect(calls).toEqual([[c, 'bad', d], [c], ['bad'], [d]]);
      expect((await status(c!)).payload).toBe('"batched"');
      expect(await status(bad!)).toMatchObject({ status: 'running', payload: '"bad"' });
    });
    expect(jobErrors.map((e) => e.message)).toEqual([expect.stringMatching(/no_such_table/)]);
  });

  it('writes a group of plain completions and their batched writes in one statement on PostgreSQL, in a transaction on SQLite', async () => {
    const kind = uniqueKind('outcome-one-statement');
    const handlers = new HandlerTable();
    let release = deferred();
    const recorded: string[] = [];
    // An execution record per attempt, as PUSH deliveries write theirs; 'bad' makes the group's statement fail.
    const record = (db: Store['db'], items: readonly string[]) =>
      items.includes('bad') ? CompiledQuery.raw('insert into no_such_table values (1)') : finishedExecutionsInsert(db, items.map((id) => ({ id, orgId, trigger: 'event', status: 'completed', startedAt: 1, finishedAt: 2 })));
    handlers.register<string>(kind, {
      async run(job, ctx) {
        await release.promise;
        const id = job.payload === 'bad' ? 'bad' : newId();
        recorded.push(id);
        ctx.atOutcomeBatch(record, id);
      },
    });
    const queries = vi.spyOn(store.db, 'executeQuery');
    const jobErrors: Error[] = [];
    try {
      await withWorker(handlers, { concurrency: 3, onError: (e) => jobErrors.push(e) }, async (worker) => {
        const ids = await queue.enqueue(['a', 'b', 'c'].map((payload) => ({ kind, orgId, payload })));
        await waitFor(() => worker.runningJobs.length === 3);
        queries.mockClear();
        release.resolve();
        await waitFor(async () => (await Promise.all(ids.map(status))).every((j) => j.status === 'completed'));
        // The statement that completed them, outside any transaction (a transaction has a Kysely of its own).
        const combined = queries.mock.calls.map(([q]) => q as CompiledQuery).filter((q) => /^with w0 as \(insert into "executions"/.test(q.sql));
        expect(combined.map((q) => ids.every((id) => q.parameters.includes(id)))).toEqual(engine.name === 'postgres' ? [true] : []);
        expect(await store.db.selectFrom('executions').select('id').where('id', 'in', recorded).execute()).toHaveLength(3);
      });
      expect(jobErrors).toEqual([]);

      // A group whose statement fails: each attempt is written again alone, so only the bad one is lost.
      release = deferred();
      await withWorker(handlers, { concurrency: 3, onError: (e) => jobErrors.push(e) }, async (worker) => {
        const [c, bad, d] = await queue.enqueue(['c', 'bad', 'd'].map((payload) => ({ kind, orgId, payload })));
        await waitFor(() => worker.runningJobs.length === 3);
        release.resolve();
        await waitFor(async () => (await Promise.all([c!, d!].map(status))).every((j) => j.status === 'completed'));
        expect((await status(bad!)).status).toBe('running');
      });
      expect(jobErrors.map((e) => e.message)).toEqual([expect.stringMatching(/no_such_table/)]);
    } finally {
      queries.mockRestore();
    }
  });

  it('writes one group of outcomes at a time: those that end meanwhile go together in the next', async () => {
    const kind = uniqueKind('outcome-next-group');
    const handlers = new HandlerTable();
    const ends = { a: deferred(), b: deferred(), c: deferred() };
    const firstWritten = deferred();
    const firstMayCommit = deferred();
    const calls: string[][] = [];
    const writeAll = (db: Store['db'], items: readonly string[]) => {
      calls.push([...items]);
      return db.selectFrom('jobs').select('id').where('id', '=', 'none').compile();
    };
    handlers.register<'a' | 'b' | 'c'>(kind, {
      async run(job, ctx) {
        await ends[job.payload].promise;
        // a's group is held open by a write of its own until the others have ended.
        if (job.payload === 'a') {
          ctx.atOutcome(async () => {
            firstWritten.resolve();
            await firstMayCommit.promise;
          });
        }
        ctx.atOutcomeBatch(writeAll, job.payload);
      },
    });
    await withWorker(handlers, { concurrency: 3 }, async (worker) => {
      const ids = await queue.enqueue((['a', 'b', 'c'] as const).map((payload) => ({ kind, orgId, payload })));
      await waitFor(() => worker.runningJobs.length === 3);
      ends.a.resolve();
      await firstWritten.promise;
      // b and c end in different turns while a's group is still being written.
      ends.b.resolve();
      await new Promise((resolve) => setTimeout(resolve, 20));
      ends.c.resolve();
      await new Promise((resolve) => setTimeout(resolve, 20));
      firstMayCommit.resolve();
      await waitFor(async () => (await Promise.all(ids.map(status))).every((j) => j.status === 'completed'));
    });
    expect(calls).toEqual([['a'], ['b', 'c']]);
  });

  it('drops the atOutcome writes of an attempt it abandons', async () => {
    const kind = uniqueKind('abandoned-outcome');
    const handlers = new HandlerTable();
    const started = deferred();
    handlers.register(kind, {
      async run(job, ctx) {
        ctx.atOutcome((db) => db.updateTable('jobs').set({ payload: '"written"' }).where('id', '=', job.id).execute());
        started.resolve();
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      },
    });
    const worker = new JobWorker({ queue, handlers, pollIntervalMs: 20, onError: (e) => errors.push(e) });
    await worker.start();
    const [id] = await queue.enqueue({ kind, orgId });
    await started.promise;
    await worker.stop({ timeoutMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await status(id!)).toMatchObject({ status: 'running', payload: 'null' });
  });

  it('abandons a job still running at the stop deadline: its signal aborts and its lease is left to expire', async () => {
    const kind = uniqueKind('deadline');
    const handlers = new HandlerTable();
    const started = deferred();
    let signal: AbortSignal | undefined;
    handlers.register(kind, {
      async run(_job, ctx) {
        signal = ctx.signal;
        started.resolve();
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      },
    });
    const worker = new JobWorker({ queue, handlers, pollIntervalMs: 20, onError: (e) => errors.push(e) });
    await worker.start();
    const [id] = await queue.enqueue({ kind, orgId });
    await started.promise;
    expect(await worker.stop({ timeoutMs: 50 })).toEqual({ abandoned: [id] });
    expect(signal?.aborted).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await status(id!)).toMatchObject({ status: 'running', attempts: 1 });
  });

  it('renews the lease of a job while its handler runs', async () => {
    const { kind, handlers, started, release } = blockingKind('renew');
    await withWorker(handlers, { leaseMs: 150 }, async () => {
      const [id] = await queue.enqueue({ kind, orgId });
      await started.promise;
      await new Promise((resolve) => setTimeout(resolve, 400));
      const stolen = await claimJobs(store.db, { dialect: store.engine.name, workerId: 'thief', kinds: [kind], limit: 1, leaseMs: 1000 });
      expect(stolen).toEqual([]);
      release.resolve();
      await waitFor(async () => (await status(id!)).status === 'completed');
      expect((await status(id!)).attempts).toBe(1);
    });
  });

  it('tells the handler of a job whose worker died that it recovers an interrupted attempt', async () => {
    const kind = uniqueKind('recover');
    const id = await abandonedJob(kind, 3);
    const calls: string[] = [];
    const handlers = new HandlerTable();
    handlers.register(kind, {
      async interrupted(job: ClaimedJob) {
        calls.push(`interrupted attempt ${job.attempt - 1}`);
      },
      async run(job: ClaimedJob) {
        calls.push(`run attempt ${job.attempt}, recovery ${job.recovery}`);
      },
    });
    await withWorker(handlers, {}, async () => {
      await waitFor(async () => (await status(id)).status === 'completed');
    });
    expect(calls).toEqual(['interrupted attempt 1', 'run attempt 2, recovery true']);
  });

  it('only closes an interrupted job that has no attempt left, and marks it failed', async () => {
    const kind = uniqueKind('recover-last');
    const id = await abandonedJob(kind, 1);
    const calls: string[] = [];
    const handlers = new HandlerTable();
    handlers.register(kind, {
      interrupted: async () => void calls.push('interrupted'),
      run: async () => void calls.push('run'),
    });
    await withWorker(handlers, {}, async () => {
      await waitFor(async () => (await status(id)).status === 'failed');
    });
    expect(calls).toEqual(['interrupted']);
    expect((await status(id)).last_error).toMatch(/interrupted/);
  });

  it('tells its metrics of every claim, recovery and committed outcome', async () => {
    const kind = uniqueKind('metrics');
    const calls: string[] = [];
    const metrics: JobMetrics = {
      claimed: (k, recovery) => void (k === kind && calls.push(recovery ? 'claimed (recovery)' : 'claimed')),
      finished: (k, outcome) => void (k === kind && calls.push(outcome)),
    };
    const recovering = await abandonedJob(kind, 3);
    const handlers = new HandlerTable();
    handlers.register<string>(kind, {
      async run(job) {
        if (job.payload === 'fail') throw new Error('remote down');
      },
    });
    await withWorker(handlers, { metrics, backoff: () => 0 }, async () => {
      await waitFor(async () => (await status(recovering)).status === 'completed');
      const [failing] = await queue.enqueue({ kind, orgId, payload: 'fail', maxAttempts: 2 });
      await waitFor(async () => (await status(failing!)).status === 'failed');
    });
    expect(calls).toEqual(['claimed (recovery)', 'completed', 'claimed', 'retried', 'claimed', 'failed']);
  });

  it('reports no worker errors in these runs', () => {
    expect(errors).toEqual([]);
  });
});

it('a handler table entry unregisters with the function its registration returned', () => {
  const handlers = new HandlerTable();
  const off = handlers.register('k', { run: async () => {} });
  expect(() => handlers.register('k', { run: async () => {} })).toThrow(/already registered/);
  expect(handlers.kinds()).toEqual(['k']);
  off();
  expect(handlers.get('k')).toBeUndefined();
});

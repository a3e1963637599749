/**
 * The queue's SQL, as small batch-oriented functions over `Kysely<Database>` (or a
 * transaction). Every state change of a claimed job is guarded by its lease token, so a
 * worker that lost its lease can never overwrite the attempt that replaced it.
 */
import { randomUUID } from 'node:crypto';
import { CompiledQuery, sql, type Kysely, type QueryCreator, type Selectable } from 'kysely';
import { HookyardError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import type { DialectName } from '../store/dialect.js';
import type { Database, JobsTable } from '../store/schema.js';
import type { Backoff } from './backoff.js';
import { builtSql } from '../store/built-sql.js';
import type { ClaimedJob, JobStatus, NewJob } from './types.js';

/** Longer error texts are cut: `last_error` is for people, not for stack dumps. */
const MAX_ERROR_LENGTH = 2000;
/** Rows per INSERT, well under SQLite's and PostgreSQL's bound-parameter limits. */
const INSERT_CHUNK = 500;

/**
 * Inserts jobs; a job whose `uniqueKey` already exists is skipped. Pass a transaction as
 * `db` to commit the jobs with the caller's own writes.
 *
 * @returns the ids of the jobs inserted, in order.
 */
export async function enqueueJobs(db: Kysely<Database>, jobs: readonly NewJob[], now: number = Date.now()): Promise<string[]> {
  if (jobs.length === 0) return [];
  // Every column, always in this order: the insert's SQL is built once per row count.
  const rows = jobs.map((job) => {
    const maxAttempts = job.maxAttempts ?? 1;
    if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
      throw new HookyardError('HY_BAD_REQUEST', `maxAttempts must be a positive integer, got ${maxAttempts}`);
    }
    return {
      id: newId(),
      org_id: job.orgId,
      kind: job.kind,
      payload: JSON.stringify(job.payload ?? null),
      status: 'pending' satisfies JobStatus,
      run_at: job.runAt ?? now,
      attempts: 0,
      max_attempts: maxAttempts,
      unique_key: job.uniqueKey ?? null,
      ordering_key: job.orderingKey ?? null,
      created_at: now,
      updated_at: now,
    };
  });
  const ids = new Set<string>();
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const chunk = rows.slice(i, i + INSERT_CHUNK);
    const text = builtSql(db, `enqueue:${chunk.length}`, () =>
      db.insertInto('jobs').values(chunk).onConflict((oc) => oc.column('unique_key').doNothing()).returning('id').compile().sql,
    );
    const parameters: unknown[] = [];
    for (const row of chunk) parameters.push(...Object.values(row));
    const inserted = await db.executeQuery<{ id: string }>(CompiledQuery.raw(text, parameters));
    for (const row of inserted.rows) ids.add(row.id);
  }
  return rows.filter((r) => ids.has(r.id)).map((r) => r.id);
}

/** What `claimJobs` needs to know. */
export interface ClaimOptions {
  readonly dialect: DialectName;
  readonly workerId: string;
  /** Only jobs of these kinds are claimed: the ones this worker has handlers for. */
  readonly kinds: readonly string[];
  readonly limit: number;
  readonly leaseMs: number;
  readonly now?: number;
  /** Also claim running jobs whose lease expired; default true. A worker asks about once a second. */
  readonly recover?: boolean;
}

/** The select of ready jobs of one state, in claim order (`run_at`, then `seq`), with placeholders for now, the kinds and the limit. */
function readySelect(qc: QueryCreator<Database>, dialect: DialectName, state: 'due' | 'expired', kindCount: number) {
  return (
    qc
      .selectFrom('jobs as j')
      .select(['j.id', 'j.status', 'j.attempts', 'j.max_attempts'])
      .$if(state === 'due', (qb) => qb.where('j.status', '=', sql.lit('pending' satisfies JobStatus)).where('j.run_at', '<=', 0))
      .$if(state === 'expired', (qb) => qb.where('j.status', '=', sql.lit('running' satisfies JobStatus)).where('j.lease_expires_at', '<=', 0))
      .where('j.kind', 'in', Array.from({ length: kindCount }, () => ''))
      .where((eb) =>
        eb.or([
          eb('j.ordering_key', 'is', null),
          eb.not(
            eb.exists(
              eb
                .selectFrom('jobs as prior')
                .select(sql.lit(1).as('one'))
                .whereRef('prior.ordering_key', '=', 'j.ordering_key')
                .where('prior.status', 'in', [sql.lit('pending' satisfies JobStatus), sql.lit('running' satisfies JobStatus)])
                .whereRef('prior.seq', '<', 'j.seq'),
            ),
          ),
        ]),
      )
      .orderBy('j.run_at')
      .orderBy('j.seq')
      .limit(0)
      // Several processes claim from one PostgreSQL: rows another claimer holds are skipped,
      // never waited for. SQLite has one writer, so its transaction is enough.
      .$if(dialect === 'postgres', (qb) => qb.forUpdate().skipLocked())
  );
}

/** Ready jobs of one state: bound, in this order, now, the kinds and the limit. */
function readySql(trx: Kysely<Database>, dialect: DialectName, state: 'due' | 'expired', kindCount: number): string {
  return builtSql(trx, `ready:${dialect}:${state}:${kindCount}`, () => readySelect(trx, dialect, state, kindCount).compile().sql);
}

type ReadyRow = Pick<JobsTable, 'id' | 'status' | 'attempts' | 'max_attempts'>;

async function readyJobs(trx: Kysely<Database>, options: ClaimOptions, now: number, state: 'due' | 'expired', limit: number): Promise<ReadyRow[]> {
  const text = readySql(trx, options.dialect, state, options.kinds.length);
  return (await trx.executeQuery<ReadyRow>(CompiledQuery.raw(text, [now, ...options.kinds, limit]))).rows;
}

/** The claim of `count` jobs to run: bound, in this order, the lease, its expiry, now and the ids. */
function claimSql(trx: Kysely<Database>, count: number): string {
  return builtSql(trx, `claim:${count}`, () =>
    trx
      .updateTable('jobs')
      .set((eb) => ({ status: sql.lit('running' satisfies JobStatus), lease_owner: '', lease_expires_at: 0, updated_at: 0, attempts: eb('attempts', '+', sql.lit(1)) }))
      .where('id', 'in', Array.from({ length: count }, () => ''))
      .returningAll()
      .compile().sql,
  );
}

/**
 * The claim of due jobs in one statement (the ready select as a materialized CTE, so it
 * runs once, and the update of what it found): bound, in this order, now, the kinds, the
 * limit, the lease, its expiry and now again.
 */
function claimDueSql(db: Kysely<Database>, dialect: DialectName, kindCount: number): string {
  return builtSql(db, `claim-due:${dialect}:${kindCount}`, () =>
    db
      .with((wb) => wb('ready').materialized(), (qc) => readySelect(qc, dialect, 'due', kindCount))
      .updateTable('jobs')
      .set((eb) => ({ status: sql.lit('running' satisfies JobStatus), lease_owner: '', lease_expires_at: 0, updated_at: 0, attempts: eb('attempts', '+', sql.lit(1)) }))
      .where('id', 'in', (eb) => eb.selectFrom('ready').select('ready.id'))
      .returningAll()
      .compile().sql,
  );
}

/**
 * Claims up to `limit` ready jobs with a lease of `leaseMs`: first running jobs whose
 * lease expired (recoveries), then pending due jobs, each oldest `run_at` first; and,
 * with an ordering key, only when no older job of that key is pending or running.
 *
 * Two reads rather than one with an `or`: each walks `jobs_ready` in claim order and
 * stops at the limit (migration 0004), where one read would sort every due job. Without
 * `recover`, the due read and its update are one statement.
 */
export async function claimJobs(db: Kysely<Database>, options: ClaimOptions): Promise<ClaimedJob[]> {
  const { kinds, limit, leaseMs, now = Date.now(), recover = true } = options;
  if (kinds.length === 0 || limit < 1) return [];
  const lease = `${options.workerId}/${randomUUID()}`;
  if (!recover) {
    // Most claims: no recovery to look for, so one statement, atomic by itself (on
    // PostgreSQL one round trip instead of four).
    const text = claimDueSql(db, options.dialect, kinds.length);
    const claimed = await db.executeQuery<Selectable<JobsTable>>(CompiledQuery.raw(text, [now, ...kinds, limit, lease, now + leaseMs, now]));
    return claimed.rows.sort((a, b) => a.run_at - b.run_at || a.seq - b.seq).map((row) => toClaimed(row, false, false));
  }
  return db.transaction().execute(async (trx) => {
    const ready = await readyJobs(trx, options, now, 'expired', limit);
    if (ready.length < limit) ready.push(...(await readyJobs(trx, options, now, 'due', limit - ready.length)));
    if (ready.length === 0) return [];

    // A recovery whose interrupted attempt was the last keeps its count: it is only closed.
    const exhausted = new Set(ready.filter((r) => r.status === 'running' && r.attempts >= r.max_attempts).map((r) => r.id));
    const recovered = new Set(ready.filter((r) => r.status === 'running').map((r) => r.id));
    const lease_expires_at = now + leaseMs;
    const set = { status: 'running' satisfies JobStatus, lease_owner: lease, lease_expires_at, updated_at: now };
    const toRun = ready.filter((r) => !exhausted.has(r.id)).map((r) => r.id);
    const rows: Selectable<JobsTable>[] = [];
    if (toRun.length > 0) {
      const claimed = await trx.executeQuery<Selectable<JobsTable>>(CompiledQuery.raw(claimSql(trx, toRun.length), [lease, lease_expires_at, now, ...toRun]));
      rows.push(...claimed.rows);
    }
    if (exhausted.size > 0) {
      rows.push(...(await trx.updateTable('jobs').set(set).where('id', 'in', [...exhausted]).returningAll().execute()));
    }
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ready.map((r) => toClaimed(byId.get(r.id)!, recovered.has(r.id), exhausted.has(r.id)));
  });
}

function toClaimed(row: Selectable<JobsTable>, recovery: boolean, exhausted: boolean): ClaimedJob {
  return Object.freeze({
    id: row.id,
    kind: row.kind,
    orgId: row.org_id,
    payload: JSON.parse(row.payload) as unknown,
    runAt: row.run_at,
    createdAt: row.created_at,
    uniqueKey: row.unique_key,
    orderingKey: row.ordering_key,
    attempt: row.attempts,
    maxAttempts: row.max_attempts,
    recovery,
    exhausted,
    lease: row.lease_owner!,
    leaseExpiresAt: row.lease_expires_at!,
  });
}

/** The part of a claimed job that proves who holds it. */
export type HeldJob = Pick<ClaimedJob, 'id' | 'lease'>;

/**
 * Extends the leases of running jobs to `now + leaseMs`.
 *
 * @returns the ids whose lease is still held; the others were lost (expired and reclaimed).
 */
export async function renewLeases(db: Kysely<Database>, jobs: readonly HeldJob[], leaseMs: number, now: number = Date.now()): Promise<Set<string>> {
  if (jobs.length === 0) return new Set();
  const renewed = await db
    .updateTable('jobs')
    .set({ lease_expires_at: now + leaseMs, updated_at: now })
    .where('status', '=', 'running')
    .where((eb) => eb.or(jobs.map((job) => eb.and([eb('id', '=', job.id), eb('lease_owner', '=', job.lease)]))))
    .returning('id')
    .execute();
  return new Set(renewed.map((r) => r.id));
}

/** A completion of `count` jobs: only `updated_at` and the (id, lease) pairs are bound. */
function completionSql(db: Kysely<Database>, count: number): string {
  return builtSql(db, `complete:${count}`, () => {
    const pairs = Array.from({ length: count }, () => ({ id: '', lease: '' }));
    return db
      .updateTable('jobs')
      .set({ status: sql.lit('completed' satisfies JobStatus), lease_owner: sql.lit(null), lease_expires_at: sql.lit(null), updated_at: 0 })
      .where('status', '=', sql.lit('running' satisfies JobStatus))
      .where((eb) => eb.or(pairs.map((job) => eb.and([eb('id', '=', job.id), eb('lease_owner', '=', job.lease)]))))
      .returning('id')
      .compile().sql;
  });
}

/** The statement that marks `jobs` completed (at least one), returning the ids whose lease still held. */
export function completionQuery(db: Kysely<Database>, jobs: readonly HeldJob[], now: number): CompiledQuery<{ id: string }> {
  const parameters: unknown[] = [now];
  for (const job of jobs) parameters.push(job.id, job.lease);
  return CompiledQuery.raw(completionSql(db, jobs.length), parameters);
}

/**
 * Marks jobs completed, in one statement.
 *
 * @returns the ids completed; a job whose lease was lost is left out, and unchanged.
 */
export async function completeJobs(db: Kysely<Database>, jobs: readonly HeldJob[], now: number = Date.now()): Promise<Set<string>> {
  if (jobs.length === 0) return new Set();
  const result = await db.executeQuery(completionQuery(db, jobs, now));
  return new Set(result.rows.map((row) => row.id));
}

/**
 * Records a failed attempt: the job is pending again after `backoff(attempt)`, or `failed`
 * once it has had `maxAttempts` attempts. The error message is kept in `last_error`.
 *
 * @returns the job's new status, or undefined when its lease was lost, and nothing changed.
 */
export async function failJob(
  db: Kysely<Database>,
  job: HeldJob & Pick<ClaimedJob, 'attempt' | 'maxAttempts'>,
  error: Error,
  options: { readonly backoff: Backoff; readonly now?: number },
): Promise<JobStatus | undefined> {
  const now = options.now ?? Date.now();
  const status: JobStatus = job.attempt >= job.maxAttempts ? 'failed' : 'pending';
  const result = await db
    .updateTable('jobs')
    .set({
      status,
      ...(status === 'pending' ? { run_at: now + options.backoff(job.attempt) } : {}),
      last_error: error.message.slice(0, MAX_ERROR_LENGTH),
      lease_owner: null,
      lease_expires_at: null,
      updated_at: now,
    })
    .where('id', '=', job.id)
    .where('lease_owner', '=', job.lease)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n ? status : undefined;
}

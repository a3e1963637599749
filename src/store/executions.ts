/** Execution records: created when a run is queued, finished once with its outcome. */
import { CompiledQuery, type Kysely } from 'kysely';
import { emptyCounts, emptyDryRunCounts, type Execution, type ExecutionOutcome, type ExecutionStatus, type Trigger } from '../domain/executions.js';
import { newId } from '../domain/ids.js';
import { decodeCursor, pastCursor, toPage, type Page } from './cursor.js';
import type { Database, ExecutionsTable } from './schema.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function toExecution(row: ExecutionsTable): Execution {
  return {
    id: row.id,
    hookId: row.hook_id,
    automationId: row.automation_id,
    status: row.status as ExecutionStatus,
    trigger: row.trigger as Trigger,
    dryRun: row.dry_run === 1,
    attempt: row.attempt,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    durationMs: row.duration_ms,
    pages: row.pages,
    counts: JSON.parse(row.counts),
    logs: JSON.parse(row.logs),
    http: JSON.parse(row.http),
    ...(row.error !== null && { error: JSON.parse(row.error) }),
    ...(row.preview !== null && { preview: JSON.parse(row.preview) }),
    ...(row.steps !== null && { steps: JSON.parse(row.steps) }),
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export interface NewExecution {
  /** A chosen id (e.g. derived from a job attempt, so a recovery can find it); default a new one. */
  readonly id?: string;
  readonly orgId: string;
  readonly hookId?: string;
  readonly automationId?: string;
  readonly trigger: Trigger;
  readonly dryRun?: boolean;
  readonly attempt?: number;
  /** `queued` (default), `running`, or `skipped` (recorded and never run). */
  readonly status?: 'queued' | 'running' | 'skipped';
  /** What a retry needs to repeat the run (event id, fixture). */
  readonly input?: unknown;
  readonly error?: { message: string };
}

export async function insertExecution(db: Kysely<Database>, input: NewExecution): Promise<string> {
  const now = Date.now();
  const status = input.status ?? 'queued';
  const id = input.id ?? newId();
  await db
    .insertInto('executions')
    .values({
      id,
      org_id: input.orgId,
      hook_id: input.hookId ?? null,
      automation_id: input.automationId ?? null,
      status,
      trigger: input.trigger,
      dry_run: input.dryRun ? 1 : 0,
      attempt: input.attempt ?? 1,
      started_at: status === 'running' ? now : null,
      finished_at: status === 'skipped' ? now : null,
      duration_ms: status === 'skipped' ? 0 : null,
      pages: 0,
      counts: JSON.stringify(input.dryRun ? emptyDryRunCounts() : emptyCounts()),
      logs: '[]',
      http: '[]',
      error: input.error ? JSON.stringify(input.error) : null,
      preview: null,
      steps: null,
      input: input.input === undefined ? null : JSON.stringify(input.input),
      created_at: now,
    })
    .execute();
  return id;
}

/** A run that has already ended, recorded in one write (API pre/post hooks record theirs after answering). */
export interface FinishedExecution extends ExecutionOutcome {
  readonly id: string;
  readonly orgId: string;
  /** One of the two: the hook or the automation that ran. */
  readonly hookId?: string;
  readonly automationId?: string;
  readonly trigger: Trigger;
  readonly dryRun?: boolean;
  readonly attempt?: number;
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly input?: unknown;
}

/** The row of a run that has already ended; every column set, always in this order. */
function finishedRow(run: FinishedExecution): ExecutionsTable {
  return {
    id: run.id,
    org_id: run.orgId,
    hook_id: run.hookId ?? null,
    automation_id: run.automationId ?? null,
    status: run.status,
    trigger: run.trigger,
    dry_run: run.dryRun ? 1 : 0,
    attempt: run.attempt ?? 1,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    duration_ms: run.finishedAt - run.startedAt,
    pages: run.pages ?? 1,
    counts: JSON.stringify(run.counts ?? emptyCounts()),
    logs: JSON.stringify(run.logs ?? []),
    http: JSON.stringify(run.http ?? []),
    error: run.error === undefined ? null : JSON.stringify(run.error),
    preview: run.preview === undefined ? null : JSON.stringify(run.preview),
    steps: run.steps === undefined ? null : JSON.stringify(run.steps),
    input: run.input === undefined ? null : JSON.stringify(run.input),
    created_at: run.startedAt,
  };
}

/**
 * The SQL of an n-row insert of finished runs, by dialect (a transaction shares its
 * database's adapter) and n. Kysely parses every value of every row when it builds an
 * insert, and these are written for every inbound call, API hook run and PUSH delivery;
 * the SQL itself only depends on the row count.
 */
const finishedInserts = new WeakMap<object, Map<number, string>>();

/**
 * The statement that inserts runs that have already ended, all of them in one. A run whose
 * id is already recorded keeps its record (a PUSH attempt's own record and its recovery's
 * `failed: interrupted` share the id; the first written wins).
 */
export function finishedExecutionsInsert(db: Kysely<Database>, runs: readonly FinishedExecution[]): CompiledQuery {
  const rows = runs.map(finishedRow);
  const adapter = db.getExecutor().adapter;
  let byCount = finishedInserts.get(adapter);
  if (!byCount) finishedInserts.set(adapter, (byCount = new Map()));
  let text = byCount.get(rows.length);
  if (text === undefined) {
    text = db.insertInto('executions').values(rows).onConflict((oc) => oc.column('id').doNothing()).compile().sql;
    byCount.set(rows.length, text);
  }
  const parameters: unknown[] = [];
  for (const row of rows) parameters.push(...Object.values(row));
  return CompiledQuery.raw(text, parameters);
}

/** Inserts runs that have already ended, in one statement ({@link finishedExecutionsInsert}). */
export async function insertFinishedExecutions(db: Kysely<Database>, runs: readonly FinishedExecution[]): Promise<void> {
  if (runs.length > 0) await db.executeQuery(finishedExecutionsInsert(db, runs));
}

/** Marks a queued execution as running (a new attempt of it, when `attempt` is given). */
export async function startExecution(db: Kysely<Database>, id: string, attempt?: number): Promise<void> {
  await db
    .updateTable('executions')
    .set({ status: 'running', started_at: Date.now(), ...(attempt !== undefined && { attempt }) })
    .where('id', '=', id)
    .execute();
}

/** Writes how an execution ended. */
export async function finishExecution(db: Kysely<Database>, id: string, outcome: ExecutionOutcome): Promise<void> {
  const row = await db.selectFrom('executions').select(['started_at', 'created_at']).where('id', '=', id).executeTakeFirst();
  const now = Date.now();
  await db
    .updateTable('executions')
    .set({
      status: outcome.status,
      finished_at: now,
      duration_ms: row ? now - (row.started_at ?? row.created_at) : 0,
      ...(outcome.pages !== undefined && { pages: outcome.pages }),
      ...(outcome.counts !== undefined && { counts: JSON.stringify(outcome.counts) }),
      ...(outcome.logs !== undefined && { logs: JSON.stringify(outcome.logs) }),
      ...(outcome.http !== undefined && { http: JSON.stringify(outcome.http) }),
      error: outcome.error === undefined ? null : JSON.stringify(outcome.error),
      ...(outcome.preview !== undefined && { preview: JSON.stringify(outcome.preview) }),
      ...(outcome.steps !== undefined && { steps: JSON.stringify(outcome.steps) }),
    })
    .where('id', '=', id)
    .execute();
}

export async function findExecution(db: Kysely<Database>, orgId: string, id: string): Promise<Execution | undefined> {
  const row = await db.selectFrom('executions').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return row && toExecution(row);
}

/** What was stored to repeat the run, for retries. */
export async function findExecutionInput(db: Kysely<Database>, orgId: string, id: string): Promise<unknown> {
  const row = await db.selectFrom('executions').select('input').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return row?.input ? JSON.parse(row.input) : undefined;
}

/** What a list of executions may ask for. */
export interface ExecutionListOptions {
  readonly limit: number;
  readonly cursor?: string;
  readonly status?: ExecutionStatus;
  readonly trigger?: Trigger;
}

/** A hook's executions, newest first, optionally of one status and one trigger. */
export async function listExecutionsOfHook(db: Kysely<Database>, orgId: string, hookId: string, options: ExecutionListOptions): Promise<Page<Execution>> {
  return listExecutionsOf(db, orgId, 'hook_id', hookId, options);
}

/** An automation's executions, newest first, optionally of one status. */
export async function listExecutionsOfAutomation(db: Kysely<Database>, orgId: string, automationId: string, options: ExecutionListOptions): Promise<Page<Execution>> {
  return listExecutionsOf(db, orgId, 'automation_id', automationId, options);
}

async function listExecutionsOf(
  db: Kysely<Database>,
  orgId: string,
  column: 'hook_id' | 'automation_id',
  id: string,
  options: ExecutionListOptions,
): Promise<Page<Execution>> {
  let query = db.selectFrom('executions').selectAll().where('org_id', '=', orgId).where(column, '=', id);
  if (options.status) query = query.where('status', '=', options.status);
  if (options.trigger) query = query.where('trigger', '=', options.trigger);
  if (options.cursor) query = query.where(pastCursor(decodeCursor(options.cursor), 'desc'));
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit + 1).execute();
  return toPage(rows, options.limit, toExecution);
}

/** Executions of a hook that count towards its hourly limit: not dry runs, not skipped. */
export async function countExecutionsSince(db: Kysely<Database>, orgId: string, hookId: string, since: number): Promise<number> {
  const { n } = await db
    .selectFrom('executions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .where('hook_id', '=', hookId)
    .where('dry_run', '=', 0)
    .where('status', '!=', 'skipped')
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** Retention: deletes up to `limit` executions created before `cutoff`; returns how many. */
export async function deleteExecutionsBefore(db: Kysely<Database>, cutoff: number, limit: number): Promise<number> {
  const result = await db
    .deleteFrom('executions')
    .where('id', 'in', (eb) => eb.selectFrom('executions').select('id').where('created_at', '<', cutoff).limit(limit))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

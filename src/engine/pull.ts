/**
 * One PULL execution (SPEC §3): loads the hook, its organisation, integration, secrets
 * and KV, drives {@link paginate} page by page through the sandbox and the flow steps,
 * saves each page before the next is fetched ({@link savePage}) and writes the
 * execution's outcome. Hook failures end the execution; they never throw.
 */
import { coerceError } from '../domain/errors.js';
import { DRY_RUN_COUNT, emptyCounts, emptyDryRunCounts, type Counts, type DryRunCounts, type ExecutionError, type ExecutionOutcome, type PreviewItem, type Trigger } from '../domain/executions.js';
import { applyMapping, readPageReturn } from '../domain/pull-records.js';
import { DEFAULT_LIMITS, createRedactor, dryRunKv, type EntryPoint, type HttpLogEntry, type JsonValue, type LogBudget, type LogEntry, type Redactor, type RunError, type RunRequest, type RunStatus } from '../sandbox/index.js';
import { customAttributeDefinitions } from '../store/custom-attributes.js';
import { finishExecution } from '../store/executions.js';
import { findHookForRun } from '../store/hooks.js';
import { findIntegration } from '../store/integrations.js';
import { findOrganisation } from '../store/organisations.js';
import { loadSecrets } from '../store/secrets.js';
import type { EngineDeps } from './deps.js';
import { isBusy, onBusyFor } from './hook-runner.js';
import { databaseKv } from './kv-store.js';
import { paginate } from './paginate.js';
import { savePage, type PageScope } from './pull-page.js';

/** One execution to run; its record exists already (queued or running). */
export interface PullRun {
  readonly orgId: string;
  readonly hookId: string;
  readonly executionId: string;
  readonly trigger: Trigger;
  readonly dryRun: boolean;
  readonly attempt: number;
  /** `ctx.meta` of the first page (a dry run's fixture). */
  readonly meta?: JsonValue;
}

/** Record lines (ignored fields, failed records) one execution logs before it only counts them. */
const MAX_RECORD_LINES = 200;
/** Preview items one dry run keeps. */
const MAX_PREVIEW = 10_000;
const FLOW_STEPS = ['preSavePage', 'preMap', 'postMap', 'postSubmit', 'postAggregate'] as const satisfies readonly EntryPoint[];

interface PageOutcome {
  readonly status: RunStatus;
  readonly value?: JsonValue;
  readonly error?: RunError;
}

/** What an execution gathers across its pages. */
class ExecutionLog {
  readonly logs: LogEntry[] = [];
  readonly http: HttpLogEntry[] = [];
  readonly counts: Counts = emptyCounts();
  /** A dry run's counts, of every record (the preview keeps only the first ones). */
  readonly dryRunCounts: DryRunCounts = emptyDryRunCounts();
  readonly preview: PreviewItem[] = [];
  /** Set once the secrets are loaded: the lines Hookyard writes quote records, which may hold them. */
  redactor: Redactor = createRedactor();
  #recordLines = 0;

  /** The counts to record: what happened, or for a dry run what would have. */
  countsOf(run: Pick<PullRun, 'dryRun'>): Counts | DryRunCounts {
    return run.dryRun ? this.dryRunCounts : this.counts;
  }

  line(level: LogEntry['level'], message: string, data?: JsonValue): void {
    this.logs.push({ ts: new Date().toISOString(), level, message: this.redactor.text(message), ...(data !== undefined && { data: this.redactor.json(data) }) });
  }

  /** A line about one record, until the cap; then one note, then only counts. */
  recordLine(level: LogEntry['level'], message: string): void {
    this.#recordLines++;
    if (this.#recordLines <= MAX_RECORD_LINES) this.line(level, message);
    else if (this.#recordLines === MAX_RECORD_LINES + 1) this.line('warn', `more record messages were dropped (the log keeps the first ${MAX_RECORD_LINES})`);
  }
}

/**
 * Runs a PULL execution to its end and records the outcome with `finishExecution`.
 *
 * @example const outcome = await runPull(deps, { orgId, hookId, executionId, trigger: 'manual', dryRun: false, attempt: 1 });
 */
export async function runPull(deps: EngineDeps, run: PullRun): Promise<ExecutionOutcome> {
  const { db } = deps.store;
  const log = new ExecutionLog();
  let outcome: ExecutionOutcome;
  try {
    outcome = await execute(deps, run, log);
  } catch (thrown) {
    if (isBusy(thrown)) {
      // A dry run the sandbox had no room for: recorded as skipped, and the caller gets the 429.
      await finishExecution(db, run.executionId, { status: 'skipped', counts: log.countsOf(run), logs: log.logs, http: log.http, error: { message: `rate limit: ${thrown.message}` } });
      throw thrown;
    }
    // The platform failed (database, decryption), not the hook: still close the record.
    const error = coerceError(thrown);
    outcome = { status: 'failed', counts: log.countsOf(run), logs: log.logs, http: log.http, error: { message: `internal error: ${error.message}` } };
  }
  await finishExecution(db, run.executionId, outcome);
  return outcome;
}

async function execute(deps: EngineDeps, run: PullRun, log: ExecutionLog): Promise<ExecutionOutcome> {
  const { db } = deps.store;
  const failed = (message: string): ExecutionOutcome => ({ status: 'failed', counts: log.countsOf(run), logs: log.logs, http: log.http, error: { message } });
  const hook = await findHookForRun(db, deps.secretBox, run.orgId, run.hookId);
  if (!hook || hook.type !== 'pull' || !hook.entityType) return failed('the hook is gone or is not a pull hook');
  if (hook.runtime !== 'code' || hook.code === undefined) return failed('remote pull hooks are not supported yet');
  const [org, integration] = await Promise.all([findOrganisation(db, run.orgId), findIntegration(db, run.orgId, hook.integrationId)]);
  if (!org || !integration) return failed('the organisation or integration is gone');
  const [secrets, definitions] = await Promise.all([
    loadSecrets(db, deps.secretBox, run.orgId, integration.id),
    customAttributeDefinitions(db, run.orgId, hook.entityType),
  ]);
  log.redactor = createRedactor(secrets);
  const storeKv = databaseKv(db, { orgId: run.orgId, integrationId: integration.id });
  // One overlay per execution, so a dry run's own writes are visible to its later pages.
  const kv = run.dryRun ? dryRunKv(storeKv) : storeKv;
  const limits = DEFAULT_LIMITS.pull;
  const logBudget: LogBudget = { bytes: limits.logBytes, lines: limits.logLines, exhausted: false };
  const scope: PageScope = {
    orgId: run.orgId,
    integrationId: integration.id,
    hookId: hook.id,
    sourceSystemKey: integration.sourceSystemKey,
    entityType: hook.entityType,
    dryRun: run.dryRun,
    dialect: deps.store.engine.name,
    definitions,
  };
  const code = hook.code;
  const absent = new Set<EntryPoint>(FLOW_STEPS.filter((step) => !new RegExp(`\\b${step}\\b`).test(code)));
  const ctxBase = {
    params: (hook.params ?? {}) as JsonValue,
    org: { id: org.id, slug: org.slug, name: org.name, timeZone: org.timeZone },
    integration: { id: integration.id, name: integration.name, sourceSystemKey: integration.sourceSystemKey },
  };
  const call = async (entry: EntryPoint, page: number, meta: JsonValue | undefined, input?: JsonValue) => {
    const request: RunRequest = {
      orgId: run.orgId,
      integrationId: integration.id,
      hookId: hook.id,
      hookVersion: hook.version,
      type: 'pull',
      code,
      language: hook.language ?? 'javascript',
      entry,
      ...(input !== undefined && { input }),
      ctx: {
        ...ctxBase,
        ...(meta !== undefined && { meta }),
        execution: { id: run.executionId, hookId: hook.id, trigger: run.trigger, dryRun: run.dryRun, attempt: run.attempt, page },
      },
      secrets,
      kv,
      logBudget,
      onBusy: onBusyFor(run.trigger),
    };
    const result = await deps.sandbox.run(request);
    log.logs.push(...result.logs);
    log.http.push(...result.http);
    return result;
  };
  /** A flow step, or the input unchanged when the script does not define it. */
  const step = async (entry: EntryPoint, page: number, meta: JsonValue | undefined, input: JsonValue): Promise<PageOutcome> => {
    if (absent.has(entry)) return { status: 'completed', value: input };
    const result = await call(entry, page, meta, input);
    if (result.status === 'failed' && result.error?.message === `The hook does not define ${entry}()` && !result.error.stack) {
      absent.add(entry);
      return { status: 'completed', value: input };
    }
    return result;
  };
  const stepRecords = (value: JsonValue | undefined, fallback: JsonValue[]): JsonValue[] | string => {
    if (value === undefined || value === null) return fallback;
    const records = (value as { records?: unknown }).records;
    return Array.isArray(records) ? (records as JsonValue[]) : 'a flow step must return { records: [...] }';
  };
  const stepFailure = (entry: EntryPoint, message: string): PageOutcome => ({
    status: 'failed',
    error: { message: `${entry}(): ${message}`, stack: '' },
  });

  let aborted = false;
  const runPage = async (page: number, meta: JsonValue | undefined): Promise<PageOutcome> => {
    const result = await call('run', page, meta);
    if (result.status !== 'completed') return result;
    const returned = readPageReturn(result.value);
    if (typeof returned === 'string') return { status: 'failed', error: { message: returned, stack: '' } };
    let records = returned.records as JsonValue[];

    const pre = await step('preSavePage', page, meta, { records, page });
    if (pre.status !== 'completed') return pre;
    const preRecords = stepRecords(pre.value, records);
    if (typeof preRecords === 'string') return stepFailure('preSavePage', preRecords);
    if ((pre.value as { abort?: unknown } | undefined)?.abort === true) {
      aborted = true;
      log.line('warn', `preSavePage aborted the sync at page ${page}; this page was not saved`);
      return { status: 'completed', value: { more: false } };
    }
    records = preRecords;
    for (const entry of ['preMap', 'mapping', 'postMap'] as const) {
      if (entry === 'mapping') {
        if (hook.mapping) records = records.map((r) => withMapping(r, hook.mapping!));
        continue;
      }
      const out = await step(entry, page, meta, { records });
      if (out.status !== 'completed') return out;
      const next = stepRecords(out.value, records);
      if (typeof next === 'string') return stepFailure(entry, next);
      records = next;
    }

    let saved;
    try {
      saved = await savePage(db, scope, records);
    } catch (thrown) {
      return { status: 'failed', error: { message: `saving the page failed: ${coerceError(thrown).message}`, stack: '' } };
    }
    log.counts.processed += records.length;
    for (const result of saved.results) {
      if (result.outcome === 'failed') log.recordLine('warn', `record ${result.externalId} failed: ${result.error}`);
      log.counts[result.outcome]++;
    }
    for (const warning of saved.warnings) log.recordLine('warn', `record ${warning.externalId}: ${warning.message}`);
    if (run.dryRun) {
      log.dryRunCounts.processed += records.length;
      for (const item of saved.preview) log.dryRunCounts[DRY_RUN_COUNT[item.outcome]]++;
      const room = MAX_PREVIEW - log.preview.length;
      if (saved.preview.length > room && room >= 0) log.line('warn', `the preview keeps the first ${MAX_PREVIEW} records`);
      log.preview.push(...saved.preview.slice(0, Math.max(0, room)));
    }
    const submitted = await step('postSubmit', page, meta, { results: saved.results as unknown as JsonValue });
    if (submitted.status !== 'completed') return submitted;
    return { status: 'completed', value: { more: returned.more, ...(returned.meta !== undefined && { meta: returned.meta as JsonValue }) } };
  };

  const pagination = await paginate(({ page, meta }) => runPage(page, meta), { meta: run.meta });
  log.logs.push(...pagination.warnings);
  const failure = pagination.pages.at(-1)?.error;
  const status = pagination.status;
  const summary = { counts: { ...log.countsOf(run) }, status, pages: pagination.pages.length, aborted: aborted as boolean };
  const aggregate = await step('postAggregate', pagination.pages.length, undefined, { summary } as unknown as JsonValue);
  if (aggregate.status !== 'completed') log.line('error', `postAggregate(): ${aggregate.error?.message ?? aggregate.status}`);

  const error: ExecutionError | undefined =
    status === 'completed' || failure === undefined
      ? undefined
      : {
          message: failure.message,
          stack: failure.stack,
          ...(failure.line !== undefined && { line: failure.line }),
          ...(failure.column !== undefined && { column: failure.column }),
          ...(failure.limit !== undefined && { limit: failure.limit }),
          page: pagination.failedPage,
        };
  return {
    status,
    pages: pagination.pages.length,
    counts: log.countsOf(run),
    logs: log.logs,
    http: log.http,
    ...(error && { error }),
    // The preview shows what the hook returned, so it is redacted like the logs; the records saved are not.
    ...(run.dryRun && { preview: log.redactor.json(log.preview) }),
  };
}

function withMapping(record: JsonValue, mapping: Readonly<Record<string, string>>): JsonValue {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return record;
  const data = record.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return record;
  return { ...record, data: applyMapping(data, mapping) as JsonValue };
}

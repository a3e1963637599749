/**
 * One PULL execution (docs/hooks.md, "PULL hooks"): loads the hook, its organisation, integration, secrets
 * and KV, drives the page pipeline (pages/pipeline.ts) through the sandbox and the flow steps,
 * saves each page ({@link savePage}; the next page is fetched meanwhile) and writes the
 * execution's outcome. Hook failures end the execution; they never throw.
 */
import { coerceError } from '../../domain/errors.js';
import { emptyCounts, type Counts, type DryRunCounts, type ExecutionError, type ExecutionOutcome, type Trigger } from '../../domain/executions.js';
import { createRedactor, dryRunKv, type HttpLogEntry, type JsonValue, type LogBudget, type LogEntry, type Redactor } from '../../sandbox/index.js';
import { customAttributeDefinitions } from '../../store/custom-attributes.js';
import { finishExecution } from '../../store/executions.js';
import { findHookForRun } from '../../store/hooks.js';
import { findIntegration } from '../../store/integrations.js';
import { findOrganisation } from '../../store/organisations.js';
import { loadSecrets } from '../../store/secrets.js';
import type { EngineDeps } from '../deps.js';
import { hookRequest, isBusy } from '../hook-runner.js';
import { databaseKv } from '../kv-store.js';
import { stepsOf } from '../hook-steps.js';
import { observeExecution } from '../run-metrics.js';
import { DryRunPreview } from '../pages/dry-run-preview.js';
import { savePage, type PageScope } from '../pages/save-page.js';
import { PageTally, runPipeline } from '../pages/pipeline.js';
import { orgInfo } from '../../domain/organisations.js';

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

/** What an execution gathers across its pages. */
class ExecutionLog {
  readonly logs: LogEntry[] = [];
  readonly http: HttpLogEntry[] = [];
  readonly counts: Counts = emptyCounts();
  /** A dry run's counts, of every record, and its preview of the first ones. */
  readonly preview = new DryRunPreview((level, message) => this.line(level, message));
  /** Set once the secrets are loaded: the lines Hookyard writes quote records, which may hold them. */
  redactor: Redactor = createRedactor();
  readonly tally = new PageTally(this.counts, (level, message) => this.line(level, message));

  /** The counts to record: what happened, or for a dry run what would have. */
  countsOf(run: Pick<PullRun, 'dryRun'>): Counts | DryRunCounts {
    return run.dryRun ? this.preview.counts : this.counts;
  }

  line(level: LogEntry['level'], message: string, data?: JsonValue): void {
    this.logs.push({ ts: new Date().toISOString(), level, message: this.redactor.text(message), ...(data !== undefined && { data: this.redactor.json(data) }) });
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
  const startedAt = Date.now();
  const observe = (outcome: ExecutionOutcome) =>
    observeExecution(deps.metrics, { orgId: run.orgId, hookType: 'pull', trigger: run.trigger, durationMs: Date.now() - startedAt }, outcome);
  let outcome: ExecutionOutcome;
  try {
    outcome = await execute(deps, run, log);
  } catch (thrown) {
    if (isBusy(thrown)) {
      // A dry run the sandbox had no room for: recorded as skipped, and the caller gets the 429.
      const skipped: ExecutionOutcome = { status: 'skipped', counts: log.countsOf(run), logs: log.logs, http: log.http, error: { message: `rate limit: ${thrown.message}` } };
      await finishExecution(db, run.executionId, skipped);
      observe(skipped);
      throw thrown;
    }
    // The platform failed (database, decryption), not the hook: still close the record.
    const error = coerceError(thrown);
    outcome = { status: 'failed', counts: log.countsOf(run), logs: log.logs, http: log.http, error: { message: `internal error: ${error.message}` } };
  }
  await finishExecution(db, run.executionId, outcome);
  observe(outcome);
  deps.progress?.publish(run.executionId, { status: outcome.status, pages: outcome.pages ?? 0, counts: outcome.counts ?? log.countsOf(run) });
  return outcome;
}

async function execute(deps: EngineDeps, run: PullRun, log: ExecutionLog): Promise<ExecutionOutcome> {
  const { db } = deps.store;
  const failed = (message: string): ExecutionOutcome => ({ status: 'failed', counts: log.countsOf(run), logs: log.logs, http: log.http, error: { message } });
  const hook = await findHookForRun(db, deps.secretBox, run.orgId, run.hookId);
  if (!hook || hook.type !== 'pull' || !hook.entityType) return failed('the hook is gone or is not a pull hook');
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
  const limits = deps.sandbox.limits('pull');
  const logBudget: LogBudget = { bytes: limits.logBytes, lines: limits.logLines, exhausted: false };
  const scope: PageScope = {
    orgId: run.orgId,
    integrationId: integration.id,
    hookId: hook.id,
    sourceKind: 'pull',
    sourceSystemKey: integration.sourceSystemKey,
    entityType: hook.entityType,
    dryRun: run.dryRun,
    dialect: deps.store.engine.name,
    definitions,
  };
  const base = { ...hookRequest(hook, { orgId: run.orgId, trigger: run.trigger, secrets, kv, signingSecrets: hook.remoteSecrets }), logBudget };
  const ctxBase = {
    params: (hook.params ?? {}) as JsonValue,
    org: orgInfo(org),
    integration: { id: integration.id, name: integration.name, sourceSystemKey: integration.sourceSystemKey },
  };

  let pagesSaved = 0;
  const { pagination } = await runPipeline(
    {
      async call(entry, page, meta, input, spent) {
        const result = await deps.sandbox.run({
          ...base,
          entry,
          ...(input !== undefined && { input }),
          ...(spent && { spent }),
          ctx: {
            ...ctxBase,
            ...(meta !== undefined && { meta }),
            execution: { id: run.executionId, hookId: hook.id, trigger: run.trigger, dryRun: run.dryRun, attempt: run.attempt, page },
          },
        });
        log.logs.push(...result.logs);
        log.http.push(...result.http);
        return result;
      },
      implements: stepsOf(hook),
      mapping: hook.mapping,
      async save(records) {
        const saved = await savePage(db, scope, records);
        log.tally.add(records.length, saved.results, saved.warnings.map((w) => `record ${w.externalId}: ${w.message}`));
        if (run.dryRun) log.preview.add(records.length, saved.preview);
        pagesSaved++;
        deps.progress?.publish(run.executionId, { status: 'running', pages: pagesSaved, counts: log.countsOf(run) });
        return saved.results;
      },
      counts: () => log.countsOf(run),
      line: (level, message) => log.line(level, message),
    },
    { meta: run.meta, maxPages: limits.pages },
  );
  log.logs.push(...pagination.warnings);
  const failure = pagination.pages.at(-1)?.error;
  const status = pagination.status;

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
    ...(run.dryRun && { preview: log.redactor.json(log.preview.items) }),
  };
}

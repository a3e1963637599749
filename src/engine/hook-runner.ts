/**
 * One run of a PUSH, pre- or post-hook in the sandbox, with what a run needs from the
 * store: `ctx.org`, `ctx.integration`, `ctx.secrets`, the integration's KV store and
 * the hook's `ctx.params`. The callers (push-jobs.ts, api-hooks.ts, dry-runs.ts) decide
 * what the run means and record it as an execution.
 */
import type { Kysely } from 'kysely';
import { HookyardError } from '../domain/errors.js';
import type { ExecutionError, ExecutionOutcome, Trigger } from '../domain/executions.js';
import type { Hook } from '../domain/hooks.js';
import type { SecretBox } from '../domain/secret-box.js';
import { createRedactor, type CtxData, type JsonValue, type KvStore, type LogBudget, type Redactor, type RunRequest, type RunResult, type Sandbox } from '../sandbox/index.js';
import type { Database } from '../store/schema.js';
import { cachedRead } from '../store/read-cache.js';
import { findHookForRun } from '../store/hooks.js';
import { loadSecrets } from '../store/secrets.js';
import { databaseKv } from './kv-store.js';

/** What a run needs of the platform. */
export interface HookRunnerDeps {
  readonly db: Kysely<Database>;
  readonly secretBox: SecretBox;
  readonly sandbox: Sandbox;
}

/** One run of one hook. */
export interface HookRun {
  readonly orgId: string;
  readonly hook: Hook;
  readonly executionId: string;
  readonly trigger: Trigger;
  readonly attempt: number;
  readonly dryRun: boolean;
  /** The type's own ctx members: `event` for push, `request` (and `response`) for pre/post. */
  readonly ctx: Pick<CtxData, 'event' | 'request' | 'response'>;
}

/**
 * What a run does when the sandbox is full: work a caller is waiting on (a dry run, an API
 * hook, an inbound call) is refused at once with 429; queued work waits its turn.
 */
export function onBusyFor(trigger: Trigger): 'wait' | 'refuse' {
  return trigger === 'test' || trigger === 'api' || trigger === 'inbound' ? 'refuse' : 'wait';
}

/** Whether `thrown` is the sandbox refusing a run for now (see {@link onBusyFor}). */
export function isBusy(thrown: unknown): thrown is HookyardError {
  return thrown instanceof HookyardError && thrown.code === 'HY_RATE_LIMITED';
}

/** What every run of a hook asks the sandbox, whatever its type; the caller adds the entry point and ctx. */
export type HookRequestBase = Omit<RunRequest, 'entry' | 'input' | 'ctx'>;

/**
 * The part of a sandbox request that comes from the hook itself: its code or remote URL
 * (with the signing secrets still valid), the integration's secrets and KV store, and
 * what to do when the sandbox is full.
 */
export function hookRequest(
  hook: Hook,
  run: {
    readonly orgId: string;
    readonly trigger: Trigger;
    readonly secrets: Readonly<Record<string, string>>;
    readonly kv: KvStore;
    readonly signingSecrets?: readonly string[];
    /** Shared by the runs of one execution (its pages, its flow steps). */
    readonly logBudget?: LogBudget;
  },
): HookRequestBase {
  return {
    orgId: run.orgId,
    integrationId: hook.integrationId,
    hookId: hook.id,
    hookVersion: hook.version,
    type: hook.type,
    code: hook.code ?? '',
    language: hook.language ?? 'javascript',
    ...(hook.runtime === 'remote' && { remote: { url: hook.remote!.url, signingSecrets: run.signingSecrets ?? [] } }),
    secrets: run.secrets,
    kv: run.kv,
    onBusy: onBusyFor(run.trigger),
    ...(run.logBudget && { logBudget: run.logBudget }),
  };
}

/** `ctx.org` and `ctx.integration` of a run. */
interface RunScope {
  readonly org: { id: string; slug: string; name: string; timeZone: string };
  readonly integration: { id: string; name: string; sourceSystemKey: string };
}

function loadScope(db: Kysely<Database>, orgId: string, integrationId: string): Promise<RunScope | undefined> {
  return cachedRead(db, `run_scope:${orgId}:${integrationId}`, async () => {
    const row = await db
      .selectFrom('integrations as i')
      .innerJoin('organisations as o', 'o.id', 'i.org_id')
      .select(['o.id as org_id', 'o.slug', 'o.name as org_name', 'o.time_zone', 'i.id', 'i.name', 'i.source_system_key'])
      .where('i.org_id', '=', orgId)
      .where('i.id', '=', integrationId)
      .executeTakeFirst();
    return (
      row && {
        org: { id: row.org_id, slug: row.slug, name: row.org_name, timeZone: row.time_zone },
        integration: { id: row.id, name: row.name, sourceSystemKey: row.source_system_key },
      }
    );
  });
}

/**
 * A run's result, with the redactor of its secrets: the sandbox keeps secrets out of the
 * logs, the HTTP log and errors, but not out of the returned value, which is the hook's
 * to give; a caller that shows the value to people (a dry run's log) redacts it.
 */
export interface HookRunResult extends RunResult {
  readonly redactor: Redactor;
}

/** A run that never reached the sandbox (the hook or its integration is gone). */
function refused(message: string): HookRunResult {
  return { status: 'failed', logs: [], http: [], error: { message, stack: `Error: ${message}` }, durationMs: 0, redactor: createRedactor() };
}

/**
 * Runs `run.hook` once and reports the sandbox's result; never rejects for anything the
 * hook does. Dry runs read the KV store and never write it.
 */
export async function runHook(deps: HookRunnerDeps, run: HookRun): Promise<HookRunResult> {
  const { hook } = run;
  if (hook.type === 'pull' || hook.type === 'inbound') return refused(`${hook.type} hooks do not run through this runner`);
  const [scope, secrets, signingSecrets] = await Promise.all([
    loadScope(deps.db, run.orgId, hook.integrationId),
    loadSecrets(deps.db, deps.secretBox, run.orgId, hook.integrationId),
    hook.runtime === 'remote' ? findHookForRun(deps.db, deps.secretBox, run.orgId, hook.id).then((h) => h?.remoteSecrets) : undefined,
  ]);
  if (!scope) return refused(`integration ${hook.integrationId} no longer exists`);
  if (hook.runtime === 'remote' && !signingSecrets) return refused(`hook ${hook.id} no longer exists`);
  const execution = { id: run.executionId, hookId: hook.id, trigger: run.trigger, dryRun: run.dryRun, attempt: run.attempt, page: 1 };
  // Written out, or the added members before the spread: on Node 20's V8 a literal that starts
  // with a spread and then adds a property gets a hidden class of its own on every call, kept in
  // the old space until the next full collection (bench/README.md, Inbound, "Peak RSS").
  const kv = databaseKv(deps.db, { orgId: run.orgId, integrationId: hook.integrationId });
  const result = await deps.sandbox.run({
    dryRun: run.dryRun,
    ctx: { event: run.ctx.event, request: run.ctx.request, response: run.ctx.response, params: (hook.params ?? {}) as JsonValue, org: scope.org, integration: scope.integration, execution },
    ...hookRequest(hook, { orgId: run.orgId, trigger: run.trigger, secrets, signingSecrets, kv }),
  });
  return { redactor: createRedactor(secrets), ...result };
}

/** How a sandbox result is recorded as an execution's outcome. */
export function outcomeOf(result: RunResult): ExecutionOutcome & { status: 'completed' | 'failed' | 'timed_out' } {
  const error: ExecutionError | undefined = result.error && {
    message: result.error.message,
    stack: result.error.stack,
    ...(result.error.line !== undefined && { line: result.error.line }),
    ...(result.error.column !== undefined && { column: result.error.column }),
    ...(result.error.limit !== undefined && { limit: result.error.limit }),
  };
  return {
    status: result.status,
    pages: 1,
    counts: { processed: 1, created: 0, updated: 0, skipped: 0, failed: result.status === 'completed' ? 0 : 1 },
    logs: result.logs,
    http: result.http,
    ...(error && { error }),
  };
}

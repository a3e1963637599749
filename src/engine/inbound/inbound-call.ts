/**
 * One call of an inbound hook (`ANY /inbound/{orgSlug}/{path}`): find the organisation's
 * enabled hook for the path and method, hold the call to its rate limits, verify it before
 * any code runs, answer a replayed message without running again, run the hook with the
 * request as `ctx.request`, save the records it returns through the same page pipeline as
 * a PULL page, and answer with its `response` (default 200 `{ "ok": true }`). Every call
 * that reaches a hook is an execution (trigger `inbound`).
 */
import { coerceError } from '../../domain/errors.js';
import { emptyCounts, type ExecutionOutcome } from '../../domain/executions.js';
import { newId } from '../../domain/ids.js';
import { firstTooDeep } from '../../domain/json-depth.js';
import { REPLAY_WINDOW_MS, verifyWebhook } from '../../domain/webhook-verification.js';
import { DEFAULT_LIMITS, createRedactor, type JsonValue, type LogEntry, type RunRequest, type RunResult } from '../../sandbox/index.js';
import { customAttributeDefinitions } from '../../store/custom-attributes.js';
import { findHookForRun, listEnabledHooks } from '../../store/hooks.js';
import { firstSighting } from '../../store/inbound-messages.js';
import { findIntegration } from '../../store/integrations.js';
import { findOrganisationBySlug } from '../../store/organisations.js';
import { cachedRead } from '../../store/read-cache.js';
import { loadSecrets } from '../../store/secrets.js';
import type { EngineDeps } from '../deps.js';
import type { ExecutionRecorder } from '../execution-recorder.js';
import { hookRequest, isBusy } from '../hook-runner.js';
import { stepsOf } from '../hook-steps.js';
import { databaseKv } from '../kv-store.js';
import { savePage } from '../pull/pull-page.js';
import { PageTally, runPipeline } from '../pull/pull-pipeline.js';
import { observeExecution } from '../run-metrics.js';
import type { TokenBuckets } from './rate-limit.js';

/** The call as it arrived. */
export interface InboundCall {
  readonly orgSlug: string;
  readonly path: string;
  readonly method: string;
  /** Names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string | string[]>>;
  readonly rawBody: Buffer;
}

/** The answer to send. */
export interface InboundAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** What inbound calls share: the engine, where executions are written, the rate limits. */
export interface InboundDeps extends Pick<EngineDeps, 'store' | 'secretBox' | 'sandbox' | 'metrics'> {
  readonly recorder: ExecutionRecorder;
  readonly perHook: TokenBuckets;
  readonly perOrg: TokenBuckets;
  readonly now?: () => number;
}


const json = (status: number, body: unknown, headers: Record<string, string> = {}): InboundAnswer => ({ status, headers, body });
const error = (status: number, code: string, message: string, headers: Record<string, string> = {}) => json(status, { error: { code, message } }, headers);
// The same answer for an unknown organisation, path or method, and a disabled hook: routes cannot be probed.
const NOT_FOUND = error(404, 'HY_NOT_FOUND', 'no inbound route here');
// Headers of a hook's response that belong to the transport, not to the hook.
const TRANSPORT_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'trailer', 'te']);

/** Answers one inbound call; never rejects for anything the sender or the hook does. */
export async function handleInbound(deps: InboundDeps, call: InboundCall): Promise<InboundAnswer> {
  const { db } = deps.store;
  const now = deps.now ?? Date.now;
  // The organisation and integration are read through the cache, as a run's scope is elsewhere (hook-runner.ts).
  const org = await cachedRead(db, `organisation_slug:${call.orgSlug}`, () => findOrganisationBySlug(db, call.orgSlug));
  if (!org) return NOT_FOUND;
  const hook = (await listEnabledHooks(db, org.id, 'inbound')).find((h) => h.path === call.path && (h.method === 'ANY' || h.method === call.method));
  if (!hook) return NOT_FOUND;
  for (const [buckets, key] of [[deps.perHook, hook.id], [deps.perOrg, org.id]] as const) {
    const taken = buckets.take(key);
    if (!taken.ok) return error(429, 'HY_RATE_LIMITED', 'too many calls to this route; try again later', { 'retry-after': String(taken.retryAfterSeconds) });
  }

  const executionId = newId();
  const startedAt = now();
  const record = (outcome: ExecutionOutcome) => {
    const finishedAt = now();
    deps.recorder.record({ id: executionId, orgId: org.id, hookId: hook.id, trigger: 'inbound', startedAt, finishedAt, ...outcome });
    observeExecution(deps.metrics, { orgId: org.id, hookType: 'inbound', trigger: 'inbound', durationMs: finishedAt - startedAt }, outcome);
  };
  const full = await findHookForRun(db, deps.secretBox, org.id, hook.id);
  const integration = full && (await cachedRead(db, `integration:${org.id}:${full.integrationId}`, () => findIntegration(db, org.id, full.integrationId)));
  if (!full || !integration) return NOT_FOUND;

  if (full.verify) {
    const verdict = full.verifySecret
      ? verifyWebhook(full.verify, full.verifySecret, { headers: call.headers, rawBody: call.rawBody, now: Math.floor(now() / 1000) })
      : ({ ok: false, reason: 'the hook has no verification secret' } as const);
    if (!verdict.ok) {
      record({ status: 'failed', counts: emptyCounts(), error: { message: `verification failed (${full.verify.scheme}): ${verdict.reason}` } });
      return error(401, 'HY_UNAUTHORIZED', 'the call could not be verified');
    }
    if (verdict.messageId && !(await firstSighting(db, hook.id, verdict.messageId, now(), now() - REPLAY_WINDOW_MS))) {
      record({ status: 'skipped', counts: emptyCounts(), error: { message: `message ${verdict.messageId} was received already: not run again` } });
      return json(200, { ok: true });
    }
  }

  const rawBody = call.rawBody.toString('utf8');
  const body = parseBody(call.headers['content-type'] ?? '', rawBody);
  if (!body.ok) {
    record({ status: 'failed', counts: emptyCounts(), error: { message: body.reason } });
    return error(400, 'HY_BAD_REQUEST', body.reason);
  }

  const [secrets, definitions] = await Promise.all([
    loadSecrets(db, deps.secretBox, org.id, integration.id),
    hook.entityType ? customAttributeDefinitions(db, org.id, hook.entityType) : Promise.resolve([]),
  ]);
  const redactor = createRedactor(secrets);
  const counts = emptyCounts();
  const logs: LogEntry[] = [];
  const http: RunResult['http'] = [];
  const line = (level: LogEntry['level'], message: string) => logs.push({ ts: new Date().toISOString(), level, message: redactor.text(message) });
  const limits = DEFAULT_LIMITS.inbound;
  const request = {
    method: call.method,
    path: call.path,
    headers: call.headers,
    query: call.query,
    ...(body.value !== undefined && { body: body.value }),
    rawBody,
  } as unknown as JsonValue;
  const base = {
    ...hookRequest(full, { orgId: org.id, trigger: 'inbound', secrets, kv: databaseKv(db, { orgId: org.id, integrationId: integration.id }), signingSecrets: full.remoteSecrets }),
    logBudget: { bytes: limits.logBytes, lines: limits.logLines, exhausted: false },
  };
  const ctx = {
    request,
    params: (hook.params ?? {}) as JsonValue,
    org: { id: org.id, slug: org.slug, name: org.name, timeZone: org.timeZone },
    integration: { id: integration.id, name: integration.name, sourceSystemKey: integration.sourceSystemKey },
  };
  const run = async (entry: RunRequest['entry'], input?: JsonValue): Promise<RunResult> => {
    const result = await deps.sandbox.run({
      ...base,
      entry,
      ...(input !== undefined && { input }),
      ctx: { ...ctx, execution: { id: executionId, hookId: hook.id, trigger: 'inbound', dryRun: false, attempt: 1, page: 1 } },
    });
    logs.push(...result.logs);
    http.push(...result.http);
    return result;
  };

  let first: RunResult;
  try {
    first = await run('run');
  } catch (thrown) {
    if (isBusy(thrown)) return error(429, 'HY_RATE_LIMITED', 'too many hooks of this organisation are running; try again later', { 'retry-after': '1' });
    throw thrown;
  }
  if (first.status !== 'completed') {
    record({ status: first.status, counts: { ...counts, processed: 1, failed: 1 }, logs, http, ...(first.error && { error: first.error }) });
    return error(502, 'HY_BAD_GATEWAY', 'the inbound hook failed');
  }
  const returned = (first.value ?? {}) as { response?: unknown; records?: unknown };
  const answer = readResponse(returned.response);
  if (typeof answer === 'string') {
    record({ status: 'failed', counts, logs, http, error: { message: answer } });
    return error(502, 'HY_BAD_GATEWAY', 'the inbound hook failed');
  }

  let status: ExecutionOutcome['status'] = 'completed';
  let failure: string | undefined;
  if (returned.records !== undefined) {
    if (!hook.entityType) {
      status = 'failed';
      failure = 'an inbound hook that returns records needs an entityType';
    } else {
      const scope = {
        orgId: org.id,
        integrationId: integration.id,
        hookId: hook.id,
        sourceKind: 'inbound' as const,
        sourceSystemKey: integration.sourceSystemKey,
        entityType: hook.entityType,
        dryRun: false,
        dialect: deps.store.engine.name,
        definitions,
      };
      const tally = new PageTally(counts, line);
      // The run has happened: the pipeline takes its records as its one page, then runs the steps.
      const { pagination } = await runPipeline({
        call: async (entry, _page, _meta, input) => (entry === 'run' ? { ...first, value: { records: returned.records as JsonValue } } : run(entry, input)),
        implements: stepsOf(full),
        mapping: hook.mapping,
        async save(records) {
          const saved = await savePage(db, scope, records);
          tally.add(records.length, saved.results, saved.warnings.map((w) => `record ${w.externalId}: ${w.message}`));
          return saved.results;
        },
        counts: () => counts,
        line,
      });
      status = pagination.status;
      failure = pagination.pages.at(-1)?.error?.message;
    }
  }
  record({ status, counts, logs, http, ...(status !== 'completed' && { error: { message: failure ?? status } }) });
  return answer;
}

/** `ctx.request.body`: parsed JSON or form fields, when the content type says so. */
function parseBody(contentType: string, text: string): { ok: true; value?: unknown } | { ok: false; reason: string } {
  const type = contentType.toLowerCase();
  if (/[/+]json\b/.test(type)) {
    if (text.trim() === '') return { ok: true };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (thrown) {
      return { ok: false, reason: `the body is not valid JSON: ${coerceError(thrown).message}` };
    }
    const deep = firstTooDeep(value);
    if (deep) return { ok: false, reason: `the body is nested more than 64 levels deep (at /${deep.join('/')})` };
    return { ok: true, value };
  }
  if (type.startsWith('application/x-www-form-urlencoded')) return { ok: true, value: Object.fromEntries(new URLSearchParams(text)) };
  return { ok: true };
}

/** The hook's `response`, checked: a status from 200 to 599, string headers, any body. */
function readResponse(response: unknown): InboundAnswer | string {
  if (response === undefined || response === null) return json(200, { ok: true });
  if (typeof response !== 'object' || Array.isArray(response)) return 'response must be an object { status?, headers?, body? }';
  const { status = 200, headers = {}, body = { ok: true } } = response as { status?: unknown; headers?: unknown; body?: unknown };
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) return `response.status must be an integer from 200 to 599, got ${JSON.stringify(status)}`;
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return 'response.headers must be an object of strings';
  const sent: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') return `response.headers.${name} must be a string`;
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name) || /[\r\n]/.test(value)) return `response.headers.${name} is not a valid header`;
    if (!TRANSPORT_HEADERS.has(name.toLowerCase())) sent[name.toLowerCase()] = value;
  }
  return { status, headers: sent, body };
}

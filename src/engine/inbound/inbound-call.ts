/**
 * One call of `ANY /inbound/{orgSlug}/{path}`: find the organisation's enabled inbound
 * hook for the path and method — or else its enabled automation with an inbound trigger
 * there (automations/triggers/inbound.ts) — hold the call to its rate limits, verify it
 * before anything runs, answer a replayed message without running again, parse the body,
 * and hand the call to the route. A hook runs with the request as `ctx.request`, its
 * records are saved through the same page pipeline as a PULL page, and the answer is its
 * `response` (default 200 `{ "ok": true }`). Every call that reaches a route is an
 * execution (trigger `inbound`).
 */
import { coerceError } from '../../domain/errors.js';
import { emptyCounts, type ExecutionOutcome } from '../../domain/executions.js';
import { newId } from '../../domain/ids.js';
import { firstTooDeep } from '../../domain/json-depth.js';
import { REPLAY_WINDOW_MS, verifyWebhook } from '../../domain/webhook-verification.js';
import { createRedactor, dryRunKv, type JsonValue, type LogEntry, type RunRequest, type RunResult, type Spent } from '../../sandbox/index.js';
import { customAttributeDefinitions } from '../../store/custom-attributes.js';
import { findHookForRun, listEnabledHooks, type HookForRun } from '../../store/hooks.js';
import { firstSighting } from '../../store/inbound-messages.js';
import { findIntegration, type Integration } from '../../store/integrations.js';
import { findOrganisationBySlug, type Organisation } from '../../store/organisations.js';
import { cachedRead } from '../../store/read-cache.js';
import { loadSecrets } from '../../store/secrets.js';
import { automationRoute } from '../automations/triggers/inbound.js';
import type { EngineDeps } from '../deps.js';
import type { ExecutionRecorder } from '../execution-recorder.js';
import { hookRequest, isBusy } from '../hook-runner.js';
import { stepsOf } from '../hook-steps.js';
import { databaseKv } from '../kv-store.js';
import { DryRunPreview } from '../pages/dry-run-preview.js';
import { savePage } from '../pages/save-page.js';
import { PageTally, runPipeline } from '../pages/pipeline.js';
import { observeExecution } from '../run-metrics.js';
import { NOT_FOUND, error, json, readResponse, type InboundAnswer } from './inbound-answer.js';
import { answersCall, type InboundCall, type InboundRoute, type RecordInbound } from './inbound-route.js';
import type { TokenBuckets } from './rate-limit.js';
import { orgInfo } from '../../domain/organisations.js';

/** What inbound calls share: the engine, where executions are written, the rate limits. */
export interface InboundDeps extends EngineDeps {
  readonly recorder: ExecutionRecorder;
  readonly perHook: TokenBuckets;
  readonly perOrg: TokenBuckets;
  readonly now?: () => number;
}

/** Answers one inbound call; never rejects for anything the sender or the hook does. */
export async function handleInbound(deps: InboundDeps, call: InboundCall): Promise<InboundAnswer> {
  const { db } = deps.store;
  const now = deps.now ?? Date.now;
  // The organisation and integration are read through the cache, as a run's scope is elsewhere (hook-runner.ts).
  const org = await cachedRead(db, `organisation_slug:${call.orgSlug}`, () => findOrganisationBySlug(db, call.orgSlug));
  if (!org) return NOT_FOUND;
  // Inbound hooks first; the API keeps automations off the paths they answer.
  const route = (await hookRoute(deps, org, call)) ?? (await automationRoute(deps, org, call));
  if (!route) return NOT_FOUND;
  for (const [buckets, key] of [[deps.perHook, route.id], [deps.perOrg, org.id]] as const) {
    const taken = buckets.take(key);
    if (!taken.ok) return error(429, 'HY_RATE_LIMITED', 'too many calls to this route; try again later', { 'retry-after': String(taken.retryAfterSeconds) });
  }

  const opened = await route.open();
  if (!opened) return NOT_FOUND;
  const executionId = newId();
  const startedAt = now();
  const record: RecordInbound = (outcome) => {
    const finishedAt = now();
    deps.recorder.record({ id: executionId, orgId: org.id, ...route.owner, trigger: 'inbound', startedAt, finishedAt, ...outcome });
    if ('hookId' in route.owner) observeExecution(deps.metrics, { orgId: org.id, hookType: 'inbound', trigger: 'inbound', durationMs: finishedAt - startedAt }, outcome);
  };

  if (opened.verify) {
    const verdict = opened.verifySecret
      ? verifyWebhook(opened.verify, opened.verifySecret, { headers: call.headers, rawBody: call.rawBody, now: Math.floor(now() / 1000) })
      : ({ ok: false, reason: `${route.noun} has no verification secret` } as const);
    if (!verdict.ok) {
      record({ pages: 0, status: 'failed', counts: emptyCounts(), error: { message: `verification failed (${opened.verify.scheme}): ${verdict.reason}` } });
      return error(401, 'HY_UNAUTHORIZED', 'the call could not be verified');
    }
    if (verdict.messageId && !(await firstSighting(db, route.id, verdict.messageId, now(), now() - REPLAY_WINDOW_MS))) {
      record({ pages: 0, status: 'skipped', counts: emptyCounts(), error: { message: `message ${verdict.messageId} was received already: not run again` } });
      return json(200, { ok: true });
    }
  }

  const body = parseBody(call);
  if (!body.ok) {
    record({ pages: 0, status: 'failed', counts: emptyCounts(), error: { message: body.reason } });
    return error(400, 'HY_BAD_REQUEST', body.reason);
  }
  return opened.answer(body.value, { executionId, record });
}

/** The organisation's enabled inbound hook for the call's path and method, as a route. */
async function hookRoute(deps: InboundDeps, org: Organisation, call: InboundCall): Promise<InboundRoute | undefined> {
  const { db } = deps.store;
  const hook = (await listEnabledHooks(db, org.id, 'inbound')).find((h) => answersCall(h, call));
  if (!hook) return undefined;
  return {
    id: hook.id,
    owner: { hookId: hook.id },
    noun: 'the hook',
    async open() {
      const full = await findHookForRun(db, deps.secretBox, org.id, hook.id);
      const integration = full && (await cachedRead(db, `integration:${org.id}:${full.integrationId}`, () => findIntegration(db, org.id, full.integrationId)));
      if (!full || !integration) return undefined;
      return {
        ...(full.verify && { verify: full.verify }),
        verifySecret: full.verifySecret,
        answer: (body, run) => runInboundHook(deps, { org, hook: full, integration, call, body, ...run }),
      };
    },
  };
}

/** An inbound hook's `ctx.request`: the call with its parsed body (on the server and in `hookyard run`). */
export function inboundCtxRequest(call: InboundCall, body: unknown): JsonValue {
  return {
    method: call.method,
    path: call.path,
    headers: call.headers,
    query: call.query,
    ...(body !== undefined && { body }),
    rawBody: call.rawBody.toString('utf8'),
  } as unknown as JsonValue;
}

/**
 * Runs an inbound hook with the verified call as `ctx.request`, saves the records it returns, answers its `response`.
 * A dry run (`POST /v1/hooks/{id}/test`, dry-runs.ts) runs the same way but writes nothing: its records are a preview,
 * its answer a log line, and a full sandbox rejects with the 429 for the test route.
 */
export async function runInboundHook(
  deps: EngineDeps,
  { org, hook, integration, call, body, executionId, record, dryRun = false }: {
    org: Organisation;
    hook: HookForRun;
    integration: Integration;
    call: InboundCall;
    body: unknown;
    executionId: string;
    record: RecordInbound;
    dryRun?: boolean;
  },
): Promise<InboundAnswer> {
  const { db } = deps.store;
  const [secrets, definitions] = await Promise.all([
    loadSecrets(db, deps.secretBox, org.id, integration.id),
    hook.entityType ? customAttributeDefinitions(db, org.id, hook.entityType) : Promise.resolve([]),
  ]);
  const redactor = createRedactor(secrets);
  const counts = emptyCounts();
  const logs: LogEntry[] = [];
  const http: RunResult['http'] = [];
  const line = (level: LogEntry['level'], message: string) => logs.push({ ts: new Date().toISOString(), level, message: redactor.text(message) });
  const trigger = dryRun ? 'test' : 'inbound';
  // A dry run's would-counts and preview, recorded instead of what happened.
  const preview = dryRun ? new DryRunPreview(line) : undefined;
  // The hook ran: its one run is the execution's one page (a dry run's counts are its preview's).
  // `pages` before the spread: a literal that starts with a spread and then adds a property
  // gets a hidden class of its own on every call (see `run` below).
  const ran = (outcome: Omit<ExecutionOutcome, 'pages'>): ExecutionOutcome => ({ pages: 1, ...outcome, ...(preview && { counts: preview.counts, preview: redactor.json(preview.items) }) });
  const limits = deps.sandbox.limits('inbound');
  // A dry run's one overlay for the run and its flow steps: they see its writes, the store does not.
  const kv = databaseKv(db, { orgId: org.id, integrationId: integration.id });
  const request = inboundCtxRequest(call, body);
  const base = hookRequest(hook, {
    orgId: org.id,
    trigger,
    secrets,
    kv: dryRun ? dryRunKv(kv) : kv,
    signingSecrets: hook.remoteSecrets,
    logBudget: { bytes: limits.logBytes, lines: limits.logLines, exhausted: false },
  });
  const ctx = {
    request,
    params: (hook.params ?? {}) as JsonValue,
    org: orgInfo(org),
    integration: { id: integration.id, name: integration.name, sourceSystemKey: integration.sourceSystemKey },
    execution: { id: executionId, hookId: hook.id, trigger, dryRun, attempt: 1, page: 1 },
  };
  const run = async (entry: RunRequest['entry'], input?: JsonValue, spent?: Spent): Promise<RunResult> => {
    // `entry` before the spread: on Node 20's V8 a literal that starts with a spread and then adds a
    // property gets a hidden class of its own on every call, which stays in the old space until the
    // next full collection (bench/README.md, Inbound, "Peak RSS").
    const result = await deps.sandbox.run({ entry, ...base, ...(input !== undefined && { input }), ...(spent && { spent }), ctx });
    logs.push(...result.logs);
    http.push(...result.http);
    return result;
  };

  let first: RunResult;
  try {
    first = await run('run');
  } catch (thrown) {
    if (isBusy(thrown) && !dryRun) return error(429, 'HY_RATE_LIMITED', 'too many hooks of this organisation are running; try again later', { 'retry-after': '1' });
    throw thrown;
  }
  if (first.status !== 'completed') {
    record(ran({ status: first.status, counts: { ...counts, processed: 1, failed: 1 }, logs, http, ...(first.error && { error: first.error }) }));
    return error(502, 'HY_BAD_GATEWAY', 'the inbound hook failed');
  }
  const returned = (first.value ?? {}) as { response?: unknown; records?: unknown };
  const answer = readResponse(returned.response);
  if (typeof answer === 'string') {
    record(ran({ status: 'failed', counts, logs, http, error: { message: answer } }));
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
        dryRun,
        dialect: deps.store.engine.name,
        definitions,
      };
      const tally = new PageTally(counts, line);
      // The run has happened: the pipeline takes its records as its one page, then runs the steps.
      const { pagination } = await runPipeline({
        call: async (entry, _page, _meta, input, spent) => (entry === 'run' ? { ...first, value: { records: returned.records as JsonValue } } : run(entry, input, spent)),
        implements: stepsOf(hook),
        mapping: hook.mapping,
        async save(records) {
          const saved = await savePage(db, scope, records);
          tally.add(records.length, saved.results, saved.warnings.map((w) => `record ${w.externalId}: ${w.message}`));
          preview?.add(records.length, saved.preview);
          return saved.results;
        },
        counts: () => preview?.counts ?? counts,
        line,
      });
      status = pagination.status;
      failure = pagination.pages.at(-1)?.error?.message;
    }
  }
  if (dryRun) logs.push({ ts: new Date().toISOString(), level: 'info', message: `dry run: the hook would answer ${answer.status} (verification is not applied in a dry run)`, data: redactor.json(answer) as unknown as JsonValue });
  record(ran({ status, counts, logs, http, ...(status !== 'completed' && { error: { message: failure ?? status } }) }));
  return answer;
}

/** `ctx.request.body`: parsed JSON or form fields, when the content type says so. */
export function parseBody(call: InboundCall): { ok: true; value?: unknown } | { ok: false; reason: string } {
  const type = (call.headers['content-type'] ?? '').toLowerCase();
  const text = call.rawBody.toString('utf8');
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

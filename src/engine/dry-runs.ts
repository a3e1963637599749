/**
 * Dry runs (`POST /v1/hooks/{id}/test`) of PUSH, pre-, post- and inbound hooks: one run in the
 * real sandbox with real HTTP, against a fixture (`event` or `request`), recorded as an
 * execution with `trigger: 'test'` and `dryRun: true`. Nothing is retried, no KV write
 * is kept, no entity is touched. What the hook returned is added to the log, since a
 * dry run is how an author checks it. An inbound hook runs as a real call would
 * (inbound-call.ts), without verification: its records are the execution's preview.
 */
import { coerceError, invalidField } from '../domain/errors.js';
import { emptyDryRunCounts, type ExecutionOutcome } from '../domain/executions.js';
import type { Hook } from '../domain/hooks.js';
import type { JsonValue } from '../sandbox/index.js';
import { finishExecution, insertExecution } from '../store/executions.js';
import { findHookForRun } from '../store/hooks.js';
import { findIntegration } from '../store/integrations.js';
import { findOrganisation } from '../store/organisations.js';
import type { EngineDeps } from './deps.js';
import { isBusy, outcomeOf, runHook } from './hook-runner.js';
import { runInboundHook } from './inbound/inbound-call.js';
import { readInboundFixture } from './inbound/inbound-fixture.js';
import { sampleEvent, sampleRequest } from './sample-fixtures.js';
import { observeExecution } from './run-metrics.js';

/** The optional fixtures of a test call. */
export interface DryRunFixture {
  readonly event?: unknown;
  readonly request?: unknown;
}

/** Runs a dry run of `hook`; resolves with the finished execution's id. */
export type DryRun = (deps: EngineDeps, hook: Hook, orgId: string, fixture: DryRunFixture) => Promise<string>;

async function dryRun(deps: EngineDeps, hook: Hook, orgId: string, ctx: { event?: JsonValue; request?: JsonValue; response?: JsonValue }): Promise<string> {
  const { db } = deps.store;
  const executionId = await insertExecution(db, { orgId, hookId: hook.id, trigger: 'test', dryRun: true, status: 'running' });
  const startedAt = Date.now();
  const observe = (outcome: ExecutionOutcome) => observeExecution(deps.metrics, { orgId, hookType: hook.type, trigger: 'test', durationMs: Date.now() - startedAt }, outcome);
  let result;
  try {
    result = await runHook({ db, secretBox: deps.secretBox, sandbox: deps.sandbox }, { orgId, hook, executionId, trigger: 'test', attempt: 1, dryRun: true, ctx });
  } catch (thrown) {
    if (isBusy(thrown)) {
      const skipped: ExecutionOutcome = { status: 'skipped', error: { message: `rate limit: ${thrown.message}` } };
      await finishExecution(db, executionId, skipped);
      observe(skipped);
    }
    throw thrown;
  }
  const outcome = outcomeOf(result);
  const returned = { ts: new Date().toISOString(), level: 'info' as const, message: 'dry run: the hook returned', data: result.redactor.json(result.value ?? null) };
  // One event or request was looked at; a dry run writes no record, so every would-count is 0.
  const counts = { ...emptyDryRunCounts(), processed: 1 };
  const finished: ExecutionOutcome = { ...outcome, counts, logs: [...outcome.logs!, ...(result.status === 'completed' ? [returned] : [])] };
  await finishExecution(db, executionId, finished);
  observe(finished);
  return executionId;
}

function objectFixture(value: unknown, name: string): JsonValue | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidField(`body/${name}`, 'must be an object');
  }
  return value as JsonValue;
}

/** PUSH: `ctx.event` from the fixture's `event` (missing fields from a sample create). */
const testPush: DryRun = (deps, hook, orgId, fixture) => {
  const event = { ...sampleEvent(hook), ...(objectFixture(fixture.event, 'event') as object | undefined) };
  return dryRun(deps, hook, orgId, { event: event as unknown as JsonValue });
};

/** Pre and post: `ctx.request` from the fixture (post: its `response` member, or a 200 with no body, as `ctx.response`). */
const testApiHook: DryRun = (deps, hook, orgId, fixture) => {
  const { response, ...request } = { ...sampleRequest(hook), ...(objectFixture(fixture.request, 'request') as object | undefined) } as Record<string, unknown>;
  const ctx = hook.type === 'post' ? { request: request as JsonValue, response: (response ?? { status: 200, body: null }) as JsonValue } : { request: request as JsonValue };
  return dryRun(deps, hook, orgId, ctx);
};

/** Inbound: the fixture's `request` as the call, run as a real call would be, minus verification. */
const testInbound: DryRun = async (deps, hook, orgId, fixture) => {
  const { db } = deps.store;
  const [org, full] = await Promise.all([findOrganisation(db, orgId), findHookForRun(db, deps.secretBox, orgId, hook.id)]);
  const integration = full && (await findIntegration(db, orgId, full.integrationId));
  const { call, body } = readInboundFixture(fixture.request, hook, org?.slug ?? '');
  const executionId = await insertExecution(db, { orgId, hookId: hook.id, trigger: 'test', dryRun: true, status: 'running' });
  const startedAt = Date.now();
  let outcome: ExecutionOutcome = { status: 'failed', counts: emptyDryRunCounts(), error: { message: 'the hook, its organisation or its integration is gone' } };
  // A full sandbox is recorded as skipped and answers the caller 429, as the other dry runs do.
  let busy: unknown;
  if (org && full && integration) {
    try {
      await runInboundHook(deps, { org, hook: full, integration, call, body, executionId, dryRun: true, record: (recorded) => (outcome = recorded) });
    } catch (thrown) {
      if (isBusy(thrown)) busy = thrown;
      outcome = busy
        ? { status: 'skipped', counts: emptyDryRunCounts(), error: { message: `rate limit: ${coerceError(thrown).message}` } }
        : { status: 'failed', counts: emptyDryRunCounts(), error: { message: `internal error: ${coerceError(thrown).message}` } };
    }
  }
  await finishExecution(db, executionId, outcome);
  observeExecution(deps.metrics, { orgId, hookType: 'inbound', trigger: 'test', durationMs: Date.now() - startedAt }, outcome);
  if (busy) throw busy;
  return executionId;
};

/** Dry runs by hook type, for the test route's table. */
export const DRY_RUNS = Object.freeze({ push: testPush, pre: testApiHook, post: testApiHook, inbound: testInbound });

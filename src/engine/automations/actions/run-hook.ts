/**
 * `run_hook` (`hookId`, `payload`): runs a hook of the automation's organisation.
 * - A PUSH hook runs now, in the sandbox as a delivery does, with `ctx.event = payload`:
 *   its own execution (`trigger: 'automation'`, the payload stored so it can be retried
 *   by hand), and the action waits for it. A run that fails or times out fails the action.
 * - A PULL hook is queued as `POST /v1/hooks/{id}/run` queues one (the hourly limit
 *   applies); the action answers at once with the queued execution's id.
 * Other hook types are refused.
 */
import { HookyardError } from '../../../domain/errors.js';
import { issue } from '../../../domain/field-issues.js';
import type { Hook } from '../../../domain/hooks.js';
import type { JsonValue } from '../../../sandbox/index.js';
import { finishExecution, insertExecution } from '../../../store/executions.js';
import { findHook } from '../../../store/hooks.js';
import { outcomeOf, runHook } from '../../hook-runner.js';
import { enqueuePullRun } from '../../pull/pull-jobs.js';
import { observeExecution } from '../../run-metrics.js';
import type { ActionContext, ActionDefinition, ActionResult } from './action.js';
import { checkParams, renderedParams, type ParamRule } from './params.js';

/** The params of `run_hook`, rendered. */
export interface RunHookParams {
  readonly hookId: string;
  /** `ctx.event` of a PUSH hook; a PULL hook does not read it. */
  readonly payload?: unknown;
  readonly [key: string]: unknown;
}

/** What `actions.NAME.response` holds. */
export interface HookRunResponse {
  readonly executionId: string;
  /** PUSH: how the run ended; absent for a queued PULL run. */
  readonly status?: string;
  /** PUSH: what the hook returned (secrets of its integration redacted). */
  readonly result?: unknown;
}

const RULES: Readonly<Record<string, ParamRule>> = {
  hookId: { required: true, kinds: ['string'], check: (value, path) => ((value as string).trim() === '' ? [issue(path, 'must not be empty')] : []) },
  payload: {},
};

async function runPush(ctx: ActionContext, hook: Hook, payload: unknown): Promise<HookRunResponse> {
  const { store, secretBox, sandbox, metrics } = ctx.deps;
  const event = (payload ?? null) as JsonValue;
  const executionId = await insertExecution(store.db, { orgId: ctx.orgId, hookId: hook.id, trigger: 'automation', status: 'running', input: { event } });
  const startedAt = Date.now();
  const result = await runHook(
    { db: store.db, secretBox, sandbox },
    { orgId: ctx.orgId, hook, executionId, trigger: 'automation', attempt: 1, dryRun: false, ctx: { event } },
  );
  const outcome = outcomeOf(result);
  await finishExecution(store.db, executionId, outcome);
  observeExecution(metrics, { orgId: ctx.orgId, hookType: 'push', trigger: 'automation', durationMs: Date.now() - startedAt }, outcome);
  if (result.status !== 'completed') {
    const what = result.status === 'timed_out' ? 'timed out' : 'failed';
    throw new HookyardError('HY_BAD_GATEWAY', `hook "${hook.name}" ${what} (execution ${executionId}): ${result.error?.message ?? 'no message'}`, {
      details: { executionId, status: result.status },
    });
  }
  return { executionId, status: result.status, ...(result.value !== undefined && { result: result.redactor.json(result.value) }) };
}

async function queuePull(ctx: ActionContext, hook: Hook): Promise<HookRunResponse> {
  const queued = await enqueuePullRun(ctx.deps, { orgId: ctx.orgId, hookId: hook.id, trigger: 'automation' });
  // Without a unique key every call enqueues; undefined would mean a duplicate key.
  if (!queued) throw new HookyardError('HY_CONFLICT', `a run of hook "${hook.name}" is queued already`);
  if (queued.skipped) {
    throw new HookyardError('HY_RATE_LIMITED', `hook "${hook.name}" has had its runs for this hour; the run was recorded as skipped (execution ${queued.executionId})`, {
      details: { executionId: queued.executionId },
    });
  }
  return { executionId: queued.executionId };
}

const runHookAction: ActionDefinition<RunHookParams> = {
  type: 'run_hook',
  validate: (params) => checkParams(params, RULES, 'saved'),
  async run(params, ctx): Promise<ActionResult> {
    const { hookId, payload } = renderedParams<RunHookParams>(params, RULES);
    // Scoped to the organisation: another organisation's hook is as unknown as a missing one.
    const hook = await findHook(ctx.deps.store.db, ctx.orgId, hookId);
    if (!hook) throw new HookyardError('HY_NOT_FOUND', `hook ${hookId} not found`);
    if (!hook.enabled) throw new HookyardError('HY_CONFLICT', `hook "${hook.name}" is disabled`);
    if (hook.type === 'push') return { response: await runPush(ctx, hook, payload) };
    if (hook.type === 'pull') return { response: await queuePull(ctx, hook) };
    throw new HookyardError('HY_BAD_REQUEST', `run_hook runs push and pull hooks; hook "${hook.name}" is a ${hook.type} hook`);
  },
};

export default runHookAction;

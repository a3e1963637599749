/**
 * API pre-hooks and post-hooks (docs/hooks.md, "API pre-hooks and post-hooks"): wraps the entity operations table so every
 * call through the REST API runs the enabled `pre` hooks of its organisation, entity
 * type and operation in `order` (ties by creation), then the operation, then the `post`
 * hooks. Syncs write through the store, never through this table, so they run none.
 *
 * Contract, as the sandbox returns it:
 * - pre: `{ status: 200, messageOverride? }` (or nothing) goes on, `messageOverride`
 *   replacing the message for the next hooks and the operation; another status stops
 *   the call with that status and `message`; a throw, a timeout or a return of another
 *   shape answers 502, unless the hook says `onError: 'continue'`.
 * - post: sees `ctx.response = { status, body }` (error answers too: a 404 is a
 *   response); `{ status?, responseOverride }` replaces it for the next hooks and the
 *   caller; nothing, a failure or another shape keeps it.
 *
 * Each run is an execution (`trigger: 'api'`), written after the response (see
 * execution-recorder.ts). The hooks are looked up on every call (one indexed query, or
 * the embedded store's read cache), so a saved hook applies to the next call.
 */
import { ERROR_STATUS, HookyardError } from '../../domain/errors.js';
import { isEntityType, type EntityType } from '../../domain/entity-types.js';
import type { ExecutionLogEntry, ExecutionOutcome } from '../../domain/executions.js';
import type { Hook } from '../../domain/hooks.js';
import { newId } from '../../domain/ids.js';
import type { JsonValue, RunResult } from '../../sandbox/index.js';
import { listEnabledHooks } from '../../store/hooks.js';
import type { EngineDeps } from '../deps.js';
import {
  ENTITY_OPERATIONS,
  type EntityCall,
  type EntityOperation,
  type EntityOperationName,
  type EntityResponse,
} from '../entity-operations.js';
import { ExecutionRecorder } from '../execution-recorder.js';
import { outcomeOf, runHook, type HookRunResult } from '../hook-runner.js';
import { readPostHookResult, readPreHookResult, type PostHookVerdict, type PreHookVerdict } from './api-hook-results.js';
import { observeExecution } from '../run-metrics.js';

/** The entity operations, by name. */
export type EntityOperations = Readonly<Record<EntityOperationName, EntityOperation>>;

/** `ctx.request` of a pre/post hook. */
interface HookRequest {
  readonly operation: EntityOperationName;
  readonly entityType: EntityType;
  readonly entityId?: string;
  readonly message: unknown;
}

/** The pre and post hooks of one call, in the order they run. */
async function hooksOf(deps: Pick<EngineDeps, 'store'>, orgId: string, type: EntityType, operation: EntityOperationName) {
  const hooks = (await listEnabledHooks(deps.store.db, orgId, ['pre', 'post'], type)).filter((h) => h.operations?.includes(operation));
  // Array.prototype.sort is stable: equal orders keep creation order.
  hooks.sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  return { pre: hooks.filter((h) => h.type === 'pre'), post: hooks.filter((h) => h.type === 'post') };
}

/** The status code that names `status`, when there is one. */
function codeOf(status: number): string {
  return Object.entries(ERROR_STATUS).find(([, s]) => s === status)?.[0] ?? 'HY_REJECTED_BY_HOOK';
}

/** What the API answers for a thrown error (the same shape as api/errors.ts), for post-hooks to see. */
function asResponse(error: HookyardError): EntityResponse {
  return { status: error.status, body: { error: { code: error.code, message: error.message, ...(error.details !== undefined && { details: error.details }) } } };
}

/** The last log line of a pre- or post-hook's execution. */
interface Verdict {
  readonly message: string;
  readonly data: { readonly proceeded?: boolean; readonly status?: number; readonly message?: string; readonly messageOverride?: boolean; readonly responseOverride?: boolean };
}

/** What a pre-hook decided, as its execution records it: the status and message it returned, and whether the call went on. */
function preVerdict(verdict: PreHookVerdict, hook: Hook): Verdict {
  switch (verdict.kind) {
    case 'go':
      return { message: 'verdict: go on (200)', data: { proceeded: true, status: 200, messageOverride: verdict.messageOverride !== undefined } };
    case 'stop':
      return {
        message: `verdict: stop the call with ${verdict.status}${verdict.message === undefined ? '' : `: ${verdict.message}`}`,
        data: { proceeded: false, status: verdict.status, ...(verdict.message !== undefined && { message: verdict.message }) },
      };
    default: {
      const proceeded = hook.onError === 'continue';
      return {
        message: `verdict: the hook ${verdict.kind === 'invalid' ? 'returned something a pre-hook cannot' : 'failed'}; ${proceeded ? 'the call went on (onError: continue)' : 'the call was stopped with 502'}`,
        data: proceeded ? { proceeded } : { proceeded, status: 502 },
      };
    }
  }
}

/** What a post-hook decided about the response. */
function postVerdict(verdict: PostHookVerdict): Verdict {
  if (verdict.kind === 'override') {
    return { message: `verdict: replace the response${verdict.status === undefined ? '' : ` (status ${verdict.status})`}`, data: { responseOverride: true, ...(verdict.status !== undefined && { status: verdict.status }) } };
  }
  return { message: 'verdict: keep the response', data: { responseOverride: false } };
}

/**
 * Wraps `operations` with the organisation's pre/post hooks.
 *
 * @example const operations = withApiHooks(createEntityOperations(store), deps);
 */
export function withApiHooks(operations: EntityOperations, deps: Pick<EngineDeps, 'store' | 'secretBox' | 'sandbox' | 'metrics'>): EntityOperations {
  const recorder = new ExecutionRecorder(deps.store.db);
  const runner = { db: deps.store.db, secretBox: deps.secretBox, sandbox: deps.sandbox };

  /** Runs one hook and records its execution; `judge` may turn a completed run into a failed one. */
  async function run(orgId: string, hook: Hook, ctx: { request: HookRequest; response?: { status: number; body: unknown } }) {
    const executionId = newId();
    const startedAt = Date.now();
    const result: HookRunResult = await runHook(runner, {
      orgId,
      hook,
      executionId,
      trigger: 'api',
      attempt: 1,
      dryRun: false,
      ctx: ctx as unknown as { request: JsonValue; response?: JsonValue },
    });
    return {
      result,
      /** Records the run, its last log line the verdict: what the hook decided and whether the call went on. */
      record: (verdict: Verdict, invalid?: string) => {
        const ran = outcomeOf(result);
        // The hook's message may quote a secret: the verdict is redacted like the hook's own log lines.
        const line: ExecutionLogEntry = {
          ts: new Date().toISOString(),
          level: 'info',
          message: result.redactor.text(verdict.message),
          data: result.redactor.json(verdict.data as unknown as JsonValue),
        };
        const outcome: ExecutionOutcome = { ...ran, logs: [...(ran.logs ?? []), line], ...(invalid !== undefined && { status: 'failed', error: { message: invalid } }) };
        const finishedAt = Date.now();
        recorder.record({ id: executionId, orgId, hookId: hook.id, trigger: 'api', startedAt, finishedAt, ...outcome });
        observeExecution(deps.metrics, { orgId, hookType: hook.type, trigger: 'api', durationMs: finishedAt - startedAt }, outcome);
      },
    };
  }

  async function call(name: EntityOperationName, request: EntityCall): Promise<EntityResponse> {
    const operation = operations[name];
    if (!isEntityType(request.type)) return operation(request);
    const orgId = request.principal.orgId;
    const { pre, post } = await hooksOf(deps, orgId, request.type, name);
    if (pre.length === 0 && post.length === 0) return operation(request);

    let message = request.message;
    const hookRequest = (): HookRequest => ({
      operation: name,
      entityType: request.type as EntityType,
      ...(request.id !== undefined && { entityId: request.id }),
      message,
    });
    for (const hook of pre) {
      const { result, record } = await run(orgId, hook, { request: hookRequest() });
      const verdict = readPreHookResult(result);
      record(preVerdict(verdict, hook), verdict.kind === 'invalid' ? verdict.reason : undefined);
      if (verdict.kind === 'go') {
        if (verdict.messageOverride !== undefined) message = verdict.messageOverride;
      } else if (verdict.kind === 'stop') {
        const body = verdict.status >= 400 ? { error: { code: codeOf(verdict.status), message: verdict.message ?? `stopped by pre-hook "${hook.name}"` } } : verdict.message === undefined ? undefined : { message: verdict.message };
        return { status: verdict.status, ...(body !== undefined && { body }), byHook: true };
      } else if (hook.onError !== 'continue') {
        const reason = verdict.kind === 'invalid' ? verdict.reason : (result.error?.message ?? result.status);
        throw new HookyardError('HY_BAD_GATEWAY', `pre-hook "${hook.name}" ${result.status === 'timed_out' ? 'timed out' : 'failed'}: ${reason}`, {
          details: { hookId: hook.id },
        });
      }
    }

    let response: EntityResponse;
    let thrown: HookyardError | undefined;
    try {
      response = await operation({ ...request, message });
    } catch (error) {
      // Anything but a coded error is a fault of ours: it skips the post-hooks and answers 500.
      if (!(error instanceof HookyardError) || post.length === 0) throw error;
      thrown = error;
      response = asResponse(error);
    }
    for (const hook of post) {
      const { result, record } = await run(orgId, hook, { request: hookRequest(), response: { status: response.status, body: response.body ?? null } });
      const verdict = readPostHookResult(result);
      record(postVerdict(verdict), verdict.kind === 'invalid' ? verdict.reason : undefined);
      if (verdict.kind === 'override') {
        response = { ...response, status: verdict.status ?? response.status, body: verdict.body, byHook: true };
        thrown = undefined;
      }
    }
    if (thrown) throw thrown;
    return response;
  }

  return Object.freeze(
    Object.fromEntries(ENTITY_OPERATIONS.map((name) => [name, (request: EntityCall) => call(name, request)])) as Record<EntityOperationName, EntityOperation>,
  );
}

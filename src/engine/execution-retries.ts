/**
 * Re-running an execution by hand (`POST /v1/executions/{id}/retry`, docs/hooks.md, "PUSH hooks"; docs/api.md).
 * What a retry means depends on the hook type, so each type registers its retry in
 * {@link EXECUTION_RETRIES}; a type without an entry answers 409.
 */
import { HookyardError, notFound } from '../domain/errors.js';
import type { Execution } from '../domain/executions.js';
import type { Hook, HookType } from '../domain/hooks.js';
import { findExecution, findExecutionInput, insertExecution } from '../store/executions.js';
import { findHook } from '../store/hooks.js';
import type { EngineDeps } from './deps.js';
import { pushRetryJob, type PushInput } from './push/push-jobs.js';

/** Queues a new run of what `execution` ran; resolves with the new execution's id. */
export type ExecutionRetry = (deps: EngineDeps, orgId: string, hook: Hook, execution: Execution) => Promise<string>;

/** PUSH: the same event (stored with the execution) again, as a new execution with `trigger: 'retry'`. */
const retryPush: ExecutionRetry = async (deps, orgId, hook, execution) => {
  const input = (await findExecutionInput(deps.store.db, orgId, execution.id)) as PushInput | undefined;
  if (!input?.event) throw new HookyardError('HY_CONFLICT', `execution ${execution.id} has no stored event to deliver again`);
  // The queued execution and its job commit together: no execution is left queued without a job.
  return deps.store.db.transaction().execute(async (trx) => {
    const id = await insertExecution(trx, { orgId, hookId: hook.id, trigger: 'retry', status: 'queued', input });
    await deps.queue.enqueue(pushRetryJob(orgId, hook.id, input.event, id), { db: trx });
    return id;
  });
};

/** The retry of each hook type that can be re-run by hand. */
export const EXECUTION_RETRIES: Readonly<Partial<Record<HookType, ExecutionRetry>>> = { push: retryPush };

/**
 * Re-runs execution `executionId` of the organisation.
 *
 * @returns the id of the new, queued execution.
 * @throws 404 for an unknown execution or hook; 409 for a dry run, a run not finished yet, an automation run, or a type without retries.
 */
export async function retryExecution(deps: EngineDeps, orgId: string, executionId: string): Promise<string> {
  const execution = await findExecution(deps.store.db, orgId, executionId);
  if (!execution) throw notFound('execution');
  if (execution.automationId !== null) {
    throw new HookyardError('HY_CONFLICT', 'an automation run is not retried by hand (its actions may have done part of their work); run the automation again');
  }
  const hook = execution.hookId === null ? undefined : await findHook(deps.store.db, orgId, execution.hookId);
  if (!hook) throw notFound('hook of the execution');
  if (execution.dryRun) throw new HookyardError('HY_CONFLICT', 'a dry run is not retried; run the test again');
  if (execution.status === 'queued' || execution.status === 'running') {
    throw new HookyardError('HY_CONFLICT', `execution ${executionId} is still ${execution.status}`);
  }
  const retry = EXECUTION_RETRIES[hook.type];
  if (!retry) throw new HookyardError('HY_CONFLICT', `${hook.type} executions cannot be retried by hand`);
  return retry(deps, orgId, hook, execution);
}

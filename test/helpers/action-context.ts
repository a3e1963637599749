/**
 * A hand-built ActionContext for testing one automation action alone: it records what
 * the action logs, its HTTP log entries and the inbound replies it sets.
 */
import type { ExecutionHttpEntry, ExecutionLogEntry } from '../../src/domain/executions.js';
import type { ActionContext, InboundReply } from '../../src/engine/automations/actions/action.js';
import type { EngineDeps } from '../../src/engine/deps.js';
import { DEFAULT_LIMITS, type Sandbox } from '../../src/sandbox/index.js';

/** A sandbox that only answers its limits (the defaults): what actions and automation runs read of it. */
export const DEFAULT_LIMITS_SANDBOX = { limits: (type) => DEFAULT_LIMITS[type] } as Pick<Sandbox, 'limits'> as Sandbox;

export interface RecordingContext {
  readonly ctx: ActionContext;
  readonly logs: Array<Omit<ExecutionLogEntry, 'ts'>>;
  readonly http: ExecutionHttpEntry[];
  readonly replies: InboundReply[];
}

/**
 * A context over `deps` (only what the action under test uses need be real) for
 * organisation `orgId`; `overrides` sets the trigger type, depth, signal, ids.
 */
export function actionContext(
  deps: Partial<EngineDeps>,
  overrides: Partial<Pick<ActionContext, 'orgId' | 'automationId' | 'executionId' | 'depth' | 'triggerType' | 'signal'>> = {},
): RecordingContext {
  const logs: RecordingContext['logs'] = [];
  const http: ExecutionHttpEntry[] = [];
  const replies: InboundReply[] = [];
  const ctx: ActionContext = {
    deps: { sandbox: DEFAULT_LIMITS_SANDBOX, ...deps } as EngineDeps,
    orgId: 'org-test',
    automationId: 'automation-test',
    executionId: 'execution-test',
    depth: 1,
    triggerType: 'manual',
    signal: new AbortController().signal,
    ...overrides,
    log: (level, message, data) => logs.push({ level, message, ...(data !== undefined && { data }) }),
    http: (entry) => http.push(entry),
    respond: (reply) => replies.push(reply),
  };
  return { ctx, logs, http, replies };
}

/** The error `run` failed with; a run that succeeds fails the test. */
export async function failureOf(run: Promise<unknown>): Promise<Error & { readonly code?: string; readonly details?: unknown }> {
  try {
    await run;
  } catch (thrown) {
    if (thrown instanceof Error) return thrown;
    throw new Error(`the action threw a non-Error: ${String(thrown)}`);
  }
  throw new Error('the action succeeded, and was expected to fail');
}

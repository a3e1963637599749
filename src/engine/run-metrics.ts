/**
 * What the engine reports as runs end, events are delivered and history is pruned, for
 * the metrics of a process. Engine code calls it through `EngineDeps.metrics`; the
 * platform passes in the Prometheus implementation (api/platform-metrics.ts).
 */
import type { ActionStep, ActionType } from '../domain/automations.js';
import type { ExecutionHttpEntry, ExecutionOutcome, Trigger } from '../domain/executions.js';
import type { HookType } from '../domain/hooks.js';

/** One finished execution, as the metrics see it. */
export interface FinishedRun {
  readonly orgId: string;
  /** The hook's type, or `automation` for an automation's run. */
  readonly hookType: HookType | 'automation';
  readonly trigger: Trigger;
  readonly status: ExecutionOutcome['status'];
  /** How long it ran; absent for a run that never started (skipped). */
  readonly durationMs?: number;
  /** The limit it hit, from the execution's `error.limit`. */
  readonly limit?: string;
  /** Error codes of its outbound HTTP calls that got no answer (`BLOCKED_ADDRESS`, `TIMEOUT`, …). */
  readonly httpErrors: readonly string[];
}

/** What history the clean-up prunes. */
export type PrunedKind = 'executions' | 'jobs' | 'kv' | 'events' | 'inboundMessages';

/** Receives what the engine does; every method must be cheap and must not throw. */
export interface RunMetrics {
  executionFinished(run: FinishedRun): void;
  /** A PUSH delivery's first attempt started, `lagMs` after its event committed. */
  deliveryStarted(orgId: string, lagMs: number): void;
  pruned(kind: PrunedKind, rows: number): void;
  /** An inbound call was answered with `status` (404, 401, 413 and 429 included) after `durationMs`. */
  inboundCall?(status: number, durationMs: number): void;
  /** An automation action ended (`durationMs` absent for a skipped one). */
  actionFinished?(type: ActionType, status: ActionStep['status'], durationMs?: number): void;
  /** `send_email` handed a message to the SMTP server (`sent`), or could not (`failed`). */
  emailSent?(outcome: 'sent' | 'failed'): void;
}

/**
 * Reports how one automation action ended, as its step says: the runner calls it for
 * every action step; a no-op without metrics. A skipped action has no duration.
 *
 * @example recordActionOutcome(deps.metrics, 'send_email', 'completed', 412)
 */
export function recordActionOutcome(metrics: RunMetrics | undefined, type: ActionType, status: ActionStep['status'], durationMs?: number): void {
  metrics?.actionFinished?.(type, status, status === 'skipped' ? undefined : durationMs);
}

/**
 * The code of an HTTP log entry's error: the `CODE: message` prefix the sandbox writes,
 * or `OTHER` (a run that ended before the answer came). Codes are the egress layer's
 * own, a short fixed list, so they make a bounded label.
 */
export function httpErrorCode(entry: ExecutionHttpEntry): string | undefined {
  if (entry.error === undefined) return undefined;
  return /^([A-Z][A-Z0-9_]{1,40}):/.exec(entry.error)?.[1] ?? 'OTHER';
}

/** Reports an execution that ended with `outcome`; a no-op without metrics. */
export function observeExecution(
  metrics: RunMetrics | undefined,
  run: { readonly orgId: string; readonly hookType: FinishedRun['hookType']; readonly trigger: Trigger; readonly durationMs?: number },
  outcome: ExecutionOutcome,
): void {
  if (metrics === undefined) return;
  const httpErrors = (outcome.http ?? []).map(httpErrorCode).filter((code): code is string => code !== undefined);
  // Written out rather than spread from `run`: on Node 20's V8 a literal that starts with a
  // spread and then adds a property gets a hidden class of its own every time, kept in the old
  // space until the next full collection (see bench/README.md, Inbound, "Peak RSS").
  metrics.executionFinished({
    orgId: run.orgId,
    hookType: run.hookType,
    trigger: run.trigger,
    status: outcome.status,
    durationMs: outcome.status === 'skipped' ? undefined : run.durationMs,
    limit: outcome.error?.limit,
    httpErrors,
  });
}

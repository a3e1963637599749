/**
 * Runs an automation once (docs/automations.md): the top-level conditions (false: the run is
 * `skipped`, its condition steps say why), then each action in order — its case (the
 * first `when` that holds, else the `else` case; none: the action is skipped), its params
 * rendered over the scope (which grows by `actions.NAME` as named actions end), and
 * `ACTIONS[type].run` under the run's deadline. `onError: 'continue'` goes on past a
 * failed action; `stop` (the default) fails the run there.
 *
 * Nothing here writes the execution: the caller does, in its own way (a job at its
 * outcome, an inbound call through the write-behind recorder, a dry run at once). A dry
 * run evaluates and renders everything and performs nothing: each action that would run
 * is a `skipped` step with its case and rendered params.
 *
 * The deadline of a whole run is the inbound hook's time limit (`timeMs` of the deployment's inbound limits):
 * an inbound caller waits for the run, and others should not hold a worker longer.
 */
import { evaluateConditions } from '../../domain/automation-conditions.js';
import { renderParams } from '../../domain/automation-templates.js';
import type { ActionCase, ActionParams, ActionStep, Automation, AutomationAction, AutomationScope } from '../../domain/automations.js';
import { coerceError } from '../../domain/errors.js';
import type { ExecutionError, ExecutionOutcome, Trigger } from '../../domain/executions.js';
import { limitMessage } from '../../sandbox/index.js';
import type { EngineDeps } from '../deps.js';
import { observeExecution } from '../run-metrics.js';
import type { ActionContext, ActionResult, InboundReply } from './actions/action.js';
import { ACTIONS, recordActionOutcome } from './actions/index.js';
import { RunRecord, runSecrets } from './run-record.js';

/** The execution's trigger for each kind of automation trigger. */
const EXECUTION_TRIGGER: Readonly<Record<ActionContext['triggerType'], Trigger>> = Object.freeze({
  entity: 'event',
  inbound: 'inbound',
  schedule: 'schedule',
  manual: 'manual',
});

/** What one run is asked to do. */
export interface AutomationRunRequest {
  readonly automation: Automation;
  readonly org: AutomationScope['org'];
  readonly triggerType: ActionContext['triggerType'];
  /** What the trigger brought: before/after/event (entity), trigger (inbound, manual, schedule). */
  readonly input: Pick<AutomationScope, 'before' | 'after' | 'event' | 'trigger'>;
  readonly executionId: string;
  /** How many automations chained to start this run (1 for a run nobody chained). */
  readonly depth: number;
  readonly dryRun?: boolean;
  /** An inbound trigger's verification secret, kept out of the record. */
  readonly verifySecret?: string | null;
  /** Default: the inbound hook's time limit. */
  readonly timeMs?: number;
  /** Ends the run early (its job lost its lease, its worker is stopping); actions see it with the deadline. */
  readonly signal?: AbortSignal;
}

/** How the run ended: the execution's outcome with its steps, and the inbound reply a `respond` action set. */
export interface AutomationRunOutcome extends ExecutionOutcome {
  readonly steps: NonNullable<ExecutionOutcome['steps']>;
  readonly reply?: InboundReply;
}

/** The reason an action is no longer waited for: the deadline passed or the run was stopped. */
class Stopped extends Error {}

/** Which case of an action runs, with its params; conditions it evaluated go to the record. */
function chooseCase(action: AutomationAction, index: number, scope: AutomationScope, record: RunRecord): { case: ActionStep['case']; params?: ActionParams } {
  if (!action.cases) return { case: 'params', params: action.params ?? {} };
  let fallback: Extract<ActionCase, { else: true }> | undefined;
  for (const [n, candidate] of action.cases.entries()) {
    if ('else' in candidate) {
      fallback ??= candidate;
      continue;
    }
    const evaluated = evaluateConditions(candidate.when, scope, `actions/${index}/cases/${n}/when`);
    evaluated.steps.forEach((s) => record.step(s));
    if (evaluated.result) return { case: n, params: candidate.params };
  }
  return fallback ? { case: 'else', params: fallback.params } : { case: null };
}

/** `promise`, or a rejection once `signal` aborts (an action that ignores its signal cannot hold the run). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Stopped());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Stopped());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Runs `request.automation` once; never rejects for anything an action does. */
export async function runAutomation(deps: EngineDeps, request: AutomationRunRequest): Promise<AutomationRunOutcome> {
  const { automation } = request;
  const limits = deps.sandbox.limits('inbound');
  const record = new RunRecord(runSecrets(deps.mail, request.verifySecret), limits);
  const results: Record<string, { response?: unknown; record?: unknown }> = {};
  const scope: AutomationScope = { ...request.input, actions: results, now: new Date().toISOString(), org: request.org };
  const startedAt = Date.now();
  /** How the run ended; a real run (not a dry one) is counted in the execution metrics as `hook_type="automation"`. */
  const outcome = (status: ExecutionOutcome['status'], error?: ExecutionError, reply?: InboundReply): AutomationRunOutcome => {
    const ended: AutomationRunOutcome = {
      status,
      pages: 0,
      logs: record.logs,
      http: record.http,
      steps: record.steps,
      ...(error && { error: { ...error, message: record.text(error.message) } }),
      ...(reply && { reply }),
    };
    if (!request.dryRun) {
      observeExecution(deps.metrics, { orgId: request.org.id, hookType: 'automation', trigger: EXECUTION_TRIGGER[request.triggerType], durationMs: Date.now() - startedAt }, ended);
    }
    return ended;
  };

  const top = evaluateConditions(automation.conditions, scope, 'conditions');
  top.steps.forEach((s) => record.step(s));
  if (!top.result) {
    record.log('info', 'the conditions do not hold: no action ran');
    return outcome('skipped', { message: 'the conditions do not hold' });
  }

  const timeMs = request.timeMs ?? limits.timeMs;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Stopped()), timeMs);
  const signal = request.signal ? AbortSignal.any([deadline.signal, request.signal]) : deadline.signal;
  let reply: InboundReply | undefined;
  const ctx: ActionContext = {
    deps,
    orgId: request.org.id,
    automationId: automation.id,
    executionId: request.executionId,
    depth: request.depth,
    triggerType: request.triggerType,
    signal,
    log: (level, message, data) => record.log(level, message, data),
    http: (entry) => record.httpEntry(entry),
    respond: (answer) => (reply = answer),
  };
  /** An action's step, counted in the action metrics unless nothing was performed (a dry run). */
  const actionStep = (step: ActionStep): void => {
    record.step(step);
    if (!request.dryRun) recordActionOutcome(deps.metrics, step.type, step.status, step.durationMs);
  };
  try {
    for (const [index, action] of automation.actions.entries()) {
      const path = `actions/${index}`;
      const base = { kind: 'action' as const, path, type: action.type, ...(action.name !== undefined && { name: action.name }) };
      const chosen = chooseCase(action, index, scope, record);
      if (!chosen.params) {
        actionStep({ ...base, case: null, status: 'skipped', durationMs: 0 });
        continue;
      }
      const rendered = renderParams(chosen.params, scope);
      for (const warning of rendered.warnings) record.log('warn', `${path}: ${warning}`);
      if (request.dryRun) {
        actionStep({ ...base, case: chosen.case, status: 'skipped', durationMs: 0, params: record.value(rendered.value) });
        continue;
      }
      const started = performance.now();
      let result: ActionResult;
      try {
        result = await untilAborted(ACTIONS[action.type].run(rendered.value as ActionParams, ctx), signal);
      } catch (thrown) {
        const durationMs = Math.round(performance.now() - started);
        const timedOut = deadline.signal.aborted;
        const stopped = !timedOut && signal.aborted;
        const message = timedOut
          ? limitMessage('timeMs', { ...limits, timeMs }).replace('the hook', 'the automation')
          : stopped
            ? 'interrupted: the run was stopped before this action finished'
            : coerceError(thrown).message;
        actionStep({ ...base, case: chosen.case, status: 'failed', durationMs, params: record.value(rendered.value), error: record.text(message) });
        if (timedOut) return outcome('timed_out', { message, limit: 'timeMs' }, reply);
        if (stopped) return outcome('failed', { message }, reply);
        if (action.onError === 'continue') {
          record.log('warn', `${path} (${action.type}) failed; going on (onError: continue): ${message}`);
          continue;
        }
        return outcome('failed', { message: `${path} (${action.type}) failed: ${message}` }, reply);
      }
      if (action.name !== undefined) results[action.name] = { response: result.response, record: result.record };
      actionStep({
        ...base,
        case: chosen.case,
        status: 'completed',
        durationMs: Math.round(performance.now() - started),
        params: record.value(rendered.value),
        ...(result.responseStatus !== undefined && { responseStatus: result.responseStatus }),
        ...(result.response !== undefined && { response: record.value(result.response) }),
      });
    }
  } finally {
    clearTimeout(timer);
  }
  if (request.dryRun) record.log('info', 'dry run: conditions evaluated and params rendered; no action was performed');
  return outcome('completed', undefined, reply);
}

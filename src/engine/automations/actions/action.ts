/**
 * The contract every automation action implements (Directus-style operations): one file
 * per action under `actions/`, each default-exporting an {@link ActionDefinition}, all
 * listed in the table of `actions/index.ts`. The runner renders an action's params (the
 * chosen case's) and hands them to `run` with an {@link ActionContext} that carries every
 * dependency, so each action can be tested alone.
 */
import type { ActionParams, ActionType } from '../../../domain/automations.js';
import type { ExecutionHttpEntry, ExecutionLogEntry } from '../../../domain/executions.js';
import type { FieldIssue } from '../../../domain/field-issues.js';
import type { EngineDeps } from '../../deps.js';

/** What an inbound-triggered run answers its caller (the `respond` action sets it). */
export interface InboundReply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** Everything an action may use while it runs; nothing else is imported. */
export interface ActionContext {
  readonly deps: EngineDeps;
  readonly orgId: string;
  readonly automationId: string;
  readonly executionId: string;
  /** How many automations triggered each other to reach this run (1 for a run nobody chained). */
  readonly depth: number;
  /** What started the run: actions such as `respond` only make sense for some. */
  readonly triggerType: 'entity' | 'inbound' | 'schedule' | 'manual';
  /** Ends when the run's time is up; actions pass it to what they wait on. */
  readonly signal: AbortSignal;
  /** A line of the execution log. */
  log(level: ExecutionLogEntry['level'], message: string, data?: unknown): void;
  /** An entry of the execution's HTTP log (its URL already redacted by the action). */
  http(entry: ExecutionHttpEntry): void;
  /** Sets the inbound reply (last call wins). */
  respond(reply: InboundReply): void;
}

/** How an action ended: `response` and `record` become `actions.NAME.*` for later templates. */
export interface ActionResult {
  readonly responseStatus?: number;
  readonly response?: unknown;
  readonly record?: unknown;
}

export interface ActionDefinition<P extends ActionParams = ActionParams> {
  readonly type: ActionType;
  /**
   * Checks params as saved, before any template is rendered (a template string stands
   * for any value): required params present, literal values of the right kind. Paths
   * are relative to the params object (`subject`, `headers/x-id`).
   */
  validate(params: ActionParams): FieldIssue[];
  /** Performs the action with rendered params; throws (an Error) when it fails. */
  run(params: P, ctx: ActionContext): Promise<ActionResult>;
}

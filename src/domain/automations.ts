/**
 * Automations as users configure them (no-code hooks): a trigger, optional conditions,
 * and actions that run in order, each with cases. This file is the shape only; the
 * rules a definition must satisfy are in automation-validation.ts, conditions are
 * evaluated by automation-conditions.ts, templates rendered by automation-templates.ts
 * and schedule cards computed by schedule-card.ts.
 */
import type { ChangeType } from './entity-events.js';
import type { EntityType } from './entity-types.js';
import type { InboundMethod } from './hooks.js';
import type { OrgInfo } from './organisations.js';
import type { VerifySettings } from './webhook-verification.js';

export const AUTOMATION_TRIGGER_TYPES = ['entity', 'inbound', 'schedule', 'manual'] as const;
export type AutomationTriggerType = (typeof AUTOMATION_TRIGGER_TYPES)[number];

/** Runs on entity changes, delivered through the outbox as PUSH hooks are. */
export interface EntityTrigger {
  readonly type: 'entity';
  readonly entityType: EntityType;
  /** Default: all three. */
  readonly events?: readonly ChangeType[];
}

/** Answers `/inbound/{orgSlug}/{path}`, verified as inbound hooks are. */
export interface InboundTrigger {
  readonly type: 'inbound';
  /** Default `ANY`. */
  readonly method?: InboundMethod;
  readonly path: string;
  /** The secret is write-only: given on save, never answered. */
  readonly verify?: VerifySettings;
}

export interface ScheduleTrigger {
  readonly type: 'schedule';
  readonly schedule: ScheduleCard;
}

/** Runs when asked: `POST /v1/automations/{id}/run` with a JSON payload. */
export interface ManualTrigger {
  readonly type: 'manual';
}

export type AutomationTrigger = EntityTrigger | InboundTrigger | ScheduleTrigger | ManualTrigger;

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const SCHEDULE_UNITS = ['minutes', 'hours', 'days', 'weeks', 'months'] as const;
export type ScheduleUnit = (typeof SCHEDULE_UNITS)[number];

/**
 * A schedule card: local wall-clock times in `timeZone` (default: the organisation's).
 * `once` runs at `start`; `recurring` every `every.n` units counted from `start` (weeks
 * and months by calendar), on `weekdays` only when set, at each of `times` (else at
 * `start`'s time), until `end`, stopping after `maxRuns` runs that happened.
 */
export interface ScheduleCard {
  readonly kind: 'once' | 'recurring';
  /** Local date-time, `YYYY-MM-DDTHH:mm`. */
  readonly start: string;
  readonly timeZone?: string;
  readonly every?: { readonly n: number; readonly unit: ScheduleUnit };
  readonly weekdays?: readonly Weekday[];
  /** Local times `HH:mm`. */
  readonly times?: readonly string[];
  /** Local date-time, `YYYY-MM-DDTHH:mm`: no run at or after it. */
  readonly end?: string;
  readonly maxRuns?: number;
}

export const CONDITION_OPS = [
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'startsWith',
  'endsWith',
  'in',
  'exists',
  'changed',
  'matches',
] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

/** One test of a field: `field` is a dotted path with array indexes (`after.teamAllocations.0.teamName`). */
export interface FieldCondition {
  readonly field: string;
  readonly op: ConditionOp;
  /** Absent for `exists` and `changed`; a pattern string for `matches`; an array for `in`. */
  readonly value?: unknown;
}

/** Conditions nest freely. */
export type Condition =
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] }
  | { readonly not: Condition }
  | FieldCondition;

export const ACTION_TYPES = [
  'send_email',
  'http_request',
  'create_record',
  'update_record',
  'delete_record',
  'run_hook',
  'respond',
  'log',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

/** Params as saved: any JSON, where strings may hold `{{path}}` templates. */
export type ActionParams = Readonly<Record<string, unknown>>;

/** One case of an action: the first whose `when` holds runs, or the `else` case. */
export type ActionCase =
  | { readonly when: Condition; readonly params: ActionParams }
  | { readonly else: true; readonly params: ActionParams };

export interface AutomationAction {
  readonly type: ActionType;
  /** Names the action's result for later templates: `{{actions.NAME.response}}`. */
  readonly name?: string;
  /** An action without `cases` has `params` and always runs. */
  readonly params?: ActionParams;
  readonly cases?: readonly ActionCase[];
  /** `stop` (default): the run fails; `continue`: the next action runs. */
  readonly onError?: 'stop' | 'continue';
}

/** What a user writes: everything but identity and bookkeeping. */
export interface AutomationDefinition {
  readonly name: string;
  readonly description?: string;
  readonly enabled: boolean;
  readonly trigger: AutomationTrigger;
  readonly conditions?: Condition;
  readonly actions: readonly AutomationAction[];
}

export interface Automation extends AutomationDefinition {
  readonly id: string;
  readonly orgId: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * What templates and conditions read: `{{after.firstName}}`, `{{trigger.body.id}}`,
 * `{{actions.lookup.response.total}}`. Absent parts are undefined.
 */
export interface AutomationScope {
  /** The entity before and after the change (entity triggers). */
  readonly before?: unknown;
  readonly after?: unknown;
  /** The whole entity event (entity triggers). */
  readonly event?: unknown;
  /** Inbound: `{ method, path, headers, query, body }`; manual: `{ payload }` as `body`; schedule: `{ slot }`. */
  readonly trigger?: unknown;
  /** Results of earlier named actions: `{ NAME: { response?, record? } }`. */
  readonly actions: Readonly<Record<string, { readonly response?: unknown; readonly record?: unknown }>>;
  /** ISO 8601 instant the run started. */
  readonly now: string;
  readonly org: OrgInfo;
}

/** One condition as it was evaluated: the values it compared and the result. */
export interface ConditionStep {
  readonly kind: 'condition';
  /** Where it sits in the definition: `conditions/all/0`, `actions/0/cases/1/when`. */
  readonly path: string;
  /** Set for field conditions; `all`/`any`/`not` list only their result. */
  readonly field?: string;
  readonly op?: ConditionOp | 'all' | 'any' | 'not';
  readonly expected?: unknown;
  readonly actual?: unknown;
  /** For `changed`: the field before. */
  readonly before?: unknown;
  readonly result: boolean;
  /** Set when the condition could not be evaluated (a `matches` that ran out of time). */
  readonly error?: string;
}

/** One action as it ran: which case, how it ended, what it answered. */
export interface ActionStep {
  readonly kind: 'action';
  /** `actions/0` */
  readonly path: string;
  readonly type: ActionType;
  readonly name?: string;
  /** The index of the case that ran, `'else'`, `'params'` for an action without cases, or null when none matched (skipped). */
  readonly case: number | 'else' | 'params' | null;
  readonly status: 'completed' | 'failed' | 'skipped';
  readonly durationMs: number;
  /** The params after rendering, secrets redacted. */
  readonly params?: unknown;
  readonly responseStatus?: number;
  readonly response?: unknown;
  readonly error?: string;
}

export type AutomationStep = ConditionStep | ActionStep;

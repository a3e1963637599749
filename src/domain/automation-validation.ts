/**
 * The rules an automation definition must satisfy to be saved. Paths name places in the
 * automation JSON without a root (`trigger/type`, `actions/0/cases/1/params/subject`);
 * the API puts them under `body/`. What needs the store (that a `run_hook` hook exists, that
 * an inbound path is free) is the caller's, helped by {@link runHookIds}.
 */
import { checkCondition, scopeRefProblem, unknownKeys, type ScopeContext } from './automation-condition-validation.js';
import { templatePaths } from './automation-templates.js';
import {
  ACTION_TYPES,
  AUTOMATION_TRIGGER_TYPES,
  type ActionParams,
  type ActionType,
  type AutomationDefinition,
  type AutomationTrigger,
  type AutomationTriggerType,
} from './automations.js';
import { CHANGE_TYPES } from './entity-events.js';
import { ENTITY_TYPES, isEntityType } from './entity-types.js';
import { coerceError } from './errors.js';
import { issue, underRoot, type FieldIssue } from './field-issues.js';
import { HTTP_METHODS, inboundPathProblem, isSigningSecret } from './hooks.js';
import { firstTooDeep, MAX_JSON_DEPTH } from './json-depth.js';
import { HMAC_ALGORITHMS, HMAC_ENCODINGS, VERIFY_LIMITS, VERIFY_SCHEMES, verifySchemeIssues } from './webhook-verification.js';

/** Longest name, in characters. */
export const MAX_AUTOMATION_NAME_LENGTH = 200;
/** Longest description, in characters. */
export const MAX_AUTOMATION_DESCRIPTION_LENGTH = 2000;
/** Most actions in one automation. */
export const MAX_ACTIONS = 50;
/** Most cases in one action. */
export const MAX_CASES = 20;

/** The checks that belong to other modules: each answers issues with paths relative to what it was given. */
export interface AutomationValidationOptions {
  /** The action's own rules for its params as saved (a template string stands for any value). */
  validateActionParams(type: ActionType, params: ActionParams): FieldIssue[];
  /** The schedule card's rules (`trigger/schedule` is prefixed to its paths). */
  validateSchedule(card: unknown): FieldIssue[];
}

/** A definition that passed, or the issues that kept it from passing. */
export interface AutomationValidation {
  /** Set when there are no issues; an inbound trigger's `verify` is without its secret. */
  readonly definition?: AutomationDefinition;
  /** An inbound trigger's `verify.secret` as given: stored apart, never answered. */
  readonly verifySecret?: string;
  readonly issues: FieldIssue[];
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const oneOf = (values: readonly string[]) => `must be one of ${values.join(', ')}`;

/** Issues of an optional string of at most `max` characters (at least one when `min`). */
function text(value: unknown, at: string, max: number, min = 0): FieldIssue[] {
  if (typeof value !== 'string') return [issue(at, 'must be a string')];
  if (value.trim().length < min) return [issue(at, 'must not be empty')];
  return value.length > max ? [issue(at, `must have at most ${max} characters`)] : [];
}

function inList(value: unknown, values: readonly string[], at: string): FieldIssue[] {
  return typeof value === 'string' && values.includes(value) ? [] : [issue(at, oneOf(values))];
}

function checkVerify(verify: unknown, at: string): FieldIssue[] {
  if (!isObject(verify)) return [issue(at, 'must be an object { scheme, secret, … }')];
  const issues = unknownKeys(verify, ['scheme', 'secret', 'header', 'algorithm', 'encoding', 'prefix'], at);
  if (!Object.hasOwn(verify, 'scheme')) return [...issues, issue(`${at}/scheme`, 'is required')];
  issues.push(...inList(verify.scheme, VERIFY_SCHEMES, `${at}/scheme`));
  if (verify.secret !== undefined) {
    issues.push(...text(verify.secret, `${at}/secret`, VERIFY_LIMITS.secret, 1));
    if (verify.scheme === 'standard-webhooks' && typeof verify.secret === 'string' && !isSigningSecret(verify.secret)) {
      issues.push(issue(`${at}/secret`, 'must be "whsec_" followed by the base64 of 24 to 64 random bytes'));
    }
  }
  if (verify.header !== undefined) issues.push(...text(verify.header, `${at}/header`, VERIFY_LIMITS.header, 1));
  if (verify.algorithm !== undefined) issues.push(...inList(verify.algorithm, HMAC_ALGORITHMS, `${at}/algorithm`));
  if (verify.encoding !== undefined) issues.push(...inList(verify.encoding, HMAC_ENCODINGS, `${at}/encoding`));
  if (verify.prefix !== undefined) issues.push(...text(verify.prefix, `${at}/prefix`, VERIFY_LIMITS.prefix));
  if (typeof verify.scheme === 'string') issues.push(...underRoot(at, verifySchemeIssues(verify as { scheme: string })));
  return issues;
}

/** Per trigger type: the keys it takes and its rules. */
const TRIGGER_RULES: Readonly<Record<AutomationTriggerType, { keys: readonly string[]; check(trigger: Json, options: AutomationValidationOptions): FieldIssue[] }>> = {
  entity: {
    keys: ['type', 'entityType', 'events'],
    check(trigger) {
      const issues = isEntityType(trigger.entityType) ? [] : [issue('trigger/entityType', Object.hasOwn(trigger, 'entityType') ? oneOf(ENTITY_TYPES) : 'is required')];
      const events = trigger.events;
      if (events === undefined) return issues;
      if (!Array.isArray(events) || events.length === 0) return [...issues, issue('trigger/events', `must be a non-empty array of ${CHANGE_TYPES.join(', ')}`)];
      events.forEach((event, index) => {
        issues.push(...inList(event, CHANGE_TYPES, `trigger/events/${index}`));
        if (events.indexOf(event) < index) issues.push(issue(`trigger/events/${index}`, 'is listed twice'));
      });
      return issues;
    },
  },
  inbound: {
    keys: ['type', 'method', 'path', 'verify'],
    check(trigger) {
      const issues: FieldIssue[] = [];
      if (!Object.hasOwn(trigger, 'path')) issues.push(issue('trigger/path', 'is required'));
      else if (typeof trigger.path !== 'string') issues.push(issue('trigger/path', 'must be a string'));
      else {
        const problem = inboundPathProblem(trigger.path);
        if (problem) issues.push(issue('trigger/path', problem));
      }
      if (trigger.method !== undefined) issues.push(...inList(trigger.method, HTTP_METHODS, 'trigger/method'));
      if (trigger.verify !== undefined) issues.push(...checkVerify(trigger.verify, 'trigger/verify'));
      return issues;
    },
  },
  schedule: {
    keys: ['type', 'schedule'],
    check(trigger, options) {
      if (!Object.hasOwn(trigger, 'schedule')) return [issue('trigger/schedule', 'is required')];
      return underRoot('trigger/schedule', guarded(() => options.validateSchedule(trigger.schedule), ''));
    },
  },
  manual: { keys: ['type'], check: () => [] },
};

/** A check of another module that throws becomes an issue at `at`, not a 500. */
function guarded(check: () => FieldIssue[], at: string): FieldIssue[] {
  try {
    return check();
  } catch (thrown) {
    return [issue(at, `could not be checked: ${coerceError(thrown).message}`)];
  }
}

function checkTrigger(trigger: unknown, options: AutomationValidationOptions): { issues: FieldIssue[]; type?: AutomationTriggerType } {
  if (!isObject(trigger)) return { issues: [issue('trigger', 'must be an object { type, … }')] };
  if (!Object.hasOwn(trigger, 'type')) return { issues: [issue('trigger/type', 'is required')] };
  const type = AUTOMATION_TRIGGER_TYPES.find((known) => known === trigger.type);
  if (!type) return { issues: [issue('trigger/type', oneOf(AUTOMATION_TRIGGER_TYPES))] };
  const rule = TRIGGER_RULES[type];
  return { issues: [...unknownKeys(trigger, rule.keys, 'trigger'), ...rule.check(trigger, options)], type };
}

/** Templates of `params` at `at`: each parses and refers to what the place sees; then the action's own rules. */
function checkParams(params: unknown, at: string, type: ActionType | undefined, context: ScopeContext, options: AutomationValidationOptions): FieldIssue[] {
  if (!isObject(params)) return [issue(at, 'must be an object of the action\'s params')];
  const { refs, issues } = templatePaths(params);
  for (const ref of refs) {
    const problem = scopeRefProblem(ref.segments, context);
    if (problem) issues.push(issue(ref.at, `has "{{${ref.field}}}", which ${problem}`));
  }
  if (type) issues.push(...guarded(() => options.validateActionParams(type, params), ''));
  return underRoot(at, issues);
}

function checkCases(cases: unknown, at: string, type: ActionType | undefined, context: ScopeContext, options: AutomationValidationOptions): FieldIssue[] {
  if (!Array.isArray(cases) || cases.length === 0) return [issue(at, 'must be a non-empty array of cases { when, params } or { else: true, params }')];
  if (cases.length > MAX_CASES) return [issue(at, `must have at most ${MAX_CASES} cases`)];
  return cases.flatMap((item, index) => {
    const here = `${at}/${index}`;
    if (!isObject(item)) return [issue(here, 'must be an object { when, params } or { else: true, params }')];
    const issues = unknownKeys(item, ['when', 'else', 'params'], here);
    const hasWhen = Object.hasOwn(item, 'when');
    const hasElse = Object.hasOwn(item, 'else');
    if (hasWhen && hasElse) issues.push(issue(here, 'has both when and else: a case has one or the other'));
    else if (!hasWhen && !hasElse) issues.push(issue(`${here}/when`, 'is required (or else: true)'));
    if (hasElse && item.else !== true) issues.push(issue(`${here}/else`, 'must be true'));
    else if (hasElse && index !== cases.length - 1) issues.push(issue(`${here}/else`, 'must be on the last case (the one that runs when no when holds)'));
    if (hasWhen) issues.push(...checkCondition(item.when, `${here}/when`, context));
    if (!Object.hasOwn(item, 'params')) issues.push(issue(`${here}/params`, 'is required'));
    else issues.push(...checkParams(item.params, `${here}/params`, type, context, options));
    return issues;
  });
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function checkAction(action: unknown, at: string, names: Map<string, string>, triggerType: AutomationTriggerType | undefined, options: AutomationValidationOptions): FieldIssue[] {
  if (!isObject(action)) return [issue(at, 'must be an object { type, params } or { type, cases }')];
  const issues = unknownKeys(action, ['type', 'name', 'params', 'cases', 'onError'], at);
  const type = ACTION_TYPES.find((known) => known === action.type);
  if (!Object.hasOwn(action, 'type')) issues.push(issue(`${at}/type`, 'is required'));
  else if (!type) issues.push(issue(`${at}/type`, oneOf(ACTION_TYPES)));
  else if (type === 'respond' && triggerType !== undefined && triggerType !== 'inbound') {
    issues.push(issue(`${at}/type`, `respond answers an inbound call: it needs an inbound trigger, not ${triggerType}`));
  }
  const context: ScopeContext = { earlier: new Set(names.keys()), ...(triggerType && { triggerType }) };
  const hasParams = Object.hasOwn(action, 'params');
  const hasCases = Object.hasOwn(action, 'cases');
  if (hasParams && hasCases) issues.push(issue(at, 'has both params and cases: an action has one or the other'));
  else if (!hasParams && !hasCases) issues.push(issue(`${at}/params`, 'is required (or cases)'));
  if (hasParams) issues.push(...checkParams(action.params, `${at}/params`, type, context, options));
  if (hasCases) issues.push(...checkCases(action.cases, `${at}/cases`, type, context, options));
  if (action.onError !== undefined) issues.push(...inList(action.onError, ['stop', 'continue'], `${at}/onError`));
  if (action.name !== undefined) {
    if (typeof action.name !== 'string' || !NAME.test(action.name)) issues.push(issue(`${at}/name`, 'must be a letter or "_", then letters, digits or "_" (at most 64)'));
    else if (names.has(action.name)) issues.push(issue(`${at}/name`, `is already the name of ${names.get(action.name)}`));
    else names.set(action.name, at);
  }
  return issues;
}

/**
 * Checks an automation definition as given (any JSON) and answers it clean, or every
 * issue found. `enabled` defaults to true; `description: null` is no description.
 * Never throws on JSON input.
 *
 * @example validateAutomationDefinition({ name: 'x', trigger: { type: 'manual' }, actions: [] }, options)
 * // → { issues: [{ path: 'actions', message: 'actions must have at least one action' }] }
 */
export function validateAutomationDefinition(input: unknown, options: AutomationValidationOptions): AutomationValidation {
  const deep = firstTooDeep(input, MAX_JSON_DEPTH);
  if (deep) return { issues: [issue(deep.join('/'), `is nested deeper than ${MAX_JSON_DEPTH} levels`)] };
  if (!isObject(input)) return { issues: [issue('', 'must be a JSON object { name, trigger, conditions?, actions }')] };
  const issues = unknownKeys(input, ['name', 'description', 'enabled', 'trigger', 'conditions', 'actions'], '');
  if (!Object.hasOwn(input, 'name')) issues.push(issue('name', 'is required'));
  else issues.push(...text(input.name, 'name', MAX_AUTOMATION_NAME_LENGTH, 1));
  if (input.description !== undefined && input.description !== null) issues.push(...text(input.description, 'description', MAX_AUTOMATION_DESCRIPTION_LENGTH));
  if (input.enabled !== undefined && typeof input.enabled !== 'boolean') issues.push(issue('enabled', 'must be true or false'));
  const trigger = Object.hasOwn(input, 'trigger') ? checkTrigger(input.trigger, options) : { issues: [issue('trigger', 'is required')] };
  issues.push(...trigger.issues);
  const none: ScopeContext = { earlier: new Set(), ...(trigger.type && { triggerType: trigger.type }) };
  if (input.conditions !== undefined && input.conditions !== null) issues.push(...checkCondition(input.conditions, 'conditions', none));
  const actions = input.actions;
  if (!Object.hasOwn(input, 'actions')) issues.push(issue('actions', 'is required'));
  else if (!Array.isArray(actions)) issues.push(issue('actions', 'must be an array of actions'));
  else if (actions.length === 0) issues.push(issue('actions', 'must have at least one action'));
  else if (actions.length > MAX_ACTIONS) issues.push(issue('actions', `must have at most ${MAX_ACTIONS} actions`));
  else {
    const names = new Map<string, string>();
    actions.forEach((action, index) => issues.push(...checkAction(action, `actions/${index}`, names, trigger.type, options)));
  }
  if (issues.length > 0) return { issues };
  return { ...clean(input), issues };
}

/** The definition of input that passed every check, with the inbound secret taken out. */
function clean(input: Json): { definition: AutomationDefinition; verifySecret?: string } {
  const { secret, ...verify } = ((input.trigger as Json).verify ?? {}) as Json;
  const trigger = { ...(input.trigger as Json), ...((input.trigger as Json).verify !== undefined && { verify }) } as unknown as AutomationTrigger;
  const definition: AutomationDefinition = {
    name: input.name as string,
    ...(typeof input.description === 'string' && { description: input.description }),
    enabled: (input.enabled as boolean | undefined) ?? true,
    trigger,
    ...(input.conditions !== undefined && input.conditions !== null && { conditions: input.conditions as AutomationDefinition['conditions'] }),
    actions: input.actions as AutomationDefinition['actions'],
  };
  return { definition, ...(typeof secret === 'string' && { verifySecret: secret }) };
}

/**
 * Every `run_hook` action's `hookId` (each case's too) with where it sits
 * (`actions/2/params/hookId`), for the caller to check that the hooks exist. Only literal
 * ids are listed: a templated id is checked when the action runs.
 */
export function runHookIds(definition: AutomationDefinition): Array<{ path: string; hookId: string }> {
  return definition.actions.flatMap((action, index) => {
    if (action.type !== 'run_hook') return [];
    const all = action.cases ? action.cases.map((item, c) => ({ params: item.params, at: `actions/${index}/cases/${c}/params` })) : [{ params: action.params, at: `actions/${index}/params` }];
    return all.flatMap(({ params, at }) => (typeof params?.hookId === 'string' && !params.hookId.includes('{{') ? [{ path: `${at}/hookId`, hookId: params.hookId }] : []));
  });
}

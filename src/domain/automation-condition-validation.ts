/**
 * The rules a saved condition must satisfy, and the rule for what a field path of the
 * scope may name (shared with templates): part of automation-validation.ts, apart so
 * each file keeps to one concept.
 */
import { compilePattern } from './automation-conditions.js';
import { SCOPE_ROOTS } from './automation-templates.js';
import { CONDITION_OPS, type AutomationTriggerType, type ConditionOp } from './automations.js';
import { issue, type FieldIssue } from './field-issues.js';
import { parseFieldPath } from './field-path.js';

/** Deepest nesting of `all`/`any`/`not`, counted from the condition at the root (1). */
export const MAX_CONDITION_DEPTH = 10;
/** Most children of one `all` or `any`. */
export const MAX_CONDITION_CHILDREN = 100;

/** What a condition or template may refer to where it sits. */
export interface ScopeContext {
  /** Names of the named actions before this point (none for the automation's `conditions`). */
  readonly earlier: ReadonlySet<string>;
  /** The trigger's type when it is a known one. */
  readonly triggerType?: AutomationTriggerType;
}

/** Keys of what a named action leaves for later ones: `actions.NAME.response`, `actions.NAME.record`. */
const ACTION_RESULT_KEYS: readonly string[] = ['response', 'record'];

/**
 * What is wrong with a scope path (parsed, so the first segment exists) at a place that
 * sees `context`, or `undefined`: it must start with a scope part, and `actions.NAME`
 * must name an earlier named action.
 */
export function scopeRefProblem(segments: readonly string[], context: ScopeContext): string | undefined {
  const [root, name, key] = segments;
  if (!(SCOPE_ROOTS as readonly string[]).includes(root!)) return `does not start with one of ${SCOPE_ROOTS.join(', ')}`;
  if (root !== 'actions' || name === undefined) return undefined;
  if (!context.earlier.has(name)) {
    const names = [...context.earlier];
    return `names actions.${name}, which is not an earlier named action (${names.length === 0 ? 'none is named before this point' : `earlier: ${names.join(', ')}`})`;
  }
  if (key !== undefined && !ACTION_RESULT_KEYS.includes(key)) return `reads actions.${name}.${key}, but an action leaves only response and record`;
  return undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const join = (at: string, key: string | number) => `${at}/${key}`;

/** What `value` must be for each op; `has` says whether the condition has a `value` at all. */
const VALUE_RULES: Readonly<Record<ConditionOp, (value: unknown, has: boolean) => string | undefined>> = (() => {
  const required = (op: string) => (_: unknown, has: boolean) => (has ? undefined : `is required for ${op}`);
  const ordered = (op: string) => (value: unknown, has: boolean) =>
    !has ? `is required for ${op}` : typeof value === 'number' || typeof value === 'string' ? undefined : `must be a number or a string for ${op}`;
  const text = (op: string) => (value: unknown, has: boolean) => (!has ? `is required for ${op}` : typeof value === 'string' ? undefined : `must be a string for ${op}`);
  return {
    eq: required('eq'),
    ne: required('ne'),
    gt: ordered('gt'),
    gte: ordered('gte'),
    lt: ordered('lt'),
    lte: ordered('lte'),
    contains: required('contains'),
    startsWith: text('startsWith'),
    endsWith: text('endsWith'),
    in: (value, has) => (!has ? 'is required for in' : Array.isArray(value) ? undefined : 'must be an array for in'),
    exists: (value, has) => (!has || typeof value === 'boolean' ? undefined : 'must be true or false for exists'),
    changed: (_, has) => (has ? 'does not apply to changed (it compares the field before and after)' : undefined),
    matches: (value, has) => {
      if (!has || typeof value !== 'string') return 'must be a regular expression (a string) for matches';
      const compiled = compilePattern(value);
      return typeof compiled === 'string' ? compiled : undefined;
    },
  };
})();

const GROUPS = ['all', 'any', 'not'] as const;

/** The keys of `value` outside `allowed`, each an issue. */
export function unknownKeys(value: Record<string, unknown>, allowed: readonly string[], at: string): FieldIssue[] {
  return Object.keys(value)
    .filter((key) => !allowed.includes(key))
    .map((key) => issue(at === '' ? key : join(at, key), `is not a known field (expected ${allowed.join(', ')})`));
}

function checkField(condition: Record<string, unknown>, at: string, context: ScopeContext): FieldIssue[] {
  const issues = unknownKeys(condition, ['field', 'op', 'value'], at);
  const op = condition.op;
  const known = typeof op === 'string' && (CONDITION_OPS as readonly string[]).includes(op) ? (op as ConditionOp) : undefined;
  if (!Object.hasOwn(condition, 'op')) issues.push(issue(join(at, 'op'), 'is required'));
  else if (!known) issues.push(issue(join(at, 'op'), `must be one of ${CONDITION_OPS.join(', ')}`));
  const field = condition.field;
  if (!Object.hasOwn(condition, 'field')) issues.push(issue(join(at, 'field'), 'is required'));
  else if (typeof field !== 'string') issues.push(issue(join(at, 'field'), 'must be a string (a field path such as after.status)'));
  else {
    const segments = parseFieldPath(field);
    // `changed` reads the entity itself (`status`), the others the whole scope (`after.status`).
    const problem = typeof segments === 'string' ? segments : known === 'changed' ? undefined : scopeRefProblem(segments, context);
    if (problem) issues.push(issue(join(at, 'field'), problem));
  }
  if (known === 'changed' && context.triggerType !== undefined && context.triggerType !== 'entity') {
    issues.push(issue(join(at, 'op'), `changed compares an entity before and after a change: it needs an entity trigger, not ${context.triggerType}`));
  }
  const valueProblem = known && VALUE_RULES[known](condition.value, Object.hasOwn(condition, 'value'));
  if (valueProblem) issues.push(issue(join(at, 'value'), valueProblem));
  return issues;
}

/**
 * The issues of the condition at `at` (`conditions`, `actions/0/cases/1/when`), with
 * `depth` the nesting level it sits at (1 for a root). Safe on any JSON value.
 */
export function checkCondition(condition: unknown, at: string, context: ScopeContext, depth = 1): FieldIssue[] {
  if (!isObject(condition)) return [issue(at, 'must be a condition: { all: [...] }, { any: [...] }, { not: {...} } or { field, op, value }')];
  const group = GROUPS.find((key) => Object.hasOwn(condition, key));
  if (!group) return checkField(condition, at, context);
  const issues = unknownKeys(condition, [group], at);
  if (depth >= MAX_CONDITION_DEPTH) return [...issues, issue(join(at, group), `nests conditions deeper than ${MAX_CONDITION_DEPTH} levels`)];
  const inner = condition[group];
  if (group === 'not') return [...issues, ...checkCondition(inner, join(at, 'not'), context, depth + 1)];
  if (!Array.isArray(inner)) return [...issues, issue(join(at, group), 'must be an array of conditions')];
  if (inner.length > MAX_CONDITION_CHILDREN) return [...issues, issue(join(at, group), `must have at most ${MAX_CONDITION_CHILDREN} conditions`)];
  return [...issues, ...inner.flatMap((child, index) => checkCondition(child, join(join(at, group), index), context, depth + 1))];
}

/**
 * Evaluating an automation's conditions over its scope, recording every comparison as a
 * step. Field conditions read the scope by field path; each op is an entry of
 * {@link FIELD_OPS}. Every child of `all`/`any` is evaluated (no short-circuit), so the
 * steps show each comparison whatever the outcome. Regular expressions run on RE2
 * (linear time), so no pattern can stall the process.
 */
import { RE2JS } from 're2js';
import type { AutomationScope, Condition, ConditionOp, ConditionStep, FieldCondition } from './automations.js';
import { sameJson } from './entity-merge.js';
import { readFieldPath } from './field-path.js';

/** Longest string `matches` looks at; a longer value makes the condition fail with an error. */
export const MAX_MATCH_INPUT = 100_000;
/** Longest `matches` pattern, in characters (including `/…/flags`). */
export const MAX_PATTERN_LENGTH = 1000;
/** Values in steps are kept when their JSON fits in this many characters, else cut to a string of that length. */
export const MAX_STEP_VALUE_CHARS = 2000;

/** What {@link evaluateConditions} found: the outcome and one step per condition, parents before children. */
export interface ConditionEvaluation {
  readonly result: boolean;
  readonly steps: ConditionStep[];
}

const FLAGS: Readonly<Record<string, number>> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL };

/**
 * Compiles a `matches` pattern: `/source/flags` (flags `i`, `m`, `s`) or a plain pattern.
 * Answers the compiled expression, or why it does not compile.
 *
 * @example compilePattern('/^eng/i') // → an RE2JS matching "Engineering"
 */
export function compilePattern(pattern: string): RE2JS | string {
  if (pattern.length > MAX_PATTERN_LENGTH) return `must have at most ${MAX_PATTERN_LENGTH} characters`;
  const literal = /^\/(.*)\/([ims]*)$/s.exec(pattern);
  const source = literal ? literal[1]! : pattern;
  const flags = literal ? [...literal[2]!].reduce((all, flag) => all | FLAGS[flag]!, 0) : 0;
  try {
    return RE2JS.compile(source, flags);
  } catch (error) {
    return `is not a valid regular expression: ${error instanceof Error ? error.message : String(error)}`;
  }
}

// Runs evaluate the same few patterns again and again (a sync changes thousands of records);
// compiling is the costly part, so recent patterns are kept, oldest dropped first.
const compiledPatterns = new Map<string, RE2JS | string>();
const MAX_CACHED_PATTERNS = 256;

function cachedPattern(pattern: string): RE2JS | string {
  let compiled = compiledPatterns.get(pattern);
  if (compiled === undefined) {
    compiled = compilePattern(pattern);
    if (compiledPatterns.size >= MAX_CACHED_PATTERNS) compiledPatterns.delete(compiledPatterns.keys().next().value!);
    compiledPatterns.set(pattern, compiled);
  }
  return compiled;
}

/** A value as a step keeps it: as is when small, else the start of its JSON. */
function forStep(value: unknown): unknown {
  if (value === undefined) return undefined;
  let json: string;
  try {
    json = JSON.stringify(value) ?? String(value);
  } catch {
    // Not JSON (a cycle, a bigint): the scope is JSON, so this is a caller's mistake, shown not thrown.
    return String(value).slice(0, MAX_STEP_VALUE_CHARS);
  }
  return json.length <= MAX_STEP_VALUE_CHARS ? value : `${json.slice(0, MAX_STEP_VALUE_CHARS)}…`;
}

/** What one field op found. */
interface Outcome {
  readonly actual: unknown;
  readonly before?: unknown;
  readonly result: boolean;
  readonly error?: string;
}

type FieldOp = (condition: FieldCondition, scope: AutomationScope) => Outcome;

/** An op that compares the field's value with `value`; a missing field is false. */
const comparing =
  (test: (actual: unknown, expected: unknown) => boolean): FieldOp =>
  (condition, scope) => {
    const actual = readFieldPath(scope, condition.field);
    return { actual, result: actual !== undefined && test(actual, condition.value) };
  };

/** Numbers with numbers, strings with strings (by UTF-16 code units, so ISO dates order); mixed is false. */
const ordering = (test: (a: number | string, b: number | string) => boolean) =>
  comparing((a, b) => ((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string') ? test(a, b) : false));

const strings = (test: (a: string, b: string) => boolean) => comparing((a, b) => typeof a === 'string' && typeof b === 'string' && test(a, b));

/** `changed` reads the entity: a leading `after.`/`before.` is dropped, the rest read on both. */
const changed: FieldOp = (condition, scope) => {
  const relative = condition.field.replace(/^(after|before)\./, '');
  const before = readFieldPath(scope.before, relative);
  const actual = readFieldPath(scope.after, relative);
  return { actual, before, result: !sameJson(before, actual) };
};

const matches: FieldOp = (condition, scope) => {
  const actual = readFieldPath(scope, condition.field);
  if (typeof actual !== 'string' || typeof condition.value !== 'string') return { actual, result: false };
  if (actual.length > MAX_MATCH_INPUT) return { actual, result: false, error: `the value has ${actual.length} characters, more than the ${MAX_MATCH_INPUT} matches looks at` };
  const compiled = cachedPattern(condition.value);
  if (typeof compiled === 'string') return { actual, result: false, error: `the pattern ${compiled}` };
  return { actual, result: compiled.test(actual) };
};

/** Every op, by name. */
const FIELD_OPS: Readonly<Record<ConditionOp, FieldOp>> = {
  eq: comparing(sameJson),
  ne: (condition, scope) => {
    const actual = readFieldPath(scope, condition.field);
    return { actual, result: !sameJson(actual, condition.value) };
  },
  gt: ordering((a, b) => a > b),
  gte: ordering((a, b) => a >= b),
  lt: ordering((a, b) => a < b),
  lte: ordering((a, b) => a <= b),
  contains: comparing((a, b) => (typeof a === 'string' ? typeof b === 'string' && a.includes(b) : Array.isArray(a) && a.some((item) => sameJson(item, b)))),
  startsWith: strings((a, b) => a.startsWith(b)),
  endsWith: strings((a, b) => a.endsWith(b)),
  in: comparing((a, b) => Array.isArray(b) && b.some((item) => sameJson(a, item))),
  exists: (condition, scope) => {
    const actual = readFieldPath(scope, condition.field);
    const present = actual !== undefined && actual !== null;
    return { actual, result: condition.value === false ? !present : present };
  },
  changed,
  matches,
};

/** A node's outcome; `failed` when it is false because something could not be evaluated. */
interface Verdict {
  readonly result: boolean;
  readonly failed: boolean;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function group(op: 'all' | 'any', children: unknown, scope: AutomationScope, path: string, steps: ConditionStep[]): Verdict {
  if (!Array.isArray(children)) {
    steps.push({ kind: 'condition', path, op, result: false, error: `${op} needs an array of conditions` });
    return { result: false, failed: true };
  }
  const at = steps.push({ kind: 'condition', path, op, result: false }) - 1;
  const verdicts = children.map((child, index) => evaluate(child, scope, `${path}/${op}/${index}`, steps));
  const result = op === 'all' ? verdicts.every((v) => v.result) : verdicts.some((v) => v.result);
  // False because of an error only when no child was plainly deciding (a plain false in `all`).
  const failed = !result && verdicts.some((v) => v.failed) && (op === 'any' || !verdicts.some((v) => !v.result && !v.failed));
  steps[at] = { kind: 'condition', path, op, result };
  return { result, failed };
}

function evaluate(condition: unknown, scope: AutomationScope, path: string, steps: ConditionStep[]): Verdict {
  if (isObject(condition) && Object.hasOwn(condition, 'all')) return group('all', condition.all, scope, path, steps);
  if (isObject(condition) && Object.hasOwn(condition, 'any')) return group('any', condition.any, scope, path, steps);
  if (isObject(condition) && Object.hasOwn(condition, 'not')) {
    const at = steps.push({ kind: 'condition', path, op: 'not', result: false }) - 1;
    const inner = evaluate(condition.not, scope, `${path}/not`, steps);
    // An error never makes a condition pass, not even under `not`.
    const result = !inner.failed && !inner.result;
    steps[at] = { kind: 'condition', path, op: 'not', result };
    return { result, failed: inner.failed };
  }
  const field = isObject(condition) ? condition : {};
  const op = typeof field.op === 'string' && Object.hasOwn(FIELD_OPS, field.op) ? (field.op as ConditionOp) : undefined;
  if (typeof field.field !== 'string' || !op) {
    steps.push({ kind: 'condition', path, result: false, error: 'not a condition: needs all, any, not, or a field and a known op' });
    return { result: false, failed: true };
  }
  const outcome = FIELD_OPS[op](field as unknown as FieldCondition, scope);
  const expected = op === 'exists' ? (field.value ?? true) : field.value;
  steps.push({
    kind: 'condition',
    path,
    field: field.field,
    op,
    ...(expected !== undefined && { expected: forStep(expected) }),
    ...(outcome.actual !== undefined && { actual: forStep(outcome.actual) }),
    ...(op === 'changed' && outcome.before !== undefined && { before: forStep(outcome.before) }),
    result: outcome.result,
    ...(outcome.error !== undefined && { error: outcome.error }),
  });
  return { result: outcome.result, failed: outcome.error !== undefined };
}

/**
 * Evaluates `condition` (absent: true, with no steps) over `scope`. `path` is where the
 * condition sits in the automation (`conditions`, `actions/0/cases/1/when`); each step's
 * path extends it (`conditions/all/0`). Never throws: a condition that cannot be
 * evaluated is false, with an `error` in its step.
 *
 * @example
 * evaluateConditions({ all: [{ field: 'after.status', op: 'eq', value: 'open' }] }, scope, 'conditions')
 * // → { result: true, steps: [{ path: 'conditions', op: 'all', … }, { path: 'conditions/all/0', field: 'after.status', op: 'eq', expected: 'open', actual: 'open', result: true }] }
 */
export function evaluateConditions(condition: Condition | undefined, scope: AutomationScope, path: string): ConditionEvaluation {
  const steps: ConditionStep[] = [];
  if (condition === undefined) return { result: true, steps };
  return { result: evaluate(condition, scope, path, steps).result, steps };
}

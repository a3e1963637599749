/**
 * The checks every action runs on its params: as saved (where a string holding a
 * `{{template}}` stands for any value, since it is rendered only when the action runs)
 * and again as rendered (where it is the value it became). One table of rules per
 * action, so `validate` and `run` check the same things.
 */
import type { ActionParams } from '../../../domain/automations.js';
import { validationError } from '../../../domain/errors.js';
import { issue, underRoot, type FieldIssue } from '../../../domain/field-issues.js';

/** The JSON kinds a param may have. */
export type ParamKind = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array' | 'null';

/** What one param must be. */
export interface ParamRule {
  readonly required?: boolean;
  /** Absent: any JSON value. */
  readonly kinds?: readonly ParamKind[];
  /** Further checks of a value of the right kind; `path` is where it sits (`to/1`). */
  check?(value: unknown, path: string, stage: CheckStage): FieldIssue[];
}

/** `saved`: templates not rendered yet; `rendered`: the values the action runs with. */
export type CheckStage = 'saved' | 'rendered';

/** Whether `value`, as saved, is (or holds) a template: it may become any value. */
export function isTemplated(value: unknown, stage: CheckStage): boolean {
  return stage === 'saved' && typeof value === 'string' && value.includes('{{');
}

function kindOf(value: unknown): ParamKind | undefined {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'object') return typeof value as ParamKind;
  return undefined;
}

function describe(kinds: readonly ParamKind[]): string {
  const names = kinds.map((k) => (k === 'object' ? 'an object' : k === 'array' ? 'an array' : k === 'integer' ? 'an integer' : k === 'null' ? 'null' : `a ${k}`));
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/** Whether `value` is of one of `kinds` (an integer is a number, too), or a template that may be. */
export function ofKind(value: unknown, path: string, kinds: readonly ParamKind[], stage: CheckStage): FieldIssue[] {
  if (isTemplated(value, stage)) return [];
  const kind = kindOf(value);
  const fits = kind !== undefined && (kinds.includes(kind) || (kind === 'integer' && kinds.includes('number')));
  return fits ? [] : [issue(path, `must be ${describe(kinds)}`)];
}

/** Checks `params` against `rules`: required keys, kinds, each rule's own checks, and no other keys. */
export function checkParams(params: unknown, rules: Readonly<Record<string, ParamRule>>, stage: CheckStage): FieldIssue[] {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return [{ path: '', message: 'params must be an object' }];
  const issues: FieldIssue[] = [];
  const given = params as Record<string, unknown>;
  for (const [name, rule] of Object.entries(rules)) {
    const value = given[name];
    if (value === undefined) {
      if (rule.required) issues.push(issue(name, 'is required'));
      continue;
    }
    const wrong = rule.kinds ? ofKind(value, name, rule.kinds, stage) : [];
    issues.push(...wrong);
    if (wrong.length === 0 && rule.check && !isTemplated(value, stage)) issues.push(...rule.check(value, name, stage));
  }
  const known = Object.keys(rules);
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(rules, name)) issues.push(issue(name, `is not a param of this action; its params are ${known.join(', ')}`));
  }
  return issues;
}

/**
 * Checks rendered params and returns them typed, or throws a 400 naming each problem
 * (`params/to must be a string or an array`): a template may have rendered to a value
 * the action cannot use. `across` checks what spans params (one of two given).
 */
export function renderedParams<P>(params: ActionParams, rules: Readonly<Record<string, ParamRule>>, across?: (params: ActionParams) => FieldIssue[]): P {
  const issues = checkParams(params, rules, 'rendered');
  if (issues.length === 0 && across) issues.push(...across(params));
  if (issues.length > 0) {
    throw validationError(underRoot('params', issues));
  }
  return params as P;
}

/** An object whose every value is a string (or a template), such as `headers`; `names` checks each key. */
export function stringMap(names?: (name: string) => string | undefined): ParamRule['check'] {
  return (value, path, stage) => {
    const issues: FieldIssue[] = [];
    for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
      const wrong = names?.(name);
      if (wrong !== undefined) issues.push(issue(`${path}/${name}`, wrong));
      issues.push(...ofKind(item, `${path}/${name}`, ['string'], stage));
    }
    return issues;
  };
}

/** An HTTP header name: an RFC 9110 token. */
export function headerNameProblem(name: string): string | undefined {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name) ? undefined : 'is not a valid header name';
}

/**
 * The automation shapes the form builder edits (the domain's own types), the params each
 * action type takes, and small helpers for editing nested conditions immutably.
 */
import type {
  ActionCase,
  ActionType,
  AutomationAction,
  AutomationDefinition,
  AutomationTrigger,
  Condition,
  ConditionOp,
  FieldCondition,
  ScheduleCard,
} from '../../../../src/domain/automations';

export type { ActionCase, ActionType, AutomationAction, AutomationDefinition, AutomationTrigger, Condition, ConditionOp, FieldCondition, ScheduleCard };

export const TRIGGER_TYPES: readonly AutomationTrigger['type'][] = ['entity', 'inbound', 'schedule', 'manual'];
export const CONDITION_OPS: readonly ConditionOp[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains', 'startsWith', 'endsWith', 'in', 'exists', 'changed', 'matches'];
/** Ops that compare with no value. */
export const VALUELESS_OPS: ReadonlySet<ConditionOp> = new Set(['exists', 'changed']);
export const ACTION_TYPES: readonly ActionType[] = ['send_email', 'http_request', 'create_record', 'update_record', 'delete_record', 'run_hook', 'respond', 'log'];
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** A param of an action type: text (templates allowed), a number, or JSON. */
export interface ParamSpec {
  readonly key: string;
  readonly kind: 'text' | 'number' | 'json';
}

const text = (key: string): ParamSpec => ({ key, kind: 'text' });
const json = (key: string): ParamSpec => ({ key, kind: 'json' });

/** The params the form offers per action type (any other key stays editable in the JSON view). */
export const ACTION_PARAMS: Readonly<Record<ActionType, readonly ParamSpec[]>> = {
  send_email: [text('to'), text('cc'), text('subject'), text('text'), text('html')],
  http_request: [text('method'), text('url'), json('headers'), json('body')],
  create_record: [text('entityType'), text('externalId'), text('sourceSystemKey'), json('data')],
  update_record: [text('entityType'), text('id'), text('externalId'), text('sourceSystemKey'), json('data')],
  delete_record: [text('entityType'), text('id'), text('externalId'), text('sourceSystemKey')],
  run_hook: [text('hookId'), json('payload')],
  respond: [{ key: 'status', kind: 'number' }, json('headers'), json('body')],
  log: [text('level'), text('message')],
};

export const newCondition = (): FieldCondition => ({ field: 'after.', op: 'eq', value: '' });

export function newTrigger(type: AutomationTrigger['type'], timeZone = 'UTC'): AutomationTrigger {
  switch (type) {
    case 'entity':
      return { type, entityType: 'employee', events: ['create'] };
    case 'inbound':
      return { type, method: 'POST', path: 'events' };
    case 'schedule':
      return { type, schedule: { kind: 'recurring', start: `${new Date().toISOString().slice(0, 10)}T09:00`, timeZone, every: { n: 1, unit: 'days' } } };
    case 'manual':
      return { type };
  }
}

export const newAutomation = (): AutomationDefinition => ({
  name: '',
  enabled: false,
  trigger: newTrigger('entity'),
  actions: [{ type: 'log', params: { level: 'info', message: 'Changed: {{after.id}}' } }],
});

/** Which kind of condition this is. */
export function conditionKind(condition: Condition): 'all' | 'any' | 'not' | 'field' {
  if ('all' in condition) return 'all';
  if ('any' in condition) return 'any';
  if ('not' in condition) return 'not';
  return 'field';
}

/** A copy of `list` with item `index` replaced (`undefined` removes it). */
export function replaceAt<T>(list: readonly T[], index: number, item: T | undefined): T[] {
  const copy = [...list];
  if (item === undefined) copy.splice(index, 1);
  else copy[index] = item;
  return copy;
}

/** How a value typed in a text box is saved: JSON when it parses (numbers, true, arrays), else the text. */
export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A value shown in a text box: strings as they are, everything else as JSON. */
export const showValue = (value: unknown): string => (value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value));

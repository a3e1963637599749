import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_CONDITION_CHILDREN, MAX_CONDITION_DEPTH } from './automation-condition-validation.js';
import { MAX_ACTIONS, MAX_AUTOMATION_NAME_LENGTH, MAX_CASES, runHookIds, validateAutomationDefinition, type AutomationValidationOptions } from './automation-validation.js';
import type { ActionParams, ActionType, AutomationDefinition } from './automations.js';
import { issue } from './field-issues.js';

const SECRET = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;

/** Stubs that stand for the actions' and schedule cards' own rules, recording what they were given. */
function stubs() {
  const calls: Array<[ActionType, ActionParams]> = [];
  const cards: unknown[] = [];
  const options: AutomationValidationOptions = {
    validateActionParams: (type, params) => {
      calls.push([type, params]);
      return type === 'send_email' && params.to === undefined ? [issue('to', 'is required')] : [];
    },
    validateSchedule: (card) => {
      cards.push(card);
      return (card as { start?: unknown }).start === undefined ? [issue('start', 'is required')] : [];
    },
  };
  return { options, calls, cards };
}

const example = () => ({
  name: 'Welcome new engineers',
  enabled: true,
  trigger: { type: 'entity', entityType: 'employee', events: ['create'] },
  conditions: { all: [{ field: 'after.customAttributes.department', op: 'eq', value: 'Engineering' }] },
  actions: [
    {
      type: 'send_email',
      name: 'welcome',
      cases: [
        { when: { all: [{ field: 'after.customAttributes.level', op: 'eq', value: 'senior' }] }, params: { to: 'cto@acme.test', subject: 'Senior hire: {{after.firstName}} {{after.lastName}}', text: 'Starts {{after.startDate}}' } },
        { else: true, params: { to: 'eng-leads@acme.test', subject: 'New engineer: {{after.firstName}}', text: 'Say hello' } },
      ],
    },
  ],
});

const validate = (input: unknown, options = stubs().options) => validateAutomationDefinition(input, options);
/** The issues of `input`, as [path, message] pairs. */
const issuesOf = (input: unknown) => validate(input).issues.map((i) => [i.path, i.message]);
/** `example()` with `change` applied (loosely typed: the point is to break it). */
const changed = (change: (d: any) => void) => {
  const d = example();
  change(d);
  return d;
};

describe('validateAutomationDefinition: the whole', () => {
  it('answers a valid definition as it was given, and each action\'s params to its own rules', () => {
    const { options, calls } = stubs();
    const { definition, issues } = validate(example(), options);
    expect(issues).toEqual([]);
    expect(definition).toEqual(example());
    expect(calls).toEqual([
      ['send_email', example().actions[0]!.cases[0]!.params],
      ['send_email', example().actions[0]!.cases[1]!.params],
    ]);
  });

  it('defaults enabled to true and drops a null description or conditions', () => {
    const { definition } = validate(changed((d) => { delete d.enabled; d.description = null; d.conditions = null; }));
    expect(definition?.enabled).toBe(true);
    expect(definition).not.toHaveProperty('description');
    expect(definition).not.toHaveProperty('conditions');
  });

  it('refuses what is not an object, and JSON nested too deep, naming where', () => {
    expect(issuesOf([])).toEqual([['', 'the record must be a JSON object { name, trigger, conditions?, actions }']]);
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    expect(validate(changed((d) => { d.actions[0]!.cases[0]!.params.text = deep as string; })).issues[0]!.message).toMatch(/^actions\/0\/cases\/0\/params\/text(\/0)+ is nested deeper than 64 levels$/);
  });

  it('checks name, description and enabled', () => {
    expect(issuesOf(changed((d) => { delete d.name; }))).toEqual([['name', 'name is required']]);
    expect(issuesOf(changed((d) => { d.name = '  '; }))).toEqual([['name', 'name must not be empty']]);
    expect(issuesOf(changed((d) => { d.name = 7; }))).toEqual([['name', 'name must be a string']]);
    expect(issuesOf(changed((d) => { d.name = 'x'.repeat(MAX_AUTOMATION_NAME_LENGTH + 1); }))).toEqual([['name', `name must have at most ${MAX_AUTOMATION_NAME_LENGTH} characters`]]);
    expect(issuesOf(changed((d) => { d.description = 'x'.repeat(2001); }))).toEqual([['description', 'description must have at most 2000 characters']]);
    expect(issuesOf(changed((d) => { d.enabled = 'yes'; }))).toEqual([['enabled', 'enabled must be true or false']]);
  });

  it('refuses unknown keys anywhere', () => {
    expect(issuesOf(changed((d) => { d.owner = 'me'; }))).toEqual([['owner', 'owner is not a known field (expected name, description, enabled, trigger, conditions, actions)']]);
    expect(issuesOf(changed((d) => { d.trigger.path = 'x'; }))).toEqual([['trigger/path', 'trigger/path is not a known field (expected type, entityType, events)']]);
    expect(issuesOf(changed((d) => { d.conditions.all[0]!.values = 1; }))).toEqual([['conditions/all/0/values', 'conditions/all/0/values is not a known field (expected field, op, value)']]);
    expect(issuesOf(changed((d) => { d.conditions.any = []; }))).toEqual([['conditions/any', 'conditions/any is not a known field (expected all)']]);
    expect(issuesOf(changed((d) => { d.actions[0]!.retries = 1; }))).toEqual([['actions/0/retries', 'actions/0/retries is not a known field (expected type, name, params, cases, onError)']]);
    expect(issuesOf(changed((d) => { d.actions[0]!.cases[1]!.note = 'x'; }))).toEqual([['actions/0/cases/1/note', 'actions/0/cases/1/note is not a known field (expected when, else, params)']]);
    expect(issuesOf(JSON.parse('{"__proto__": {"admin": true}}'))[0]).toEqual(['__proto__', '__proto__ is not a known field (expected name, description, enabled, trigger, conditions, actions)']);
  });
});

describe('validateAutomationDefinition: triggers', () => {
  const withTrigger = (trigger: unknown) => issuesOf(changed((d) => { d.trigger = trigger as never; d.conditions = null; }));

  it('needs a trigger of a known type', () => {
    expect(issuesOf(changed((d) => { delete d.trigger; }))).toEqual([['trigger', 'trigger is required']]);
    expect(withTrigger('entity')).toEqual([['trigger', 'trigger must be an object { type, … }']]);
    expect(withTrigger({})).toEqual([['trigger/type', 'trigger/type is required']]);
    expect(withTrigger({ type: 'cron' })).toEqual([['trigger/type', 'trigger/type must be one of entity, inbound, schedule, manual']]);
  });

  it('entity: a known entity type and events among create, update, delete, each once', () => {
    expect(withTrigger({ type: 'entity' })).toEqual([['trigger/entityType', 'trigger/entityType is required']]);
    expect(withTrigger({ type: 'entity', entityType: 'user' })).toEqual([['trigger/entityType', 'trigger/entityType must be one of employee, vacancy, contractor, project, assignment']]);
    expect(withTrigger({ type: 'entity', entityType: 'project', events: [] })).toEqual([['trigger/events', 'trigger/events must be a non-empty array of create, update, delete']]);
    expect(withTrigger({ type: 'entity', entityType: 'project', events: ['update', 'merge', 'update'] })).toEqual([
      ['trigger/events/1', 'trigger/events/1 must be one of create, update, delete'],
      ['trigger/events/2', 'trigger/events/2 is listed twice'],
    ]);
    expect(withTrigger({ type: 'entity', entityType: 'project' })).toEqual([]);
  });

  it('inbound: the path, method and verify rules of inbound hooks', () => {
    const inbound = (extra: object) => withTrigger({ type: 'inbound', path: 'orders', ...extra });
    expect(withTrigger({ type: 'inbound' })).toEqual([['trigger/path', 'trigger/path is required']]);
    expect(inbound({ path: '/orders' })).toEqual([['trigger/path', 'trigger/path must be 1-200 letters, digits, "/", "_", "." or "-", not starting with "/"']]);
    expect(inbound({ method: 'HEAD' })).toEqual([['trigger/method', 'trigger/method must be one of ANY, GET, POST, PUT, PATCH, DELETE']]);
    expect(inbound({ verify: 'hmac' })).toEqual([['trigger/verify', 'trigger/verify must be an object { scheme, secret, … }']]);
    expect(inbound({ verify: {} })).toEqual([['trigger/verify/scheme', 'trigger/verify/scheme is required']]);
    expect(inbound({ verify: { scheme: 'basic' } })).toEqual([['trigger/verify/scheme', 'trigger/verify/scheme must be one of standard-webhooks, hmac, stripe']]);
    expect(inbound({ verify: { scheme: 'hmac', algorithm: 'md5', secret: 's' } })).toEqual([
      ['trigger/verify/algorithm', 'trigger/verify/algorithm must be one of sha256, sha1'],
      ['trigger/verify/header', 'trigger/verify/header is required for the hmac scheme'],
      ['trigger/verify/encoding', 'trigger/verify/encoding is required for the hmac scheme'],
    ]);
    expect(inbound({ verify: { scheme: 'stripe', prefix: 'v1=', secret: 's' } })).toEqual([['trigger/verify/prefix', 'trigger/verify/prefix does not apply to the stripe scheme']]);
    expect(inbound({ verify: { scheme: 'standard-webhooks', secret: 'plain' } })).toEqual([['trigger/verify/secret', 'trigger/verify/secret must be "whsec_" followed by the base64 of 24 to 64 random bytes']]);
    expect(inbound({ verify: { scheme: 'stripe', key: 'x' } })).toEqual([['trigger/verify/key', 'trigger/verify/key is not a known field (expected scheme, secret, header, algorithm, encoding, prefix)']]);
  });

  it('inbound: answers the verify secret apart, never in the definition', () => {
    const input = changed((d) => { d.trigger = { type: 'inbound', method: 'POST', path: 'orders', verify: { scheme: 'standard-webhooks', secret: SECRET } } as never; d.conditions = null; });
    const result = validate(input);
    expect(result.issues).toEqual([]);
    expect(result.definition?.trigger).toEqual({ type: 'inbound', method: 'POST', path: 'orders', verify: { scheme: 'standard-webhooks' } });
    expect(result.verifySecret).toBe(SECRET);
    expect(JSON.stringify(result.definition)).not.toContain(SECRET);
  });

  it('schedule: hands the card to the schedule rules and places their issues under trigger/schedule', () => {
    const { options, cards } = stubs();
    const card = { kind: 'once', timeZone: 'Europe/Amsterdam' };
    const input = changed((d) => { d.trigger = { type: 'schedule', schedule: card } as never; d.conditions = null; });
    expect(validate(input, options).issues).toEqual([{ path: 'trigger/schedule/start', message: 'trigger/schedule/start is required' }]);
    expect(cards).toEqual([card]);
    expect(withTrigger({ type: 'schedule' })).toEqual([['trigger/schedule', 'trigger/schedule is required']]);
    const throwing: AutomationValidationOptions = { ...options, validateSchedule: () => { throw new Error('boom'); } };
    expect(validate(input, throwing).issues).toEqual([{ path: 'trigger/schedule', message: 'trigger/schedule could not be checked: boom' }]);
  });

  it('manual: takes nothing but its type', () => {
    expect(withTrigger({ type: 'manual' })).toEqual([]);
    expect(withTrigger({ type: 'manual', payload: {} })).toEqual([['trigger/payload', 'trigger/payload is not a known field (expected type)']]);
  });
});

describe('validateAutomationDefinition: conditions', () => {
  const withCondition = (condition: unknown) => issuesOf(changed((d) => { d.conditions = condition as never; }));
  const leaf = (extra: object) => withCondition({ all: [{ field: 'after.status', op: 'eq', value: 1 }, { field: 'after.status', op: 'eq', value: 1 }, { field: 'after.status', ...extra }] });

  it('needs a known op and a field path that parses and starts with a part of the scope', () => {
    expect(leaf({ op: 'like', value: 'x' })).toEqual([['conditions/all/2/op', 'conditions/all/2/op must be one of eq, ne, gt, gte, lt, lte, contains, startsWith, endsWith, in, exists, changed, matches']]);
    expect(leaf({ value: 'x' })).toEqual([['conditions/all/2/op', 'conditions/all/2/op is required']]);
    expect(withCondition({ field: 'after..status', op: 'exists' })).toEqual([['conditions/field', 'conditions/field has an empty segment at character 7']]);
    expect(withCondition({ field: 'status', op: 'exists' })).toEqual([['conditions/field', 'conditions/field does not start with one of before, after, event, trigger, actions, now, org']]);
    expect(withCondition({ field: 3, op: 'exists' })).toEqual([['conditions/field', 'conditions/field must be a string (a field path such as after.status)']]);
    expect(withCondition({ op: 'exists' })).toEqual([['conditions/field', 'conditions/field is required']]);
    expect(withCondition('after.status')).toEqual([['conditions', 'conditions must be a condition: { all: [...] }, { any: [...] }, { not: {...} } or { field, op, value }']]);
  });

  it('checks each op\'s value', () => {
    expect(leaf({ op: 'eq' })).toEqual([['conditions/all/2/value', 'conditions/all/2/value is required for eq']]);
    expect(leaf({ op: 'gt', value: [1] })).toEqual([['conditions/all/2/value', 'conditions/all/2/value must be a number or a string for gt']]);
    expect(leaf({ op: 'startsWith', value: 1 })).toEqual([['conditions/all/2/value', 'conditions/all/2/value must be a string for startsWith']]);
    expect(leaf({ op: 'in', value: 'open' })).toEqual([['conditions/all/2/value', 'conditions/all/2/value must be an array for in']]);
    expect(leaf({ op: 'exists', value: 'yes' })).toEqual([['conditions/all/2/value', 'conditions/all/2/value must be true or false for exists']]);
    expect(leaf({ op: 'changed', value: 'x' })).toEqual([['conditions/all/2/value', 'conditions/all/2/value does not apply to changed (it compares the field before and after)']]);
    expect(leaf({ op: 'matches', value: '(?=a)' })).toEqual([['conditions/all/2/value', 'conditions/all/2/value is not a valid regular expression: error parsing regexp: invalid or unsupported Perl syntax: `(?=`']]);
    expect(leaf({ op: 'matches', value: 'a'.repeat(1001) })).toEqual([['conditions/all/2/value', 'conditions/all/2/value must have at most 1000 characters']]);
    expect(leaf({ op: 'matches' })).toEqual([['conditions/all/2/value', 'conditions/all/2/value must be a regular expression (a string) for matches']]);
    expect(leaf({ op: 'matches', value: '/^open$/i' })).toEqual([]);
    expect(leaf({ op: 'exists' })).toEqual([]);
  });

  it('changed reads the entity and needs an entity trigger', () => {
    expect(withCondition({ field: 'status', op: 'changed' })).toEqual([]);
    const manual = changed((d) => { d.trigger = { type: 'manual' } as never; d.conditions = { not: { field: 'status', op: 'changed' } } as never; });
    expect(issuesOf(manual)).toEqual([['conditions/not/op', 'conditions/not/op changed compares an entity before and after a change: it needs an entity trigger, not manual']]);
  });

  it('caps nesting depth and the children of all and any', () => {
    let nested: unknown = { field: 'after.x', op: 'exists' };
    for (let i = 0; i < MAX_CONDITION_DEPTH - 1; i++) nested = { not: nested };
    expect(withCondition(nested)).toEqual([]);
    expect(withCondition({ any: [nested] })).toEqual([[`conditions/any/0${'/not'.repeat(MAX_CONDITION_DEPTH - 2)}/not`, `conditions/any/0${'/not'.repeat(MAX_CONDITION_DEPTH - 2)}/not nests conditions deeper than ${MAX_CONDITION_DEPTH} levels`]]);
    expect(withCondition({ all: Array(MAX_CONDITION_CHILDREN + 1).fill({ field: 'after.x', op: 'exists' }) })).toEqual([['conditions/all', `conditions/all must have at most ${MAX_CONDITION_CHILDREN} conditions`]]);
    expect(withCondition({ any: {} })).toEqual([['conditions/any', 'conditions/any must be an array of conditions']]);
  });

  it('the automation\'s conditions cannot read actions; a case\'s when reads earlier named ones', () => {
    expect(withCondition({ field: 'actions.welcome.response', op: 'exists' })).toEqual([['conditions/field', 'conditions/field names actions.welcome, which is not an earlier named action (none is named before this point)']]);
    const second = changed((d) => { d.actions.push({ type: 'log', cases: [{ when: { field: 'actions.welcome.response.id', op: 'exists' }, params: { level: 'info', message: 'sent' } }] } as never); });
    expect(issuesOf(second)).toEqual([]);
  });
});

describe('validateAutomationDefinition: actions', () => {
  const withActions = (actions: unknown) => issuesOf(changed((d) => { d.actions = actions as never; }));
  const log = (extra: object = {}) => ({ type: 'log', params: { level: 'info', message: 'hi' }, ...extra });

  it('needs at least one and at most the cap', () => {
    expect(issuesOf(changed((d) => { delete d.actions; }))).toEqual([['actions', 'actions is required']]);
    expect(withActions({})).toEqual([['actions', 'actions must be an array of actions']]);
    expect(withActions([])).toEqual([['actions', 'actions must have at least one action']]);
    expect(withActions(Array(MAX_ACTIONS + 1).fill(log()))).toEqual([['actions', `actions must have at most ${MAX_ACTIONS} actions`]]);
    expect(withActions([log(), 'log'])).toEqual([['actions/1', 'actions/1 must be an object { type, params } or { type, cases }']]);
  });

  it('needs a known type, and respond only with an inbound trigger', () => {
    expect(withActions([{ params: {} }])).toEqual([['actions/0/type', 'actions/0/type is required']]);
    expect(withActions([log({ type: 'sms' })])).toEqual([['actions/0/type', 'actions/0/type must be one of send_email, http_request, create_record, update_record, delete_record, run_hook, respond, log']]);
    expect(withActions([log({ type: 'respond' })])).toEqual([['actions/0/type', 'actions/0/type respond answers an inbound call: it needs an inbound trigger, not entity']]);
  });

  it('names are identifiers, unique', () => {
    expect(withActions([log({ name: 'first one' })])).toEqual([['actions/0/name', 'actions/0/name must be a letter or "_", then letters, digits or "_" (at most 64)']]);
    expect(withActions([log({ name: 'a' }), log({ name: 'a' })])).toEqual([['actions/1/name', 'actions/1/name is already the name of actions/0']]);
  });

  it('has params or cases, not both', () => {
    expect(withActions([{ type: 'log' }])).toEqual([['actions/0/params', 'actions/0/params is required (or cases)']]);
    expect(withActions([log({ cases: [{ else: true, params: {} }] })])).toEqual([['actions/0', 'actions/0 has both params and cases: an action has one or the other']]);
    expect(withActions([log({ params: [] })])).toEqual([['actions/0/params', "actions/0/params must be an object of the action's params"]]);
    expect(withActions([log({ onError: 'retry' })])).toEqual([['actions/0/onError', 'actions/0/onError must be one of stop, continue']]);
  });

  it('cases: when or else: true, one else and last', () => {
    const cases = (list: unknown) => withActions([{ type: 'log', cases: list }]);
    const p = { level: 'info', message: 'x' };
    const when = { field: 'after.x', op: 'exists' };
    expect(cases([])).toEqual([['actions/0/cases', 'actions/0/cases must be a non-empty array of cases { when, params } or { else: true, params }']]);
    expect(cases(Array(MAX_CASES + 1).fill({ when, params: p }))).toEqual([['actions/0/cases', `actions/0/cases must have at most ${MAX_CASES} cases`]]);
    expect(cases([{ when, else: true, params: p }])).toEqual([['actions/0/cases/0', 'actions/0/cases/0 has both when and else: a case has one or the other']]);
    expect(cases([{ params: p }])).toEqual([['actions/0/cases/0/when', 'actions/0/cases/0/when is required (or else: true)']]);
    expect(cases([{ else: 'yes', params: p }])).toEqual([['actions/0/cases/0/else', 'actions/0/cases/0/else must be true']]);
    expect(cases([{ else: true, params: p }, { when, params: p }])).toEqual([['actions/0/cases/0/else', 'actions/0/cases/0/else must be on the last case (the one that runs when no when holds)']]);
    expect(cases([{ else: true, params: p }, { else: true, params: p }])).toEqual([['actions/0/cases/0/else', 'actions/0/cases/0/else must be on the last case (the one that runs when no when holds)']]);
    expect(cases([{ when }])).toEqual([['actions/0/cases/0/params', 'actions/0/cases/0/params is required']]);
    expect(cases([{ when: { field: 'after.x', op: 'nope' }, params: p }])).toEqual([['actions/0/cases/0/when/op', 'actions/0/cases/0/when/op must be one of eq, ne, gt, gte, lt, lte, contains, startsWith, endsWith, in, exists, changed, matches']]);
  });

  it('every template parses, at the exact path', () => {
    expect(issuesOf(changed((d) => { d.actions[0]!.cases[1]!.params.subject = 'Hi {{after.firstName'; }))).toEqual([
      ['actions/0/cases/1/params/subject', 'actions/0/cases/1/params/subject has an unclosed "{{" at character 4'],
    ]);
    expect(withActions([log({ params: { level: 'info', message: 'x', data: { list: ['{{}}'] } } })])).toEqual([['actions/0/params/data/list/0', 'actions/0/params/data/list/0 has an empty "{{}}" at character 1']]);
  });

  it('templates name only earlier named actions, and only their response or record', () => {
    const lookup = { type: 'http_request', name: 'lookup', params: { method: 'GET', url: 'https://x.test' } };
    expect(withActions([lookup, log({ params: { level: 'info', message: '{{actions.lookup.response.total}} {{actions.lookup.record}}' } })])).toEqual([]);
    expect(withActions([log({ params: { level: 'info', message: '{{actions.lookup.response}}' } }), lookup])).toEqual([
      ['actions/0/params/message', 'actions/0/params/message has "{{actions.lookup.response}}", which names actions.lookup, which is not an earlier named action (none is named before this point)'],
    ]);
    expect(withActions([{ ...lookup, params: { ...lookup.params, url: 'https://x.test/{{actions.lookup.response.id}}' } }])).toEqual([
      ['actions/0/params/url', 'actions/0/params/url has "{{actions.lookup.response.id}}", which names actions.lookup, which is not an earlier named action (none is named before this point)'],
    ]);
    expect(withActions([lookup, log({ params: { level: 'info', message: '{{actions.lookup.status}}' } })])).toEqual([
      ['actions/1/params/message', 'actions/1/params/message has "{{actions.lookup.status}}", which reads actions.lookup.status, but an action leaves only response and record'],
    ]);
  });

  it('places the action\'s own issues under its params or case', () => {
    expect(issuesOf(changed((d) => { delete (d.actions[0]!.cases[1]!.params as { to?: string }).to; }))).toEqual([['actions/0/cases/1/params/to', 'actions/0/cases/1/params/to is required']]);
    expect(withActions([{ type: 'send_email', params: { subject: 'x' } }])).toEqual([['actions/0/params/to', 'actions/0/params/to is required']]);
    const throwing: AutomationValidationOptions = { ...stubs().options, validateActionParams: () => { throw new TypeError('bad'); } };
    expect(validate(example(), throwing).issues[0]).toEqual({ path: 'actions/0/cases/0/params', message: 'actions/0/cases/0/params could not be checked: bad' });
  });
});

describe('runHookIds', () => {
  it('lists every literal run_hook hookId with its path', () => {
    const definition = {
      ...example(),
      actions: [
        { type: 'log', params: { hookId: 'not-a-hook' } },
        { type: 'run_hook', params: { hookId: 'h1', payload: {} } },
        { type: 'run_hook', cases: [{ when: { field: 'after.x', op: 'exists' }, params: { hookId: 'h2' } }, { else: true, params: { hookId: '{{trigger.body.hook}}' } }] },
      ],
    } as unknown as AutomationDefinition;
    expect(runHookIds(definition)).toEqual([
      { path: 'actions/1/params/hookId', hookId: 'h1' },
      { path: 'actions/2/cases/0/params/hookId', hookId: 'h2' },
    ]);
  });
});

describe('validateAutomationDefinition: any input (property)', () => {
  /** Whether `path` names a place in `value` (keys joined by "/"). */
  const exists = (value: unknown, path: string): boolean => {
    if (path === '') return true;
    let node: unknown = value;
    for (const key of path.split('/')) {
      if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return false;
      node = (node as Record<string, unknown>)[key];
    }
    return true;
  };
  const parent = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
  const key = fc.string({ maxLength: 6 }).filter((k) => !k.includes('/'));
  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 0 }), fc.constantFrom('{{after.x}}', '{{', '{{actions.a.response}}', 'create', 'entity', 'manual', 'log', 'eq', 'matches', '(a'), fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(key, tie('value'), { maxKeys: 3 })),
  })).value;

  /** Every path of `value`, so a mutation can land anywhere. */
  const paths = (value: unknown, at: string[] = []): string[][] =>
    value !== null && typeof value === 'object' ? [at, ...Object.keys(value).flatMap((k) => paths((value as Record<string, unknown>)[k], [...at, k]))] : [at];

  const mutated = fc.tuple(fc.nat(), json, fc.constantFrom('set', 'delete', 'add')).map(([pick, replacement, how]) => {
    const input = example() as unknown as Record<string, unknown>;
    const all = paths(input);
    const at = all[pick % all.length]!;
    if (at.length === 0) return replacement;
    const holder = at.slice(0, -1).reduce<any>((node, k) => node[k], input);
    const last = at.at(-1)!;
    if (how === 'delete') delete holder[last];
    else if (how === 'add' && holder[last] !== null && typeof holder[last] === 'object' && !Array.isArray(holder[last])) holder[last].extra = replacement;
    else holder[last] = replacement;
    return input;
  });

  it('never throws, and names only places that exist in the input or whose parent does', () => {
    const options: AutomationValidationOptions = { validateActionParams: () => [], validateSchedule: () => [] };
    fc.assert(
      fc.property(fc.oneof(json, mutated), (input) => {
        const { issues, definition } = validateAutomationDefinition(input, options);
        expect(issues.length > 0 || definition !== undefined).toBe(true);
        for (const found of issues) {
          expect(exists(input, found.path) || exists(input, parent(found.path))).toBe(true);
          expect(found.message.startsWith(found.path === '' ? 'the record' : found.path)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, evaluateConditions, MAX_MATCH_INPUT, MAX_STEP_VALUE_CHARS } from './automation-conditions.js';
import type { AutomationScope, Condition, FieldCondition } from './automations.js';

const scope: AutomationScope = {
  before: { status: 'open', fte: 0.5, customAttributes: { level: 'junior' }, tags: ['a'] },
  after: {
    firstName: 'Ada',
    status: 'filled',
    fte: 1,
    startDate: '2026-03-01',
    tags: ['eng', { k: 1 }],
    customAttributes: { level: 'junior', department: 'Engineering' },
    teamAllocations: [{ teamName: 'Core' }],
    middleName: null,
  },
  trigger: { body: { text: 'Hello World' } },
  actions: {},
  now: '2026-12-01T09:00:00Z',
  org: { id: 'o1', slug: 'acme', name: 'Acme', timeZone: 'Europe/Amsterdam' },
};

const check = (condition: Condition) => evaluateConditions(condition, scope, 'conditions').result;
const field = (f: string, op: FieldCondition['op'], value?: unknown): FieldCondition => (value === undefined ? { field: f, op } : { field: f, op, value });

describe('evaluateConditions: each op', () => {
  it('eq and ne compare by JSON deep equality', () => {
    expect(check(field('after.firstName', 'eq', 'Ada'))).toBe(true);
    expect(check(field('after.firstName', 'eq', 'ada'))).toBe(false);
    expect(check(field('after.tags', 'eq', ['eng', { k: 1 }]))).toBe(true);
    expect(check(field('after.tags', 'eq', ['eng', { k: 2 }]))).toBe(false);
    expect(check(field('after.customAttributes', 'eq', { department: 'Engineering', level: 'junior' }))).toBe(true);
    expect(check(field('after.fte', 'eq', '1'))).toBe(false);
    expect(check(field('after.firstName', 'ne', 'Bob'))).toBe(true);
    expect(check(field('after.firstName', 'ne', 'Ada'))).toBe(false);
  });

  it('gt, gte, lt and lte compare numbers with numbers and strings with strings', () => {
    expect(check(field('after.fte', 'gt', 0.5))).toBe(true);
    expect(check(field('after.fte', 'gt', 1))).toBe(false);
    expect(check(field('after.fte', 'gte', 1))).toBe(true);
    expect(check(field('after.fte', 'gte', 1.5))).toBe(false);
    expect(check(field('after.fte', 'lt', 2))).toBe(true);
    expect(check(field('after.fte', 'lt', 1))).toBe(false);
    expect(check(field('after.fte', 'lte', 1))).toBe(true);
    expect(check(field('after.fte', 'lte', 0))).toBe(false);
    expect(check(field('after.startDate', 'gte', '2026-01-01'))).toBe(true);
    expect(check(field('after.startDate', 'lt', '2026-01-01'))).toBe(false);
  });

  it('gt and friends are false for mixed types', () => {
    expect(check(field('after.fte', 'gt', '0'))).toBe(false);
    expect(check(field('after.fte', 'lt', '9'))).toBe(false);
    expect(check(field('after.startDate', 'gt', 0))).toBe(false);
    expect(check(field('after.tags', 'gte', 0))).toBe(false);
  });

  it('contains looks in strings and arrays', () => {
    expect(check(field('after.firstName', 'contains', 'd'))).toBe(true);
    expect(check(field('after.firstName', 'contains', 'x'))).toBe(false);
    expect(check(field('after.tags', 'contains', { k: 1 }))).toBe(true);
    expect(check(field('after.tags', 'contains', 'en'))).toBe(false);
    expect(check(field('after.fte', 'contains', 1))).toBe(false);
  });

  it('startsWith and endsWith take strings', () => {
    expect(check(field('after.firstName', 'startsWith', 'Ad'))).toBe(true);
    expect(check(field('after.firstName', 'startsWith', 'da'))).toBe(false);
    expect(check(field('after.firstName', 'endsWith', 'da'))).toBe(true);
    expect(check(field('after.firstName', 'endsWith', 'Ad'))).toBe(false);
    expect(check(field('after.tags', 'startsWith', 'eng'))).toBe(false);
  });

  it('in is true when the value is one of the array', () => {
    expect(check(field('after.status', 'in', ['open', 'filled']))).toBe(true);
    expect(check(field('after.status', 'in', ['open', 'cancelled']))).toBe(false);
    expect(check(field('after.teamAllocations.0', 'in', [{ teamName: 'Core' }]))).toBe(true);
    expect(check(field('after.status', 'in', 'filled'))).toBe(false);
  });

  it('exists is true for a value that is neither missing nor null; value false asks the reverse', () => {
    expect(check(field('after.firstName', 'exists'))).toBe(true);
    expect(check(field('after.firstName', 'exists', true))).toBe(true);
    expect(check(field('after.middleName', 'exists'))).toBe(false);
    expect(check(field('after.lastName', 'exists'))).toBe(false);
    expect(check(field('after.lastName', 'exists', false))).toBe(true);
    expect(check(field('after.middleName', 'exists', false))).toBe(true);
    expect(check(field('after.firstName', 'exists', false))).toBe(false);
  });

  it('changed compares the entity before and after, with or without after./before.', () => {
    expect(check(field('status', 'changed'))).toBe(true);
    expect(check(field('after.status', 'changed'))).toBe(true);
    expect(check(field('before.fte', 'changed'))).toBe(true);
    expect(check(field('customAttributes.level', 'changed'))).toBe(false);
    expect(check(field('after.customAttributes.level', 'changed'))).toBe(false);
    expect(check(field('firstName', 'changed'))).toBe(true); // absent before
    expect(check(field('lastName', 'changed'))).toBe(false); // absent on both sides
  });

  it('matches runs a regular expression on strings, with /pattern/flags', () => {
    expect(check(field('trigger.body.text', 'matches', '^Hello'))).toBe(true);
    expect(check(field('trigger.body.text', 'matches', '^hello'))).toBe(false);
    expect(check(field('trigger.body.text', 'matches', '/^hello/i'))).toBe(true);
    expect(check(field('trigger.body.text', 'matches', 'o W'))).toBe(true);
    expect(check(field('after.fte', 'matches', '1'))).toBe(false);
  });
});

describe('evaluateConditions: missing fields', () => {
  const ops: Array<[FieldCondition['op'], unknown]> = [
    ['eq', null], ['gt', 0], ['gte', ''], ['lt', 'z'], ['lte', 9], ['contains', 'a'], ['startsWith', ''], ['endsWith', ''], ['in', [null]], ['matches', '.*'], ['exists', undefined],
  ];
  it.each(ops)('%s is false for a field that does not exist', (op, value) => {
    const { result, steps } = evaluateConditions(field('after.nope.deeper', op, value), scope, 'conditions');
    expect(result).toBe(false);
    expect(steps[0]).not.toHaveProperty('actual');
  });

  it('ne and exists with value false are true for a field that does not exist', () => {
    expect(check(field('after.nope', 'ne', 'x'))).toBe(true);
    expect(check(field('after.nope', 'exists', false))).toBe(true);
  });

  it('no conditions is true, with no steps', () => {
    expect(evaluateConditions(undefined, scope, 'conditions')).toEqual({ result: true, steps: [] });
  });
});

describe('evaluateConditions: all, any, not and their steps', () => {
  it('all of [] is true and any of [] is false', () => {
    expect(check({ all: [] })).toBe(true);
    expect(check({ any: [] })).toBe(false);
  });

  it('nests all, any and not, and records every comparison with its path', () => {
    const condition: Condition = {
      all: [
        field('after.customAttributes.department', 'eq', 'Engineering'),
        { any: [field('after.fte', 'lt', 0.5), { not: field('after.status', 'eq', 'open') }] },
      ],
    };
    const { result, steps } = evaluateConditions(condition, scope, 'actions/0/cases/1/when');
    expect(result).toBe(true);
    expect(steps).toEqual([
      { kind: 'condition', path: 'actions/0/cases/1/when', op: 'all', result: true },
      { kind: 'condition', path: 'actions/0/cases/1/when/all/0', field: 'after.customAttributes.department', op: 'eq', expected: 'Engineering', actual: 'Engineering', result: true },
      { kind: 'condition', path: 'actions/0/cases/1/when/all/1', op: 'any', result: true },
      { kind: 'condition', path: 'actions/0/cases/1/when/all/1/any/0', field: 'after.fte', op: 'lt', expected: 0.5, actual: 1, result: false },
      { kind: 'condition', path: 'actions/0/cases/1/when/all/1/any/1', op: 'not', result: true },
      { kind: 'condition', path: 'actions/0/cases/1/when/all/1/any/1/not', field: 'after.status', op: 'eq', expected: 'open', actual: 'filled', result: false },
    ]);
  });

  it('evaluates every child even when the outcome is already known', () => {
    const { result, steps } = evaluateConditions({ all: [field('after.fte', 'eq', 2), field('after.firstName', 'eq', 'Ada')] }, scope, 'conditions');
    expect(result).toBe(false);
    expect(steps.map((s) => [s.path, s.result])).toEqual([['conditions', false], ['conditions/all/0', false], ['conditions/all/1', true]]);
  });

  it('a changed step shows the value before and after', () => {
    expect(evaluateConditions(field('status', 'changed'), scope, 'conditions').steps).toEqual([
      { kind: 'condition', path: 'conditions', field: 'status', op: 'changed', actual: 'filled', before: 'open', result: true },
    ]);
  });

  it('an exists step shows what it expected', () => {
    expect(evaluateConditions(field('after.firstName', 'exists'), scope, 'c').steps[0]).toMatchObject({ expected: true, actual: 'Ada', result: true });
    expect(evaluateConditions(field('after.firstName', 'exists', false), scope, 'c').steps[0]).toMatchObject({ expected: false, result: false });
  });

  it('cuts large values in steps to the start of their JSON', () => {
    const big = { ...scope, trigger: { body: { text: 'x'.repeat(5000) } } };
    const [step] = evaluateConditions(field('trigger.body.text', 'eq', 'y'), big, 'c').steps;
    expect(step!.actual).toBe(`"${'x'.repeat(MAX_STEP_VALUE_CHARS - 1)}…`);
  });
});

describe('evaluateConditions: matches on RE2', () => {
  it('finishes a catastrophic-backtracking pattern on a long input with the right answer', () => {
    const text = 'a'.repeat(MAX_MATCH_INPUT - 1) + '!';
    const long = { ...scope, trigger: { body: { text } } };
    expect(evaluateConditions(field('trigger.body.text', 'matches', '^(a+)+$'), long, 'c').result).toBe(false);
    const all = { ...scope, trigger: { body: { text: 'a'.repeat(MAX_MATCH_INPUT) } } };
    expect(evaluateConditions(field('trigger.body.text', 'matches', '^(a+)+$'), all, 'c').result).toBe(true);
  });

  it('is false with an error for a value longer than the cap, and not does not turn that into true', () => {
    const long = { ...scope, trigger: { body: { text: 'a'.repeat(MAX_MATCH_INPUT + 1) } } };
    const { result, steps } = evaluateConditions({ not: field('trigger.body.text', 'matches', 'b') }, long, 'c');
    expect(result).toBe(false);
    expect(steps[1]!.error).toMatch(/more than the 100000/);
    expect(evaluateConditions({ not: { any: [field('trigger.body.text', 'matches', 'b'), field('after.fte', 'eq', 0)] } }, long, 'c').result).toBe(false);
    // A plain false beside the error decides `all` by itself, so `not` of it holds.
    expect(evaluateConditions({ not: { all: [field('trigger.body.text', 'matches', 'b'), field('after.fte', 'eq', 0)] } }, long, 'c').result).toBe(true);
  });

  it('is false with an error for a pattern that does not compile', () => {
    const { result, steps } = evaluateConditions(field('after.firstName', 'matches', '(?=A)'), scope, 'c');
    expect(result).toBe(false);
    expect(steps[0]!.error).toMatch(/^the pattern is not a valid regular expression/);
  });

  it('compilePattern reads /source/flags and plain patterns', () => {
    const insensitive = compilePattern('/^eng/i');
    expect(typeof insensitive !== 'string' && insensitive.test('Engineering')).toBe(true);
    const dotall = compilePattern('/a.b/s');
    expect(typeof dotall !== 'string' && dotall.test('a\nb')).toBe(true);
    const plain = compilePattern('/api/v1');
    expect(typeof plain !== 'string' && plain.test('GET /api/v1')).toBe(true);
    const slashes = compilePattern('/\\/api\\//');
    expect(typeof slashes !== 'string' && slashes.test('GET /api/x')).toBe(true);
    expect(compilePattern('(a')).toMatch(/missing closing \)/);
  });
});

describe('evaluateConditions: never throws', () => {
  it('is false with an error for what is not a condition', () => {
    expect(evaluateConditions({ all: 'x' } as never, scope, 'c')).toEqual({ result: false, steps: [{ kind: 'condition', path: 'c', op: 'all', result: false, error: 'all needs an array of conditions' }] });
    const { result, steps } = evaluateConditions({ not: { field: 'after.fte', op: 'like' } } as never, scope, 'c');
    expect(result).toBe(false);
    expect(steps[1]).toEqual({ kind: 'condition', path: 'c/not', result: false, error: 'not a condition: needs all, any, not, or a field and a known op' });
  });

  it('answers a boolean and one step per node on any JSON condition and scope (property)', () => {
    const leaf = fc.record({ field: fc.string({ maxLength: 12 }), op: fc.constantFrom('eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains', 'startsWith', 'endsWith', 'in', 'exists', 'changed', 'matches', 'nope'), value: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: ['field', 'op'] });
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.record({ all: fc.array(tie('tree'), { maxLength: 3 }) }), fc.record({ any: fc.array(tie('tree'), { maxLength: 3 }) }), fc.record({ not: tie('tree') }), fc.jsonValue({ maxDepth: 1 })),
    }));
    fc.assert(
      fc.property(tree, fc.jsonValue(), fc.jsonValue(), (condition, before, after) => {
        const { result, steps } = evaluateConditions(condition as Condition, { ...scope, before, after }, 'conditions');
        expect(typeof result).toBe('boolean');
        expect(steps[0]!.path).toBe('conditions');
        for (const step of steps) expect(step.path.startsWith('conditions')).toBe(true);
      }),
    );
  });
});

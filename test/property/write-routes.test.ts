/**
 * Property-based: random JSON of every shape, depth and size, random Unicode (lone
 * surrogates and U+0000 included), random numbers (huge ones included) and random field
 * names, sent to the write routes. Every answer is a 2xx, or a 4xx in the `{ error }`
 * shape, never a 5xx; and a later read answers exactly what the write answered.
 * Fixed seeds and bounded runs, so it is repeatable and quick.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { describeEachEngine } from '../helpers/stores.js';

const RUNS = 60;
const PULL = 'async function run(ctx) { return { records: [] }; }';

/** A number token as written in the body: what JSON.stringify cannot write (1e309) included. */
class RawNumber {
  constructor(readonly text: string) {}
}
/** `inner` wrapped in `depth` arrays: deep nesting without deep recursion here. */
class Deep {
  constructor(
    readonly depth: number,
    readonly inner: unknown,
  ) {}
}

/** JSON text of a generated value; recursion is bounded by the generator's own depth. */
function toText(value: unknown): string {
  if (value instanceof RawNumber) return value.text;
  if (value instanceof Deep) return '['.repeat(value.depth) + toText(value.inner) + ']'.repeat(value.depth);
  if (Array.isArray(value)) return `[${value.map(toText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .map((k) => `${JSON.stringify(k)}:${toText((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const hostileUnit = fc.constantFrom('\ud800', '\udfff', '\ud83d', '\ude00', '\u0000', '😀', 'é', '\u2028', '"', '\\', '/');
const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 20 }) },
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 4 }), hostileUnit), { maxLength: 6 }).map((parts) => parts.join('')),
  fc.string({ minLength: 500, maxLength: 3000 }),
);
const fieldName = fc.oneof(
  fc.constantFrom('name', 'firstName', 'lastName', 'email', 'params', 'mapping', 'customAttributes', 'jobRole', 'teamAllocations', 'code', 'value', 'label', 'description'),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', ''),
  text,
);
const number = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom('1e309', '-1e309', '1e-400', '123456789012345678901234567890', '-0', '0.1e2', '9007199254740993').map((t) => new RawNumber(t)),
);
const { json } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    number,
    text,
    fc.array(tie('json'), { maxLength: 5 }),
    fc.dictionary(fieldName, tie('json'), { maxKeys: 5 }),
    fc.tuple(fc.oneof(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 1, max: 8000 })), tie('json')).map(([depth, inner]) => new Deep(depth, inner)),
  ),
}));
/** A body: a plausible base with random fields set over it (or, sometimes, any JSON at all). */
const bodyOver = (base: fc.Arbitrary<Record<string, unknown>>) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.tuple(base, fc.dictionary(fieldName, json, { maxKeys: 4 })).map(([b, extra]) => ({ ...b, ...extra })) },
    { weight: 2, arbitrary: base },
    { weight: 1, arbitrary: json },
  );

const entityType = fc.constantFrom('employee', 'vacancy', 'contractor', 'project', 'assignment');
const entityBase = fc.record(
  { firstName: text, lastName: text, email: fc.constantFrom('a@b.c', 'x@example.org'), name: text, role: text, customAttributes: fc.dictionary(fieldName, json, { maxKeys: 3 }) },
  { requiredKeys: [] },
);
const hookBase = fc.record(
  {
    name: text,
    type: fc.constantFrom('pull', 'push', 'pre', 'post'),
    entityType: fc.constantFrom('employee', 'project'),
    code: fc.oneof(fc.constant(PULL), text),
    params: fc.dictionary(fieldName, json, { maxKeys: 4 }),
    mapping: fc.dictionary(fieldName, text, { maxKeys: 3 }),
    operations: fc.constant(['create']),
  },
  { requiredKeys: ['name', 'type', 'entityType', 'code'] },
);

const automationBase = fc.record(
  {
    name: text,
    trigger: fc.oneof(
      fc.constant({ type: 'manual' }),
      fc.record({ type: fc.constant('entity'), entityType, events: fc.constant(['create']) }),
      fc.record({ type: fc.constant('inbound'), path: fc.stringMatching(/^[a-z][a-z0-9/]{0,20}$/) }),
    ),
    conditions: fc.oneof(fc.record({ field: fc.constantFrom('after.firstName', 'trigger.body.x', 'nope'), op: fc.constantFrom('eq', 'exists', 'matches', 'in'), value: json }), json),
    actions: fc.array(
      fc.oneof(
        fc.record({ type: fc.constant('log'), params: fc.record({ level: fc.constantFrom('info', 'loud'), message: fc.oneof(text, fc.constant('{{trigger.body.x}}'), fc.constant('{{ broken')) }) }),
        fc.record({ type: fc.constantFrom('respond', 'http_request', 'run_hook', 'create_record'), params: fc.dictionary(fieldName, json, { maxKeys: 3 }) }),
        json,
      ),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: ['name', 'trigger', 'actions'] },
);

describeEachEngine('write routes under random input (property)', (engine) => {
  let t: TestApp;
  let acme: TestTenant;
  let integrationId: string;
  let entityId: string;
  let hookId: string;
  let n = 0;

  beforeAll(async () => {
    t = await createTestApp(engine);
    acme = await t.tenant('acme');
    integrationId = (await t.call(acme.keys.admin, { method: 'POST', url: '/v1/integrations', payload: { name: 'HR', sourceSystemKey: 'hr' } })).json().id;
    entityId = (await t.call(acme.keys.admin, { method: 'POST', url: '/v1/entities/employee', payload: { firstName: 'A', lastName: 'B', email: 'a@b.c' } })).json().id;
    hookId = (
      await t.call(acme.keys.admin, { method: 'POST', url: `/v1/integrations/${integrationId}/hooks`, payload: { name: 'h', type: 'pull', entityType: 'employee', code: PULL } })
    ).json().id;
  });
  afterAll(async () => t?.dispose());

  const send = (method: 'POST' | 'PATCH' | 'PUT', url: string, body: unknown) =>
    t.call(acme.keys.admin, { method, url, payload: toText(body), headers: { 'content-type': 'application/json' } });
  const read = async (url: string) => (await t.call(acme.keys.admin, { method: 'GET', url })).json();

  /** The answer is a 2xx, or a 4xx in the error shape; never a 5xx. Returns the 2xx body. */
  function checkAnswer(res: { statusCode: number; body: string; json(): any }, what: string): any {
    expect(res.statusCode, `${what}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
    if (res.statusCode >= 400) {
      const { error } = res.json();
      expect(typeof error?.code, res.body.slice(0, 300)).toBe('string');
      expect(typeof error?.message, res.body.slice(0, 300)).toBe('string');
      return undefined;
    }
    return res.statusCode === 204 ? null : res.json();
  }

  const check = (property: fc.IAsyncProperty<any>, seed: number) => fc.assert(property, { seed, numRuns: RUNS, endOnFailure: true });

  it('integrations: create and patch', async () => {
    await check(
      fc.asyncProperty(bodyOver(fc.record({ name: text, description: text, sourceSystemKey: fc.constant('k') })), bodyOver(fc.record({ name: text, description: text })), async (create, patch) => {
        const key = `k${++n}`;
        const body = create !== null && typeof create === 'object' && !Array.isArray(create) && 'sourceSystemKey' in create ? { ...create, sourceSystemKey: key } : create;
        const created = checkAnswer(await send('POST', '/v1/integrations', body), 'create');
        const id = created?.id ?? integrationId;
        if (created) expect(await read(`/v1/integrations/${id}`)).toEqual(created);
        const patched = checkAnswer(await send('PATCH', `/v1/integrations/${id}`, patch), 'patch');
        if (patched) expect(await read(`/v1/integrations/${id}`)).toEqual(patched);
      }),
      1201,
    );
  });

  it('entities: create of every type, and patch', async () => {
    await check(
      fc.asyncProperty(entityType, bodyOver(entityBase), bodyOver(entityBase), async (type, create, patch) => {
        const created = checkAnswer(await send('POST', `/v1/entities/${type}`, create), 'create');
        if (created) expect(await read(`/v1/entities/${type}/${created.id}`)).toEqual(created);
        const patched = checkAnswer(await send('PATCH', `/v1/entities/employee/${entityId}`, patch), 'patch');
        if (patched) expect(await read(`/v1/entities/employee/${entityId}`)).toEqual(patched);
      }),
      1202,
    );
  });

  it('hooks: create and patch', async () => {
    await check(
      fc.asyncProperty(bodyOver(hookBase), bodyOver(fc.record({ name: text, params: fc.dictionary(fieldName, json, { maxKeys: 4 }) }, { requiredKeys: [] })), async (create, patch) => {
        const created = checkAnswer(await send('POST', `/v1/integrations/${integrationId}/hooks`, create), 'create');
        if (created) expect(await read(`/v1/hooks/${created.id}`)).toEqual(created);
        const patched = checkAnswer(await send('PATCH', `/v1/hooks/${hookId}`, patch), 'patch');
        if (patched) expect(await read(`/v1/hooks/${hookId}`)).toEqual(patched);
      }),
      1203,
    );
  });

  it('secrets, custom attributes and API keys', async () => {
    const attribute = fc.record(
      { entityType, key: text, label: text, type: fc.constantFrom('string', 'number', 'enum', 'boolean', 'date'), options: fc.array(text, { maxLength: 3 }) },
      { requiredKeys: ['entityType', 'key', 'label', 'type'] },
    );
    await check(
      fc.asyncProperty(bodyOver(fc.record({ value: text })), bodyOver(attribute), bodyOver(fc.record({ role: fc.constantFrom('viewer', 'editor'), name: text })), async (secret, definition, apiKey) => {
        const put = checkAnswer(await send('PUT', `/v1/integrations/${integrationId}/secrets/TOKEN`, secret), 'secret');
        if (put) expect((await read(`/v1/integrations/${integrationId}/secrets`)).items).toContainEqual(put);
        const defined = checkAnswer(await send('POST', '/v1/custom-attributes', definition), 'custom attribute');
        if (defined) expect(await read(`/v1/custom-attributes/${defined.id}`)).toEqual(defined);
        const key = checkAnswer(await send('POST', '/v1/api-keys', apiKey), 'api key');
        if (key) {
          const { key: _shownOnce, ...info } = key;
          expect(await read(`/v1/api-keys/${key.id}`)).toEqual(info);
        }
      }),
      1204,
    );
  });

  it('automations: create, replace, patch, dry run and run', async () => {
    const automationId = (
      await t.call(acme.keys.admin, { method: 'POST', url: '/v1/automations', payload: { name: 'a', trigger: { type: 'manual' }, actions: [{ type: 'log', params: { level: 'info', message: 'hi' } }] } })
    ).json().id;
    await check(
      fc.asyncProperty(bodyOver(automationBase), bodyOver(automationBase), bodyOver(fc.record({ name: text, enabled: fc.boolean() }, { requiredKeys: [] })), json, async (create, replace, patch, fixture) => {
        const created = checkAnswer(await send('POST', '/v1/automations', create), 'create');
        if (created) expect(await read(`/v1/automations/${created.id}`)).toEqual(created);
        const id = created?.id ?? automationId;
        const replaced = checkAnswer(await send('PUT', `/v1/automations/${id}`, replace), 'replace');
        if (replaced) expect(await read(`/v1/automations/${id}`)).toEqual(replaced);
        const patched = checkAnswer(await send('PATCH', `/v1/automations/${id}`, patch), 'patch');
        if (patched) expect(await read(`/v1/automations/${id}`)).toEqual(patched);
        const tested = checkAnswer(await send('POST', `/v1/automations/${id}/test`, fixture), 'test');
        if (tested) expect(await read(`/v1/executions/${tested.id}`)).toEqual(tested);
        checkAnswer(await send('POST', `/v1/automations/${id}/run`, fixture), 'run');
      }),
      1205,
    );
  });
});

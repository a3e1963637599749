import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSecretBox } from '../../src/domain/secret-box.js';
import { findHook, insertHook, type HookInput } from '../../src/store/hooks.js';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { describeEachEngine } from '../helpers/stores.js';

const PULL = 'async function run(ctx) { return { records: [] }; }';
/** Arrays nested `n` deep, as JSON text (JSON.stringify itself overflows on such values). */
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
const person = '"firstName":"Ada","lastName":"Lovelace","email":"ada@example.org"';

describeEachEngine('hostile JSON bodies', (engine) => {
  let t: TestApp;
  let acme: TestTenant;
  let integrationId: string;

  beforeAll(async () => {
    t = await createTestApp(engine);
    acme = await t.tenant('acme');
    integrationId = (await t.call(acme.keys.editor, { method: 'POST', url: '/v1/integrations', payload: { name: 'HR', sourceSystemKey: 'hr' } })).json().id;
  });
  afterAll(async () => t?.dispose());

  /** Sends `text` as the JSON body, exactly as written. */
  const send = (method: 'POST' | 'PATCH' | 'PUT', url: string, text: string, key = acme.keys.admin) =>
    t.call(key, { method, url, payload: text, headers: { 'content-type': 'application/json' } });

  const refused = (res: { statusCode: number; json(): any }, path: string, message: RegExp) => {
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('HY_VALIDATION');
    expect(error.message).toMatch(message);
    expect(error.details[0].path).toBe(path);
  };
  const hookCount = async () =>
    Number((await t.store.db.selectFrom('hooks').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  it('refuses an entity whose nested field is nested thousands deep, naming the field', async () => {
    const res = await send('POST', '/v1/entities/employee', `{${person},"jobRole":${deep(5000)}}`);
    refused(res, `body/jobRole${'/0'.repeat(63)}`, /^body\/jobRole(\/0)+ is nested deeper than 64 levels$/);

    const created = (await t.call(acme.keys.editor, { method: 'POST', url: '/v1/entities/employee', payload: { firstName: 'A', lastName: 'B', email: 'a@b.c' } })).json();
    const patch = await send('PATCH', `/v1/entities/employee/${created.id}`, `{"customAttributes":{"x":${deep(5000)}}}`);
    expect(patch.statusCode).toBe(400);
    expect(patch.json().error.details[0].path).toMatch(/^body\/customAttributes\/x\/0/);
    expect((await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/entities/employee/${created.id}` })).json().version).toBe(1);
  });

  it('refuses a hook whose params are nested thousands deep and stores nothing; a later GET and PATCH of a hook work', async () => {
    const before = await hookCount();
    const body = JSON.stringify({ name: 'deep', type: 'pull', entityType: 'employee', code: PULL }).slice(0, -1);
    refused(await send('POST', `/v1/integrations/${integrationId}/hooks`, `${body},"params":{"a":${deep(4100)}}}`), `body/params/a${'/0'.repeat(62)}`, /nested deeper/);
    expect(await hookCount()).toBe(before);

    const hook = (await send('POST', `/v1/integrations/${integrationId}/hooks`, `${body}}`)).json();
    refused(await send('PATCH', `/v1/hooks/${hook.id}`, `{"params":{"a":${deep(4100)}}}`), `body/params/a${'/0'.repeat(62)}`, /nested deeper/);
    const read = await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/hooks/${hook.id}` });
    expect(read.statusCode).toBe(200);
    expect(read.json().params).toBeUndefined();
    expect((await send('PATCH', `/v1/hooks/${hook.id}`, '{"params":{"a":[[1]]}}')).json().params).toEqual({ a: [[1]] });
  });

  it('refuses a number that is not finite rather than storing null', async () => {
    const body = JSON.stringify({ name: 'inf', type: 'pull', entityType: 'employee', code: PULL }).slice(0, -1);
    refused(await send('POST', `/v1/integrations/${integrationId}/hooks`, `${body},"params":{"limit":1e309}}`), 'body/params/limit', /is not a finite number/);
    refused(await send('POST', '/v1/entities/employee', `{${person},"customAttributes":{"n":-1e400}}`), 'body/customAttributes/n', /finite/);
  });

  it('refuses lone surrogates in every text the API stores, naming the field', async () => {
    const lone = '\\ud800';
    refused(await send('POST', '/v1/integrations', `{"name":"HR${lone}","sourceSystemKey":"hr2"}`), 'body/name', /not well-formed Unicode/);
    refused(await send('PATCH', `/v1/integrations/${integrationId}`, `{"description":"x${lone}"}`), 'body/description', /not well-formed/);
    refused(await send('PUT', `/v1/integrations/${integrationId}/secrets/token`, `{"value":"s3cr${lone}t"}`), 'body/value', /not well-formed/);
    refused(await send('POST', '/v1/api-keys', `{"role":"viewer","name":"${lone}"}`), 'body/name', /not well-formed/);
    refused(
      await send('POST', '/v1/custom-attributes', `{"entityType":"employee","key":"level","label":"L${lone}","type":"string"}`),
      'body/label',
      /not well-formed/,
    );
    const hook = JSON.stringify({ name: 'x', type: 'pull', entityType: 'employee' }).slice(0, -1);
    refused(await send('POST', `/v1/integrations/${integrationId}/hooks`, `${hook},"code":"// \\udc00\\n${PULL}"}`), 'body/code', /not well-formed/);
    refused(await send('POST', '/v1/entities/employee', `{${person},"customAttributes":{"${lone}":1}}`), 'body/customAttributes', /field name that is not well-formed/);
    // Pairs are fine, and come back exactly as sent.
    const ok = await send('POST', '/v1/integrations', '{"name":"HR \\ud83d\\ude00","sourceSystemKey":"hr3"}');
    expect(ok.statusCode).toBe(201);
    expect((await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/integrations/${ok.json().id}` })).json().name).toBe('HR 😀');
  });

  it('refuses U+0000, which PostgreSQL cannot keep in text', async () => {
    refused(await send('POST', '/v1/integrations', '{"name":"a\\u0000b","sourceSystemKey":"hr4"}'), 'body/name', /U\+0000/);
  });

  it('still refuses prototype keys', async () => {
    const res = await send('POST', '/v1/integrations', '{"name":"p","sourceSystemKey":"hr5","__proto__":{"x":1}}');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('HY_BAD_REQUEST');
  });

  it('has the store refuse settings it could not read back, whoever the caller', async () => {
    const box = createSecretBox('test-master-key-0123456789abcdef0123');
    const input: HookInput = {
      name: 'direct',
      type: 'pull',
      entityType: 'employee',
      runtime: 'code',
      code: PULL,
      remoteUrl: null,
      remoteSteps: null,
      enabled: true,
      settings: { params: { limit: Number.POSITIVE_INFINITY } } as HookInput['settings'],
    };
    await expect(insertHook(t.store.db, box, acme.org.id, integrationId, input)).rejects.toMatchObject({ code: 'HY_VALIDATION', message: 'settings/params/limit is not a finite number' });
    const hooks = await t.store.db.selectFrom('hooks').select('id').where('name', '=', 'direct').execute();
    expect(hooks).toEqual([]);
    expect(await findHook(t.store.db, acme.org.id, 'nope')).toBeUndefined();
  });
});

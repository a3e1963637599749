/**
 * Dry runs of inbound hooks (`POST /v1/hooks/{id}/test` with a `request` fixture): the
 * hook runs as a real call would run it, minus verification; its records are a preview
 * (as a PULL dry run's), its answer a log line, and nothing is written.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { waitFor } from '../helpers/jobs.js';
import { describeEachEngine } from '../helpers/stores.js';

// The records come from the body; the answer echoes what the hook saw of the request.
const PEOPLE = `async function run(ctx) {
  const r = ctx.request;
  await ctx.kv.set('seen', true);
  return {
    records: r.body.people.map(({ id, ...data }) => ({ externalId: id, data })),
    response: { status: 202, headers: { 'x-hook': 'people' }, body: { method: r.method, path: r.path, query: r.query, raw: r.rawBody, type: r.headers['content-type'] ?? null, n: r.body.people.length } },
  };
}`;

describeEachEngine('inbound hook dry runs', (engine) => {
  let t: TestApp;
  let tenant: TestTenant;
  let integrationId: string;

  beforeAll(async () => {
    t = await createTestApp(engine);
    tenant = await t.tenant('acme-inbound-test');
    integrationId = (await t.call(tenant.keys.editor, { method: 'POST', url: '/v1/integrations', payload: { name: 'Senders', sourceSystemKey: 'senders' } })).json().id;
  });
  afterAll(async () => t?.dispose());

  async function hook(path: string, code: string, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await t.call(tenant.keys.editor, { method: 'POST', url: `/v1/integrations/${integrationId}/hooks`, payload: { name: path, type: 'inbound', path, code, ...extra } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id;
  }
  const test = (id: string, payload?: Record<string, unknown>) => t.call(tenant.keys.editor, { method: 'POST', url: `/v1/hooks/${id}/test`, ...(payload !== undefined && { payload }) });
  const count = async (table: 'entities' | 'events' | 'kv') =>
    Number((await t.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  it('previews would-create, would-update with the changed field and invalid records, logs the answer, and writes no entity, event or KV', async () => {
    const id = await hook('people', PEOPLE, { entityType: 'employee', method: 'POST' });
    const first = JSON.stringify({ people: [{ id: 'p1', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@x.test' }] });
    const sent = await t.app.inject({ method: 'POST', url: '/inbound/acme-inbound-test/people', payload: first, headers: { 'content-type': 'application/json' } });
    expect(sent.statusCode, sent.body).toBe(202);
    await waitFor(async () => (await count('entities')) === 1, 10_000);
    await t.store.db.deleteFrom('kv').execute();
    const before = { entities: await count('entities'), events: await count('events'), kv: await count('kv') };

    // Given only as rawBody, the body is parsed as a real call's would be.
    const rawBody = JSON.stringify({ people: [
        { id: 'p1', firstName: 'Augusta', lastName: 'Lovelace', email: 'ada@x.test' },
        { id: 'p2', firstName: 'Bo', lastName: 'Bell', email: 'bo@x.test' },
        { id: 'p3', firstName: 'No surname', email: 'p3@x.test' },
      ] });
    const res = await test(id, { request: { query: { x: ['1', '2'] }, headers: { 'Content-Type': 'application/json' }, rawBody } });
    expect(res.statusCode, res.body).toBe(200);
    const execution = res.json();
    expect(execution).toMatchObject({ status: 'completed', trigger: 'test', dryRun: true, pages: 1 });
    expect(execution.counts).toEqual({ processed: 3, wouldCreate: 1, wouldUpdate: 1, wouldDelete: 0, wouldSkip: 0, invalid: 1 });
    expect(execution.preview).toEqual([
      { externalId: 'p1', outcome: 'would-update', changes: { firstName: { from: 'Ada', to: 'Augusta' } } },
      { externalId: 'p2', outcome: 'would-create' },
      { externalId: 'p3', outcome: 'invalid', error: expect.stringMatching(/lastName is required/) },
    ]);
    const answered = execution.logs.find((l: { message: string }) => l.message.startsWith('dry run: the hook would answer'));
    expect(answered.message).toBe('dry run: the hook would answer 202 (verification is not applied in a dry run)');
    expect(answered.data).toEqual({
      status: 202,
      headers: { 'x-hook': 'people' },
      body: { method: 'POST', path: 'people', query: { x: ['1', '2'] }, raw: rawBody, type: 'application/json', n: 3 },
    });
    expect({ entities: await count('entities'), events: await count('events'), kv: await count('kv') }).toEqual(before);
    const [employee] = (await t.call(tenant.keys.viewer, { method: 'GET', url: '/v1/entities/employee' })).json().items;
    expect(employee.firstName).toBe('Ada');
    expect((await t.call(tenant.keys.viewer, { method: 'GET', url: `/v1/executions/${execution.id}` })).json().preview).toHaveLength(3);
  });

  it('runs a hook that verifies its calls without a signature, with the sample request when given none', async () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const id = await hook('signed', 'async function run(ctx) { return { response: { body: { request: ctx.request } } }; }', { verify: { scheme: 'standard-webhooks', secret } });
    const res = await test(id);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'completed', trigger: 'test', dryRun: true });
    const answered = res.json().logs.find((l: { message: string }) => l.message.startsWith('dry run: the hook would answer 200'));
    expect(answered.data.body.request).toEqual({ method: 'POST', path: 'signed', headers: { 'content-type': 'application/json' }, query: {}, body: {}, rawBody: '{}' });
    expect(res.body).not.toContain(secret);
  });

  it('records a hook that throws as a failed execution with the error and its line', async () => {
    const id = await hook('throws', 'async function run(ctx) {\n  throw new Error("no people in " + ctx.request.path);\n}');
    const res = await test(id, { request: { body: { people: [] } } });
    expect(res.statusCode, res.body).toBe(200);
    const execution = res.json();
    expect(execution).toMatchObject({ status: 'failed', trigger: 'test', dryRun: true, error: { message: expect.stringContaining('no people in throws'), line: 2 } });
    expect(execution.logs.some((l: { message: string }) => l.message.startsWith('dry run: the hook would answer'))).toBe(false);
  });

  it('answers a bad request fixture 400 naming the member of body/request, and records nothing', async () => {
    const id = await hook('bad-fixtures', 'async function run() {}');
    const cases: Array<[unknown, string]> = [
      ['not an object', 'body/request'],
      [[1], 'body/request'],
      [{ headers: { 'x-n': 1 } }, 'body/request/headers'],
      [{ query: { a: [1] } }, 'body/request/query'],
      [{ method: 7 }, 'body/request/method'],
      [{ rawBody: { a: 1 } }, 'body/request/rawBody'],
      [{ headers: { 'content-type': 'application/json' }, rawBody: '{"a":' }, 'body/request/rawBody'],
      [{ cookies: {} }, 'body/request/cookies'],
    ];
    for (const [request, path] of cases) {
      const res = await test(id, { request });
      expect(res.statusCode, `${JSON.stringify(request)}: ${res.body}`).toBe(400);
      expect(res.json().error.details).toEqual([expect.objectContaining({ path })]);
    }
    expect((await t.call(tenant.keys.viewer, { method: 'GET', url: `/v1/hooks/${id}/executions` })).json().items).toEqual([]);
  });
});

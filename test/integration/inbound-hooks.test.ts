/**
 * Inbound hooks: webhooks from outside, routed by organisation and path, verified before
 * any code runs (signed here with the `standardwebhooks` package, an implementation
 * nobody here wrote), rate-limited, and recorded as executions.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { waitFor } from '../helpers/jobs.js';
import { describeEachEngine } from '../helpers/stores.js';

const ECHO = `async function run(ctx) {
  const r = ctx.request;
  const seen = (await ctx.kv.get('calls:' + r.path)) ?? 0;
  await ctx.kv.set('calls:' + r.path, seen + 1);
  return { response: { status: 201, headers: { 'x-hook': 'echo' }, body: { method: r.method, path: r.path, query: r.query, body: r.body ?? null, raw: r.rawBody, type: r.headers['content-type'] ?? null, calls: seen + 1 } } };
}`;

describeEachEngine('inbound hooks', (engine) => {
  let t: TestApp;
  let tenant: TestTenant;
  let integrationId: string;

  beforeAll(async () => {
    t = await createTestApp(engine, { env: { HOOKYARD_INBOUND_RATE_PER_HOOK: '20', HOOKYARD_INBOUND_RATE_PER_ORG: '30' } });
    tenant = await t.tenant('acme-inbound');
    integrationId = (await t.call(tenant.keys.editor, { method: 'POST', url: '/v1/integrations', payload: { name: 'Hooks', sourceSystemKey: 'senders' } })).json().id;
  });
  afterAll(async () => t?.dispose());

  async function hook(path: string, code: string, extra: Record<string, unknown> = {}, owner = { tenant, integrationId }): Promise<string> {
    const res = await t.call(owner.tenant.keys.editor, { method: 'POST', url: `/v1/integrations/${owner.integrationId}/hooks`, payload: { name: path, type: 'inbound', path, code, ...extra } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id;
  }
  const send = (path: string, options: { method?: 'GET' | 'POST' | 'PUT'; body?: string; headers?: Record<string, string>; org?: string } = {}) =>
    t.app.inject({ method: options.method ?? 'POST', url: `/inbound/${options.org ?? 'acme-inbound'}/${path}`, payload: options.body, headers: options.headers });
  type Execution = { status: string; trigger: string; pages: number; error?: { message: string } };
  async function executions(hookId: string, count: number): Promise<Execution[]> {
    let items: Execution[] = [];
    await waitFor(async () => {
      items = (await t.call(tenant.keys.viewer, { method: 'GET', url: `/v1/hooks/${hookId}/executions` })).json().items;
      return items.length >= count;
    }, 10_000);
    return items;
  }

  it('runs the hook of the path with the request as ctx.request and sends its response; every call is an execution', async () => {
    const id = await hook('orders/new', ECHO);
    const res = await send('orders/new?x=1&x=2&y=3', { body: '{"order":7}', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-hook']).toBe('echo');
    expect(res.json()).toEqual({ method: 'POST', path: 'orders/new', query: { x: ['1', '2'], y: '3' }, body: { order: 7 }, raw: '{"order":7}', type: 'application/json', calls: 1 });
    const form = await send('orders/new', { body: 'a=1&b=two', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.json()).toMatchObject({ body: { a: '1', b: 'two' }, raw: 'a=1&b=two' });
    expect(await executions(id, 2)).toEqual([expect.objectContaining({ status: 'completed', trigger: 'inbound' }), expect.objectContaining({ status: 'completed', trigger: 'inbound' })]);
  });

  it('answers 200 { ok: true } by default, and 404 alike for an unknown organisation, path, method or a disabled hook', async () => {
    await hook('plain', 'async function run() {}');
    const narrow = await hook('only-put', 'async function run() {}', { method: 'PUT' });
    const off = await hook('off', 'async function run() {}', { enabled: false });
    expect((await send('plain')).json()).toEqual({ ok: true });
    const answers = await Promise.all([send('nowhere'), send('plain', { org: 'no-such-org' }), send('only-put'), send('off')]);
    for (const answer of answers) {
      expect(answer.statusCode).toBe(404);
      expect(answer.json()).toEqual({ error: { code: 'HY_NOT_FOUND', message: 'no inbound route here' } });
    }
    expect((await send('only-put', { method: 'PUT' })).statusCode).toBe(200);
    expect(narrow && off).toBeTruthy();
  });

  it('refuses an enabled hook on a path and method another enabled hook answers (409), and lets a disabled draft share it until it is enabled', async () => {
    const first = await hook('shared', 'async function run() { return { response: { body: { who: "first" } } }; }', { method: 'POST' });
    const editor = tenant.keys.editor;
    const create = (extra: Record<string, unknown>) =>
      t.call(editor, { method: 'POST', url: `/v1/integrations/${integrationId}/hooks`, payload: { name: 'second', type: 'inbound', path: 'shared', code: 'async function run() { return { response: { body: { who: "second" } } }; }', ...extra } });
    for (const method of ['POST', 'ANY']) {
      const clash = await create({ method });
      expect(clash.statusCode, method).toBe(409);
      expect(clash.json().error.details[0]).toMatchObject({ path: 'body/path', message: expect.stringContaining(`the inbound hook ${first}`) });
    }
    // Another method is another route.
    expect((await create({ method: 'PUT' })).statusCode).toBe(201);
    const draft = await create({ method: 'POST', enabled: false });
    expect(draft.statusCode).toBe(201);
    const enable = await t.call(editor, { method: 'PATCH', url: `/v1/hooks/${draft.json().id}`, payload: { enabled: true } });
    expect(enable.statusCode).toBe(409);
    expect((await send('shared')).json()).toEqual({ who: 'first' });
    // Once the first is disabled, the draft takes the path over.
    expect((await t.call(editor, { method: 'PATCH', url: `/v1/hooks/${first}`, payload: { enabled: false } })).statusCode).toBe(200);
    expect((await t.call(editor, { method: 'PATCH', url: `/v1/hooks/${draft.json().id}`, payload: { enabled: true } })).statusCode).toBe(200);
    expect((await send('shared')).json()).toEqual({ who: 'second' });
  });

  it('refuses a body over 1 MB with 413 and a failing hook with 502, without saying why to the sender', async () => {
    await hook('big', 'async function run() {}');
    const big = await send('big', { body: 'x'.repeat(1024 * 1024 + 1), headers: { 'content-type': 'text/plain' } });
    expect(big.statusCode).toBe(413);
    const id = await hook('broken', 'async function run() { throw new Error("internal detail"); }');
    const broken = await send('broken');
    expect(broken.statusCode).toBe(502);
    expect(broken.body).not.toContain('internal detail');
    expect((await executions(id, 1))[0]).toMatchObject({ status: 'failed', error: { message: 'internal detail' } });
  });

  it('verifies Standard Webhooks signatures before any code runs, answers a replay without running again, and never shows the secret', async () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const id = await hook('signed', ECHO, { verify: { scheme: 'standard-webhooks', secret } });
    const shown = await t.call(tenant.keys.viewer, { method: 'GET', url: `/v1/hooks/${id}` });
    expect(shown.json().verify).toEqual({ scheme: 'standard-webhooks' });
    expect(shown.body).not.toContain(secret);
    const body = '{"event":"paid"}';
    const sign = (msgId: string, at = new Date()) => {
      const signature = new Webhook(secret).sign(msgId, at, body);
      return { 'content-type': 'application/json', 'webhook-id': msgId, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature };
    };
    const ok = await send('signed', { body, headers: sign('msg_1') });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().calls).toBe(1);
    const replay = await send('signed', { body, headers: sign('msg_1') });
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toEqual({ ok: true });
    expect((await send('signed', { body, headers: sign('msg_2') })).json().calls).toBe(2);

    const tampered = await send('signed', { body: '{"event":"refund"}', headers: sign('msg_3') });
    expect(tampered.statusCode).toBe(401);
    expect(tampered.json().error.code).toBe('HY_UNAUTHORIZED');
    const stale = await send('signed', { body, headers: sign('msg_4', new Date(Date.now() - 10 * 60_000)) });
    expect(stale.statusCode).toBe(401);
    const items = await executions(id, 5);
    expect(items.filter((e) => e.status === 'failed').map((e) => e.error?.message)).toEqual([
      expect.stringMatching(/^verification failed \(standard-webhooks\): the timestamp is more than 5 minutes away/),
      'verification failed (standard-webhooks): no signature in webhook-signature matches',
    ]);
    expect(items.filter((e) => e.status === 'skipped')).toHaveLength(1);
    // A call the hook never ran for has no page; one it ran for has its one page.
    expect(items.map((e) => [e.status, e.pages])).toEqual(items.map((e) => [e.status, e.status === 'completed' ? 1 : 0]));
    expect(JSON.stringify(items)).not.toContain(secret);
  });

  it('verifies GitHub-style and Stripe signatures', async () => {
    const verify = { scheme: 'hmac', secret: 'gh-secret', header: 'X-Hub-Signature-256', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' };
    const githubId = await hook('github', 'async function run() {}', { verify });
    const body = '{"action":"opened"}';
    const signed = (secret: string) => ({ 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` });
    expect((await send('github', { body, headers: signed('gh-secret') })).statusCode).toBe(200);
    expect((await send('github', { body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' } })).statusCode).toBe(401);
    // The hook is read through a cache: a new secret holds from the very next call.
    const rotated = await t.call(tenant.keys.editor, { method: 'PATCH', url: `/v1/hooks/${githubId}`, payload: { verify: { ...verify, secret: 'gh-secret-2' } } });
    expect(rotated.statusCode, rotated.body).toBe(200);
    expect((await send('github', { body, headers: signed('gh-secret') })).statusCode).toBe(401);
    expect((await send('github', { body, headers: signed('gh-secret-2') })).statusCode).toBe(200);
    await hook('stripe', 'async function run() {}', { verify: { scheme: 'stripe', secret: 'whsec_stripe_test' } });
    const ts = Math.floor(Date.now() / 1000);
    const v1 = createHmac('sha256', 'whsec_stripe_test').update(`${ts}.${body}`).digest('hex');
    expect((await send('stripe', { body, headers: { 'content-type': 'application/json', 'stripe-signature': `t=${ts},v1=${v1}` } })).statusCode).toBe(200);
    expect((await send('stripe', { body, headers: { 'content-type': 'application/json' } })).statusCode).toBe(401);
    const missing = await t.call(tenant.keys.editor, { method: 'POST', url: `/v1/integrations/${integrationId}/hooks`, payload: { name: 'x', type: 'inbound', path: 'nosecret', code: 'async function run() {}', verify: { scheme: 'stripe' } } });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('verify/secret');
  });

  it('saves the records it returns like a PULL page, with mapping, as changes from an inbound source', async () => {
    const id = await hook(
      'people',
      'async function run(ctx) { return { records: ctx.request.body.people.map((p) => ({ externalId: p.id, data: p })) }; }',
      { entityType: 'employee', mapping: { firstName: 'first', lastName: 'last', email: 'mail' } },
    );
    const body = JSON.stringify({ people: [{ id: 'p1', first: 'Ada', last: 'L', mail: 'ada@x.test' }, { id: 'p2', first: 'Bo' }] });
    expect((await send('people', { body, headers: { 'content-type': 'application/json' } })).json()).toEqual({ ok: true });
    const [execution] = await executions(id, 1);
    expect(execution).toMatchObject({ status: 'completed', pages: 1, counts: { processed: 2, created: 1, failed: 1 } });
    const employees = (await t.call(tenant.keys.viewer, { method: 'GET', url: '/v1/entities/employee' })).json().items;
    expect(employees).toEqual([expect.objectContaining({ firstName: 'Ada', lastName: 'L', email: 'ada@x.test' })]);
    const event = await t.store.db.selectFrom('events').select('source').where('entity_id', '=', employees[0].id).executeTakeFirstOrThrow();
    expect(JSON.parse(event.source as string)).toMatchObject({ kind: 'inbound', hookId: id, integrationId });
  });

  it('logs at most 200 lines about its records, as a PULL execution does, then only counts them', async () => {
    const id = await hook('many-bad', 'async function run() { return { records: Array.from({ length: 250 }, (_, i) => ({ externalId: "b" + i, data: {} })) }; }', { entityType: 'employee' });
    expect((await send('many-bad')).statusCode).toBe(200);
    const [execution] = (await executions(id, 1)) as unknown as Array<{ id: string }>;
    const full = (await t.call(tenant.keys.viewer, { method: 'GET', url: `/v1/executions/${execution.id}` })).json();
    expect(full.counts).toMatchObject({ processed: 250, failed: 250 });
    expect(full.logs).toHaveLength(201);
    expect(full.logs.at(-1).message).toBe('more record messages were dropped (the log keeps the first 200)');
  });

  it('answers a flood 429 with Retry-After, per hook and per organisation, and leaves other organisations alone', async () => {
    // A server of its own, with small limits: 2 calls a second per hook and 3 per organisation, bursts of twice that.
    const small = await createTestApp(engine, { env: { HOOKYARD_INBOUND_RATE_PER_HOOK: '2', HOOKYARD_INBOUND_RATE_PER_ORG: '3' } });
    try {
      const setUp = async (slug: string) => {
        const owner = await small.tenant(slug);
        const id = (await small.call(owner.keys.editor, { method: 'POST', url: '/v1/integrations', payload: { name: 'F', sourceSystemKey: 'f' } })).json().id;
        for (const path of ['flood', 'quiet']) {
          const res = await small.call(owner.keys.editor, { method: 'POST', url: `/v1/integrations/${id}/hooks`, payload: { name: path, type: 'inbound', path, code: 'async function run() {}' } });
          expect(res.statusCode).toBe(201);
        }
      };
      await setUp('flood-org');
      await setUp('calm-org');
      const call = (org: string, path: string) => small.app.inject({ method: 'POST', url: `/inbound/${org}/${path}` });
      const flood = await Promise.all(Array.from({ length: 12 }, () => call('flood-org', 'flood')));
      const limited = flood.filter((r) => r.statusCode === 429);
      expect(limited.length).toBeGreaterThan(0);
      expect(limited[0].headers['retry-after']).toMatch(/^\d+$/);
      expect(limited[0].json().error.code).toBe('HY_RATE_LIMITED');
      // The organisation's own bucket is spent too: its other route is held back as well.
      const quiet = await Promise.all(Array.from({ length: 8 }, () => call('flood-org', 'quiet')));
      expect(quiet.some((r) => r.statusCode === 429)).toBe(true);
      expect((await call('calm-org', 'flood')).statusCode).toBe(200);
    } finally {
      await small.dispose();
    }
  });
});

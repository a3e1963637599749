/**
 * Automations end to end through the app, with the real actions: entity triggers through
 * the outbox (conditions, cases, the loop guard), inbound triggers with verification and a
 * `respond` action, manual runs, `onError`, and a record created from an earlier action's
 * answer through a template.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { waitFor } from '../helpers/jobs.js';
import { describeEachEngine } from '../helpers/stores.js';

const HOST = 'directory.example.test';

interface Step {
  kind: 'condition' | 'action';
  path: string;
  result?: boolean;
  case?: number | 'else' | 'params' | null;
  status?: string;
  params?: Record<string, unknown>;
  error?: string;
  responseStatus?: number;
}
interface Run {
  id: string;
  status: string;
  trigger: string;
  steps?: Step[];
  logs: Array<{ level: string; message: string }>;
  error?: { message: string };
}

describeEachEngine('automation runs', (engine) => {
  let server: TestHttpsServer;
  let t: TestApp;
  let acme: TestTenant;

  beforeAll(async () => {
    server = await startHttpsServer(HOST, (req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url.startsWith('/people/')) {
        const n = req.url.split('/')[2];
        res.end(JSON.stringify({ firstName: `Found${n}`, lastName: 'Directory', email: `found${n}@acme.test` }));
      } else {
        res.statusCode = 500;
        res.end('{"error":"down"}');
      }
    });
    t = await createTestApp(engine, {
      egress: { allowPrivate: true, ca: server.ca, connectTo: [{ host: HOST, port: 443, address: '127.0.0.1', toPort: server.port }] },
      worker: true,
    });
    acme = await t.tenant('acme-runs');
  });
  afterAll(async () => {
    await t?.dispose();
    await server?.close();
  });

  const post = (url: string, payload: unknown, key = acme.keys.editor) => t.call(key, { method: 'POST', url, payload: payload as Record<string, unknown> });
  async function automation(body: Record<string, unknown>): Promise<string> {
    const res = await post('/v1/automations', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id;
  }
  const runsOf = async (id: string): Promise<Run[]> => (await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/automations/${id}/executions?limit=500` })).json().items;
  async function awaitRuns(id: string, count: number): Promise<Run[]> {
    let runs: Run[] = [];
    await waitFor(async () => (runs = await runsOf(id)).length >= count, 20_000);
    return runs;
  }
  /** Resolves once every event is dispatched and no automation run is waiting or running. */
  async function settled(): Promise<void> {
    await waitFor(async () => {
      const events = await t.store.db.selectFrom('events').select('id').where('dispatched_at', 'is', null).execute();
      const jobs = await t.store.db.selectFrom('jobs').select('id').where('kind', '=', 'automation.run').where('status', 'in', ['pending', 'running']).execute();
      return events.length === 0 && jobs.length === 0;
    }, 20_000);
  }
  const person = (n: string, extra: Record<string, unknown> = {}) => ({ firstName: `Ada${n}`, lastName: 'Lovelace', email: `ada${n}@acme.test`, ...extra });
  const log = (message: string) => ({ level: 'info', message });

  it('runs on entity changes through the outbox: conditions recorded, the first matching case or else chosen, other events skipped', async () => {
    const id = await automation({
      name: 'greet engineers',
      trigger: { type: 'entity', entityType: 'employee', events: ['create'] },
      conditions: { all: [{ field: 'after.email', op: 'endsWith', value: '@eng.acme.test' }] },
      actions: [
        {
          type: 'log',
          name: 'greeting',
          cases: [
            { when: { field: 'after.jobRole', op: 'eq', value: 'CTO' }, params: log('Welcome, chief {{after.firstName}}') },
            { else: true, params: log('Welcome, {{after.firstName}} {{after.lastName}}') },
          ],
        },
      ],
    });
    for (const body of [person('1', { email: 'cto@eng.acme.test', jobRole: 'CTO' }), person('2', { email: 'dev@eng.acme.test' }), person('3', { email: 'sales@acme.test' })]) {
      expect((await post('/v1/entities/employee', body)).statusCode).toBe(201);
    }
    // The three run concurrently (three entities), so their order in the list is not the order of the writes.
    const runs = await awaitRuns(id, 3);
    const chose = (c: Step['case']) => runs.find((r) => r.steps?.some((s) => s.kind === 'action' && s.case === c));
    const [cto, dev, sales] = [chose(0), chose('else'), runs.find((r) => r.status === 'skipped')];
    expect(runs.map((r) => r.trigger)).toEqual(['event', 'event', 'event']);
    expect(cto).toMatchObject({ status: 'completed' });
    expect(cto!.steps).toEqual([
      expect.objectContaining({ kind: 'condition', path: expect.stringMatching(/^conditions/), result: true }),
      ...cto!.steps!.filter((s) => s.kind === 'condition').slice(1),
      expect.objectContaining({ kind: 'action', path: 'actions/0', case: 0, status: 'completed', params: log('Welcome, chief Ada1') }),
    ]);
    expect(cto!.logs.map((l) => l.message)).toContain('Welcome, chief Ada1');
    expect(dev!.steps!.at(-1)).toMatchObject({ kind: 'action', case: 'else', status: 'completed', params: log('Welcome, Ada2 Lovelace') });
    expect(dev!.steps!.some((s) => s.kind === 'condition' && s.path.startsWith('actions/0/cases/0/when') && s.result === false)).toBe(true);
    expect(sales).toMatchObject({ status: 'skipped' });
    expect(sales!.steps!.every((s) => s.kind === 'condition')).toBe(true);
    expect(sales!.steps!.some((s) => s.result === false)).toBe(true);
  });

  it('never re-triggers an automation through its own writes', async () => {
    const id = await automation({
      name: 'stamp project',
      trigger: { type: 'entity', entityType: 'project', events: ['create', 'update'] },
      actions: [{ type: 'update_record', params: { entityType: 'project', id: '{{after.id}}', data: { description: 'stamped' } } }],
    });
    const project = (await post('/v1/entities/project', { name: 'Apollo' })).json();
    await awaitRuns(id, 1);
    await settled();
    const runs = await runsOf(id);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'completed' });
    const stamped = (await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/entities/project/${project.id}` })).json();
    expect(stamped.description).toBe('stamped');
    // Its own write made an event, which reached no automation.
    const events = await t.store.db.selectFrom('events').select(['source']).where('entity_id', '=', project.id).orderBy('seq').execute();
    expect(events.map((e) => JSON.parse(e.source))).toEqual([expect.objectContaining({ kind: 'api' }), { kind: 'automation', automationId: id, depth: 1 }]);
  });

  it('stops a chain of automations triggering each other at depth 5, with a warning in a skipped execution', async () => {
    const write = (value: string) => [{ type: 'update_record', params: { entityType: 'contractor', id: '{{after.id}}', data: { contractorType: value } } }];
    const a = await automation({ name: 'chain A', trigger: { type: 'entity', entityType: 'contractor', events: ['create', 'update'] }, actions: write('agency') });
    const b = await automation({ name: 'chain B', trigger: { type: 'entity', entityType: 'contractor', events: ['update'] }, actions: write('individual') });
    expect((await post('/v1/entities/contractor', { name: 'Loop Ltd' })).statusCode).toBe(201);
    await awaitRuns(b, 3);
    await settled();
    const runsA = await runsOf(a);
    const runsB = await runsOf(b);
    // A at depths 1, 3, 5; B at 2 and 4; B's run at depth 6 is not started.
    expect(runsA.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
    expect(runsB.map((r) => r.status)).toEqual(['skipped', 'completed', 'completed']);
    const stopped = runsB[0]!;
    expect(stopped.error?.message).toMatch(/5 times in a row \(at most 5\)/);
    expect(stopped.logs).toEqual([expect.objectContaining({ level: 'warn', message: stopped.error!.message })]);
    expect(stopped.steps ?? []).toEqual([]);
  });

  it('runs by hand with the payload as trigger.body, answering 202 with the execution id', async () => {
    const id = await automation({ name: 'by hand', trigger: { type: 'manual' }, actions: [{ type: 'log', params: log('hello {{trigger.body.name}}, {{trigger.body.missing}}!') }] });
    const res = await post(`/v1/automations/${id}/run`, { name: 'Grace' });
    expect(res.statusCode, res.body).toBe(202);
    const run = await t.finished(acme.keys.viewer, res.json().executionId);
    expect(run).toMatchObject({ automationId: id, hookId: null, trigger: 'manual', status: 'completed', dryRun: false });
    expect(run.logs.map((l: { message: string }) => l.message)).toContain('hello Grace, !');
    // A missing value renders empty, with a warning.
    expect(run.logs.some((l: { level: string; message: string }) => l.level === 'warn' && l.message.includes('trigger.body.missing'))).toBe(true);
    expect((await runsOf(id)).map((r) => r.id)).toEqual([run.id]);
  });

  it('runs a schedule slot with trigger.slot, and records a disabled automation as skipped', async () => {
    const id = await automation({ name: 'slot', trigger: { type: 'manual' }, actions: [{ type: 'log', params: log('slot {{trigger.slot}}') }] });
    const enqueue = (automationId: string) =>
      t.deps.queue.enqueue({ kind: 'automation.run', orgId: acme.org.id, payload: { automationId, triggerType: 'schedule', trigger: { slot: '2026-12-01T08:00:00.000Z' } } });
    await enqueue(id);
    const [ran] = await awaitRuns(id, 1);
    expect(ran).toMatchObject({ trigger: 'schedule', status: 'completed' });
    expect(ran!.logs.map((l) => l.message)).toContain('slot 2026-12-01T08:00:00.000Z');
    expect((await t.call(acme.keys.editor, { method: 'PATCH', url: `/v1/automations/${id}`, payload: { enabled: false } })).statusCode).toBe(200);
    await enqueue(id);
    const runs = await awaitRuns(id, 2);
    expect(runs[0]).toMatchObject({ trigger: 'schedule', status: 'skipped', error: { message: expect.stringMatching(/disabled/) } });
    expect((await post(`/v1/automations/${id}/run`, {})).statusCode).toBe(400);
  });

  it('goes on past a failed action with onError continue and stops the run at one without', async () => {
    const failing = { type: 'http_request', params: { method: 'GET', url: `https://${HOST}/broken` } };
    const id = await automation({
      name: 'errors',
      trigger: { type: 'manual' },
      actions: [
        { ...failing, onError: 'continue' },
        { type: 'log', params: log('after the first') },
        failing,
        { type: 'log', params: log('never') },
      ],
    });
    const run = await t.finished(acme.keys.viewer, (await post(`/v1/automations/${id}/run`, {})).json().executionId);
    expect(run.status).toBe('failed');
    expect(run.error.message).toMatch(/^actions\/2 \(http_request\) failed: /);
    expect(run.steps.map((s: Step) => [s.path, s.status])).toEqual([
      ['actions/0', 'failed'],
      ['actions/1', 'completed'],
      ['actions/2', 'failed'],
    ]);
    expect(run.steps[0].error).toMatch(/500/);
    expect(run.logs.map((l: { message: string }) => l.message)).not.toContain('never');
    expect(run.http).toEqual([expect.objectContaining({ status: 500 }), expect.objectContaining({ status: 500 })]);
  });

  it("creates a record from an earlier action's answer through a template", async () => {
    const id = await automation({
      name: 'import a person',
      trigger: { type: 'manual' },
      actions: [
        { type: 'http_request', name: 'lookup', params: { method: 'GET', url: `https://${HOST}/people/{{trigger.body.n}}` } },
        { type: 'create_record', name: 'created', params: { entityType: 'employee', data: '{{actions.lookup.response.body}}' } },
        { type: 'log', params: log('created {{actions.created.record.id}}') },
      ],
    });
    const run = await t.finished(acme.keys.viewer, (await post(`/v1/automations/${id}/run`, { n: 42 })).json().executionId);
    expect(run.status, JSON.stringify(run)).toBe('completed');
    expect(run.steps[1]).toMatchObject({ status: 'completed', params: { entityType: 'employee', data: { firstName: 'Found42', lastName: 'Directory', email: 'found42@acme.test' } } });
    const listed = (await t.call(acme.keys.viewer, { method: 'GET', url: '/v1/entities/employee?email=found42@acme.test' })).json().items;
    expect(listed).toHaveLength(1);
    expect(run.logs.map((l: { message: string }) => l.message)).toContain(`created ${listed[0].id}`);
  });

  it('answers inbound calls: verified before running, the respond action sets the reply, failures answer 401 or 502', async () => {
    const secret = 'inbound-automation-secret';
    const id = await automation({
      name: 'paid orders',
      trigger: { type: 'inbound', method: 'POST', path: 'orders/paid', verify: { scheme: 'hmac', secret, header: 'x-signature', algorithm: 'sha256', encoding: 'hex' } },
      actions: [
        { type: 'log', params: log('order {{trigger.body.order}} via {{trigger.method}} {{trigger.path}}, signed {{trigger.headers.x-signature}}') },
        { type: 'respond', params: { status: 201, headers: { 'x-handled-by': 'automation' }, body: { received: '{{trigger.body.order}}', query: '{{trigger.query.src}}' } } },
      ],
    });
    const body = '{"order":7}';
    const sign = (text: string) => createHmac('sha256', secret).update(text).digest('hex');
    const send = (text: string, headers: Record<string, string>, path = 'orders/paid?src=shop') =>
      t.app.inject({ method: 'POST', url: `/inbound/acme-runs/${path}`, payload: text, headers: { 'content-type': 'application/json', ...headers } });

    const ok = await send(body, { 'x-signature': sign(body) });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.headers['x-handled-by']).toBe('automation');
    expect(ok.json()).toEqual({ received: 7, query: 'shop' });
    const forged = await send('{"order":8}', { 'x-signature': sign(body) });
    expect(forged.statusCode).toBe(401);
    expect((await send(body, {}, 'orders/elsewhere')).statusCode).toBe(404);

    const runs = await awaitRuns(id, 2);
    expect(runs.map((r) => [r.trigger, r.status])).toEqual([
      ['inbound', 'failed'],
      ['inbound', 'completed'],
    ]);
    expect(runs[0]!.error?.message).toMatch(/^verification failed \(hmac\): /);
    expect(runs[0]!.steps ?? []).toEqual([]);
    expect(runs[1]!.logs.map((l) => l.message)).toContain(`order 7 via POST orders/paid, signed ${sign(body)}`);
    expect(JSON.stringify(runs)).not.toContain(secret);

    // Without a respond action the reply is { ok: true }; a failing run answers 502 and says nothing of why.
    const plain = await automation({ name: 'plain', trigger: { type: 'inbound', path: 'plain/text' }, actions: [{ type: 'log', params: log('got {{trigger.body}}') }] });
    const text = await t.app.inject({ method: 'PUT', url: '/inbound/acme-runs/plain/text', payload: 'just text', headers: { 'content-type': 'text/plain' } });
    expect([text.statusCode, text.json()]).toEqual([200, { ok: true }]);
    expect((await awaitRuns(plain, 1))[0]!.logs.map((l) => l.message)).toContain('got just text');
    // Disabled, its path answers 404 like any unknown route.
    expect((await t.call(acme.keys.editor, { method: 'PATCH', url: `/v1/automations/${plain}`, payload: { enabled: false } })).statusCode).toBe(200);
    const off = await t.app.inject({ method: 'PUT', url: '/inbound/acme-runs/plain/text', payload: 'just text', headers: { 'content-type': 'text/plain' } });
    expect([off.statusCode, off.json()]).toEqual([404, { error: { code: 'HY_NOT_FOUND', message: 'no inbound route here' } }]);
    await automation({ name: 'broken', trigger: { type: 'inbound', path: 'broken' }, actions: [{ type: 'http_request', params: { method: 'GET', url: `https://${HOST}/broken` } }] });
    const broken = await t.app.inject({ method: 'POST', url: '/inbound/acme-runs/broken', payload: '{}', headers: { 'content-type': 'application/json' } });
    expect(broken.statusCode).toBe(502);
    expect(broken.body).not.toContain('500');
  });

  it('answers a replayed Standard Webhooks message without running again', async () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const id = await automation({
      name: 'replays',
      trigger: { type: 'inbound', path: 'signed/replay', verify: { scheme: 'standard-webhooks', secret } },
      actions: [{ type: 'respond', params: { status: 202, body: { seen: '{{trigger.body.n}}' } } }],
    });
    const body = '{"n":1}';
    const at = new Date();
    const headers = { 'content-type': 'application/json', 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign('msg_1', at, body) };
    const send = () => t.app.inject({ method: 'POST', url: '/inbound/acme-runs/signed/replay', payload: body, headers });
    expect([(await send()).statusCode, (await send()).json()]).toEqual([202, { ok: true }]);
    const runs = await awaitRuns(id, 2);
    expect(runs.map((r) => r.status).sort()).toEqual(['completed', 'skipped']);
    expect(runs.find((r) => r.status === 'skipped')!.error?.message).toMatch(/msg_1 was received already/);
  });

  it('dry-runs over a fixture: conditions evaluated and params rendered, nothing performed', async () => {
    const id = await automation({
      name: 'dry',
      trigger: { type: 'entity', entityType: 'employee', events: ['update'] },
      conditions: { field: 'after.lastName', op: 'changed' },
      actions: [{ type: 'create_record', params: { entityType: 'project', data: { name: 'Onboard {{after.firstName}}' } } }],
    });
    const res = await post(`/v1/automations/${id}/test`, { before: { firstName: 'Ada', lastName: 'Byron' }, after: { firstName: 'Ada', lastName: 'Lovelace' } });
    expect(res.statusCode, res.body).toBe(200);
    const run = res.json();
    expect(run).toMatchObject({ automationId: id, trigger: 'test', dryRun: true, status: 'completed' });
    expect(run.steps).toEqual([
      expect.objectContaining({ kind: 'condition', result: true }),
      expect.objectContaining({ kind: 'action', case: 'params', status: 'skipped', params: { entityType: 'project', data: { name: 'Onboard Ada' } } }),
    ]);
    const projects = (await t.call(acme.keys.viewer, { method: 'GET', url: '/v1/entities/project?name=Onboard Ada' })).json().items;
    expect(projects).toEqual([]);
    const unchanged = (await post(`/v1/automations/${id}/test`, { before: { lastName: 'Lovelace' }, after: { lastName: 'Lovelace' } })).json();
    expect(unchanged.status).toBe('skipped');
  });
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { cleanUp } from '../../src/engine/maintenance.js';
import { databaseKv } from '../../src/engine/kv-store.js';
import { PULL_SCHEDULED, pullScheduler } from '../../src/engine/pull/pull-jobs.js';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { HOOKS, HR_HOST, makePeople, startHrApi, type HrApi } from '../helpers/hr-api.js';
import { waitFor } from '../helpers/jobs.js';
import { describeEachEngine } from '../helpers/stores.js';

const SECRET = 'sup3r-s3cret-token-value';

describeEachEngine('PULL runs, dry runs, limits, schedules and KV', (engine) => {
  let hr: HrApi;
  let t: TestApp;
  let acme: TestTenant;

  beforeAll(async () => {
    hr = await startHrApi(makePeople(3, 'R'));
    t = await createTestApp(engine, { egress: hr.egress, worker: true });
    acme = await t.tenant('acme');
  });
  afterAll(async () => {
    await t?.dispose();
    await hr?.close();
  });

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) =>
    t.call(acme.keys.admin, { method, url, ...(payload !== undefined && { payload: payload as object }) });

  async function pullHook(sourceSystemKey: string, code: string, extra: Record<string, unknown> = {}) {
    const integration = (await call('POST', '/v1/integrations', { name: sourceSystemKey, sourceSystemKey })).json();
    const hook = await call('POST', `/v1/integrations/${integration.id}/hooks`, { name: 'people', type: 'pull', entityType: 'employee', code, ...extra });
    expect(hook.statusCode, hook.body).toBe(201);
    return { hookId: hook.json().id as string, integrationId: integration.id as string };
  }

  const finished = (executionId: string) => t.finished(acme.keys.editor, executionId);

  const sync = async (hookId: string) => finished((await call('POST', `/v1/hooks/${hookId}/run`)).json().executionId);

  it('dry-runs with real HTTP, previews every record and writes nothing', async () => {
    hr.people = makePeople(3, 'R');
    const code = `async function run(ctx) {
  await ctx.kv.set('seen', true);
  const res = await ctx.http.get('https://${HR_HOST}/page', { query: { page: '1', size: '10' } });
  const records = res.body.people.map((p) => ({ externalId: p.uid, data: { firstName: p.given, lastName: p.family, email: p.mail } }));
  records.push({ externalId: 'BAD', data: { firstName: 'x' } });
  return { records };
}`;
    const { hookId } = await pullHook('dry', code);
    await sync(hookId);
    hr.people = [...makePeople(3, 'R').map((p) => (p.uid === 'R-2' ? { ...p, mail: 'new@hr.example.test' } : p)), ...makePeople(4, 'R').slice(3)];
    await t.store.db.deleteFrom('kv').execute();
    const counts = async () => ({
      entities: Number((await t.store.db.selectFrom('entities').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
      events: Number((await t.store.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
      kv: Number((await t.store.db.selectFrom('kv').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n),
    });
    const before = await counts();

    // No body is the same as {}.
    const res = await t.call(acme.keys.editor, { method: 'POST', url: `/v1/hooks/${hookId}/test` });
    expect(res.statusCode, res.body).toBe(200);
    const execution = res.json();
    // A dry run's counts say what would have happened: nothing was created or updated.
    expect(execution).toMatchObject({ status: 'completed', dryRun: true, trigger: 'test' });
    expect(execution.counts).toEqual({ processed: 5, wouldCreate: 1, wouldUpdate: 1, wouldDelete: 0, wouldSkip: 2, invalid: 1 });
    expect(execution.http).toHaveLength(1);
    expect(execution.preview).toEqual([
      { externalId: 'R-1', outcome: 'would-skip' },
      { externalId: 'R-2', outcome: 'would-update', changes: { email: { from: 'person2@hr.example.test', to: 'new@hr.example.test' } } },
      { externalId: 'R-3', outcome: 'would-skip' },
      { externalId: 'R-4', outcome: 'would-create' },
      { externalId: 'BAD', outcome: 'invalid', error: expect.stringMatching(/lastName is required/) },
    ]);
    expect(await counts()).toEqual(before);
    expect((await call('GET', `/v1/executions/${execution.id}`)).json().preview).toHaveLength(5);
  });

  it('records runs over 5 in a clock hour as skipped (rate limit); dry runs do not count', async () => {
    hr.people = makePeople(2, 'RL');
    const { hookId } = await pullHook('rate', HOOKS.page());
    for (let i = 0; i < 5; i++) expect((await sync(hookId)).status).toBe('completed');
    const sixth = await call('POST', `/v1/hooks/${hookId}/run`);
    expect(sixth.statusCode).toBe(202);
    const skipped = await finished(sixth.json().executionId);
    expect(skipped).toMatchObject({ status: 'skipped', trigger: 'manual', error: { message: expect.stringMatching(/^rate limit: /) } });
    expect((await call('POST', `/v1/hooks/${hookId}/test`, {})).json().status).toBe('completed');
    expect((await call('GET', `/v1/hooks/${hookId}/executions?status=skipped`)).json().items).toHaveLength(1);
  });

  it('never shows a secret in an execution (logs, HTTP log, errors carry [secret:NAME]) and saves records as the hook gave them', async () => {
    const code = `async function run(ctx) {
  console.log('token is ' + ctx.secrets.token);
  await ctx.http.get('https://${HR_HOST}/page', { query: { page: '1', key: ctx.secrets.token }, headers: { authorization: 'Bearer ' + ctx.secrets.token } });
  if (ctx.meta) throw new Error('bad token ' + ctx.secrets.token);
  return { records: [{ externalId: 'S-1', data: { firstName: 'Sec', lastName: ctx.secrets.token, email: 's@x.test' } }, { externalId: ctx.secrets.token, data: { firstName: 'Bad' } }], more: true, meta: { again: true } };
}`;
    const { hookId, integrationId } = await pullHook('secrets', code);
    expect((await call('PUT', `/v1/integrations/${integrationId}/secrets/token`, { value: SECRET })).statusCode).toBeLessThan(300);
    const execution = await sync(hookId);
    expect(execution.status).toBe('failed');
    const text = JSON.stringify(execution);
    expect(text).not.toContain(SECRET);
    expect(execution.logs[0].message).toBe('token is [secret:token]');
    expect(execution.http[0].url).toContain('[secret:token]');
    expect(execution.error.message).toBe('bad token [secret:token]');
    // Hookyard's own lines about records quote them, and are redacted as well.
    expect(execution.logs.map((l: { message: string }) => l.message)).toContainEqual(expect.stringMatching(/^record \[secret:token\] failed: /));
    const request = hr.server.requests.find((r) => r.url.includes('key='));
    expect(request?.headers.authorization).toBe(`Bearer ${SECRET}`);
    const dry = await call('POST', `/v1/hooks/${hookId}/test`, {});
    expect(dry.body).not.toContain(SECRET);
    const listed = await call('GET', `/v1/hooks/${hookId}/executions`);
    expect(listed.body).not.toContain(SECRET);
    // Redaction is for what people read; it never changes what a hook writes.
    const employees = await call('GET', '/v1/entities/employee?limit=200');
    expect(employees.body).toContain(`"lastName":"${SECRET}"`);
  });

  it('runs the flow steps and the declarative mapping in order', async () => {
    const code = `async function run() {
  return { records: [{ externalId: 'F-1', data: { first_name: 'flow', last: 'Steps', email: 'f@x.test' } }, { externalId: 'F-2', data: { first_name: 'drop' } }] };
}
async function preSavePage(ctx, { records, page }) { ctx.log.info('preSavePage ' + page); return { records: records.filter((r) => r.data.first_name !== 'drop') }; }
async function preMap(ctx, { records }) { return { records: records.map((r) => ({ ...r, data: { ...r.data, last: r.data.last.toUpperCase() } })) }; }
async function postMap(ctx, { records }) { ctx.log.info('postMap ' + Object.keys(records[0].data).sort().join(',')); return { records }; }
async function postSubmit(ctx, { results }) { ctx.log.info('postSubmit ' + results.map((r) => r.externalId + ':' + r.outcome).join(',')); }
async function postAggregate(ctx, { summary }) { ctx.log.info('postAggregate ' + summary.status + ' ' + summary.counts.created); }`;
    const { hookId } = await pullHook('flow', code, { mapping: { firstName: 'first_name', lastName: 'last' } });
    const execution = await sync(hookId);
    expect(execution).toMatchObject({ status: 'completed', counts: { processed: 1, created: 1 } });
    expect(execution.logs.map((l: { message: string }) => l.message)).toEqual([
      'preSavePage 1',
      'postMap email,firstName,lastName',
      'postSubmit F-1:created',
      'postAggregate completed 1',
    ]);
    const [employee] = (await call('GET', '/v1/entities/employee?limit=200')).json().items.filter((e: { email: string }) => e.email === 'f@x.test');
    expect(employee).toMatchObject({ firstName: 'flow', lastName: 'STEPS' });
  });

  it('stops a sync when preSavePage returns { abort: true }, with or without records, and saves nothing of that page', async () => {
    const code = `async function run(ctx) { return { records: [{ externalId: 'AB-' + (ctx.meta?.page ?? 1), data: { firstName: 'a', lastName: 'b', email: 'ab@x.test' } }], more: true, meta: { page: 2 } }; }
async function preSavePage(ctx, { page }) { return page === 2 ? { abort: true } : undefined; }`;
    const { hookId } = await pullHook('abort', code);
    const execution = await sync(hookId);
    expect(execution).toMatchObject({ status: 'completed', pages: 2, counts: { processed: 1, created: 1 } });
    expect(execution.logs.map((l: { message: string }) => l.message)).toContain('preSavePage aborted the sync at page 2; this page was not saved');
  });

  it('enqueues a scheduled hook slot once, in the organisation time zone with a half-hour offset, and runs it', async () => {
    await t.store.db.updateTable('organisations').set({ time_zone: 'Asia/Kolkata' }).where('id', '=', acme.org.id).execute();
    hr.people = makePeople(2, 'SCH');
    const { hookId } = await pullHook('scheduled', HOOKS.page(), { schedule: { interval: '1h' } });
    // As if saved two hours ago, so the latest slot is due.
    await t.store.db.updateTable('hooks').set({ updated_at: Date.now() - 2 * 3600_000 }).where('id', '=', hookId).execute();
    const stop = pullScheduler({ intervalMs: 50 })(t.deps);
    try {
      let execution: any;
      await waitFor(async () => {
        [execution] = (await call('GET', `/v1/hooks/${hookId}/executions`)).json().items;
        return execution?.status === 'completed';
      }, 30_000);
      expect(execution).toMatchObject({ trigger: 'schedule', counts: { created: 2 } });
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await stop();
    }
    expect((await call('GET', `/v1/hooks/${hookId}/executions`)).json().items).toHaveLength(1);
    const jobs = await t.store.db.selectFrom('jobs').select(['payload', 'unique_key']).where('kind', '=', PULL_SCHEDULED).execute();
    const mine = jobs.filter((j) => JSON.parse(j.payload).id === hookId);
    expect(mine).toHaveLength(1);
    // Kolkata is UTC+05:30: its hourly slots fall at half past the UTC hour.
    expect(new Date(JSON.parse(mine[0]!.payload).slot).getUTCMinutes()).toBe(30);
    await t.store.db.updateTable('organisations').set({ time_zone: 'UTC' }).where('id', '=', acme.org.id).execute();
  });

  it('keeps KV per integration with expiry and renewal; the clean-up removes expired keys, old executions and old jobs', async () => {
    const { integrationId } = await pullHook('kv', HOOKS.page());
    const { integrationId: other } = await pullHook('kv-other', HOOKS.page());
    let now = Date.now();
    const kv = databaseKv(t.store.db, { orgId: acme.org.id, integrationId }, () => now);
    const otherKv = databaseKv(t.store.db, { orgId: acme.org.id, integrationId: other }, () => now);
    await kv.set('cursor:a', { at: 1 }, { ttlSeconds: 60 });
    await kv.set('cursor:b', 'x', { ttlSeconds: 10 });
    await kv.set('100%_done', true, { ttlSeconds: 60 });
    expect(await kv.get('cursor:a')).toEqual({ at: 1 });
    expect(await otherKv.get('cursor:a')).toBeUndefined();
    expect(await kv.list('cursor:')).toEqual(['cursor:a', 'cursor:b']);
    expect(await kv.list('100%')).toEqual(['100%_done']);
    now += 30_000;
    expect(await kv.get('cursor:b')).toBeUndefined();
    expect(await kv.list('')).toEqual(['100%_done', 'cursor:a']);
    await kv.set('cursor:a', { at: 2 }, { ttlSeconds: 60 });
    now += 45_000;
    expect(await kv.get('cursor:a')).toEqual({ at: 2 });
    expect(await kv.get('100%_done')).toBeUndefined();
    await kv.delete('cursor:a');
    expect(await kv.get('cursor:a')).toBeUndefined();

    const removed = await cleanUp(t.deps, {}, now + 31 * 24 * 3600_000);
    expect(removed.kv).toBeGreaterThanOrEqual(2);
    expect(removed.executions).toBeGreaterThan(0);
    expect(removed.jobs).toBeGreaterThan(0);
    const left = await t.store.db.selectFrom('executions').select('id').where('org_id', '=', acme.org.id).execute();
    expect(left).toEqual([]);
  });
});

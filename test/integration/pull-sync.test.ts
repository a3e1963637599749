import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { HOOKS, HR_HOST, makePeople, startHrApi, type HrApi } from '../helpers/hr-api.js';
import { describeEachEngine } from '../helpers/stores.js';

describeEachEngine('PULL syncs', (engine) => {
  let hr: HrApi;
  let t: TestApp;
  let acme: TestTenant;

  beforeAll(async () => {
    hr = await startHrApi();
    t = await createTestApp(engine, { egress: hr.egress, worker: true });
    acme = await t.tenant('acme');
  });
  afterAll(async () => {
    await t?.dispose();
    await hr?.close();
  });

  const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown) =>
    t.call(acme.keys.editor, { method, url, ...(payload !== undefined && { payload: payload as object }) });

  /** An integration of its own source system with one pull hook. */
  async function pullHook(sourceSystemKey: string, code: string, extra: Record<string, unknown> = {}): Promise<string> {
    const integration = (await call('POST', '/v1/integrations', { name: sourceSystemKey, sourceSystemKey })).json();
    const hook = await call('POST', `/v1/integrations/${integration.id}/hooks`, { name: 'people', type: 'pull', entityType: 'employee', code, ...extra });
    expect(hook.statusCode, hook.body).toBe(201);
    return hook.json().id;
  }

  /** Runs the hook by hand and waits for its execution to finish. */
  async function sync(hookId: string) {
    const started = await call('POST', `/v1/hooks/${hookId}/run`);
    expect(started.statusCode, started.body).toBe(202);
    return t.finished(acme.keys.editor, started.json().executionId);
  }

  const countRows = async (table: 'entities' | 'events' | 'external_links') =>
    Number((await t.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', acme.org.id).executeTakeFirstOrThrow()).n);

  it('creates every record on a first sync, skips them all on an identical second sync and updates only a changed one', async () => {
    hr.people = makePeople(25);
    const hookId = await pullHook('hr-page', HOOKS.page());

    const first = await sync(hookId);
    expect(first).toMatchObject({ status: 'completed', trigger: 'manual', pages: 3, counts: { processed: 25, created: 25, updated: 0, skipped: 0, failed: 0 } });
    expect(first.http).toHaveLength(3);
    const employees = (await call('GET', '/v1/entities/employee?limit=100')).json().items;
    expect(employees).toHaveLength(25);
    expect(employees.find((e: { email: string }) => e.email === 'person1@hr.example.test')).toMatchObject({ firstName: 'Given1', lastName: 'Family1', email: 'person1@hr.example.test', version: 1 });
    const events = await t.store.db.selectFrom('events').selectAll().where('org_id', '=', acme.org.id).execute();
    expect(events).toHaveLength(25);
    expect(events.every((e) => e.change_type === 'create')).toBe(true);
    expect(JSON.parse(events[0]!.source)).toEqual({ kind: 'pull', integrationId: expect.any(String), hookId });
    const { links, ...entity } = employees.find((e: { id: string }) => e.id === events[0]!.entity_id);
    // The API shows where the entity came from; the event carries its fields.
    expect(links).toEqual([{ sourceSystemKey: expect.any(String), externalId: expect.any(String), integrationId: expect.any(String) }]);
    expect(JSON.parse(events[0]!.after!)).toEqual(entity);

    const before = { entities: await countRows('entities'), events: await countRows('events') };
    const second = await sync(hookId);
    expect(second).toMatchObject({ status: 'completed', counts: { processed: 25, created: 0, updated: 0, skipped: 25, failed: 0 } });
    expect({ entities: await countRows('entities'), events: await countRows('events') }).toEqual(before);
    const again = (await call('GET', '/v1/entities/employee?limit=100')).json().items;
    expect(again.map((e: { version: number }) => e.version)).toEqual(employees.map(() => 1));

    hr.people = hr.people.map((p) => (p.uid === 'P-7' ? { ...p, mail: 'seven@hr.example.test' } : p));
    const third = await sync(hookId);
    expect(third).toMatchObject({ status: 'completed', counts: { processed: 25, created: 0, updated: 1, skipped: 24, failed: 0 } });
    const updates = await t.store.db.selectFrom('events').selectAll().where('org_id', '=', acme.org.id).where('change_type', '=', 'update').execute();
    expect(updates).toHaveLength(1);
    expect(JSON.parse(updates[0]!.after!)).toMatchObject({ email: 'seven@hr.example.test', firstName: 'Given7', version: 2 });
  });

  it('follows cursor and offset pagination to the last page', async () => {
    hr.people = makePeople(25, 'C');
    const cursor = await sync(await pullHook('hr-cursor', HOOKS.cursor()));
    expect(cursor).toMatchObject({ status: 'completed', pages: 4, counts: { created: 25 } });
    const offset = await sync(await pullHook('hr-offset', HOOKS.offset()));
    expect(offset).toMatchObject({ status: 'completed', pages: 4, counts: { created: 25 } });
  });

  it('keeps earlier pages when a later page fails with an HTTP 500, a throw or a time-out, and names the page', async () => {
    hr.people = makePeople(25, 'F');
    const http500 = await sync(await pullHook('hr-500', HOOKS.page('failOn=2')));
    expect(http500).toMatchObject({ status: 'failed', pages: 2, counts: { created: 10 }, error: { message: 'HR API answered 500', page: 2, line: 4 } });
    expect(http500.error.column).toBeGreaterThan(0);

    const thrower = `async function run(ctx) {
  const page = ctx.meta?.page ?? 1;
  if (page === 3) throw new Error('page three is cursed');
  return { records: [{ externalId: 'T-' + page, data: { firstName: 'T', lastName: String(page), email: 't' + page + '@x.test' } }], more: true, meta: { page: page + 1 } };
}`;
    const thrown = await sync(await pullHook('hr-throw', thrower));
    expect(thrown).toMatchObject({ status: 'failed', pages: 3, counts: { created: 2 }, error: { message: 'page three is cursed', page: 3, line: 3 } });

    const timeout = await sync(await pullHook('hr-hang', HOOKS.page('hangOn=2')));
    expect(timeout).toMatchObject({ status: 'failed', pages: 2, counts: { created: 10 }, error: { page: 2 } });
    expect(timeout.http[1]).toMatchObject({ status: 0, error: expect.stringMatching(/time/i) });
    const links = await t.store.db.selectFrom('external_links').select('external_id').where('source_system_key', 'in', ['hr-500', 'hr-hang']).execute();
    expect(links).toHaveLength(20);
  });

  it('fails bad records one by one, ignores unknown fields with a warning and lets the last duplicate win', async () => {
    const code = `async function run() {
  return { records: [
    { externalId: 1, data: { firstName: 'Num', lastName: 'Ber', email: 'num@x.test', shoeSize: 44, customAttributes: { nope: 1 } } },
    { externalId: 'B-1', data: { firstName: 'Bad', lastName: 'Mail', email: 'not-an-email' } },
    { externalId: 'B-2', data: { firstName: 'No', email: 'b2@x.test' } },
    { data: { firstName: 'No id' } },
    { externalId: 'D-1', data: { firstName: 'Old', lastName: 'Dup', email: 'd@x.test' } },
    { externalId: 'D-1', data: { firstName: 'New', lastName: 'Dup', email: 'd@x.test' } },
  ] };
}`;
    const hookId = await pullHook('hr-bad', code);
    const execution = await sync(hookId);
    expect(execution).toMatchObject({ status: 'completed', counts: { processed: 6, created: 2, failed: 3, skipped: 1 } });
    const messages = execution.logs.map((l: { message: string }) => l.message).join('\n');
    expect(messages).toMatch(/record B-1 failed: email/);
    expect(messages).toMatch(/record B-2 failed: lastName is required/);
    expect(messages).toMatch(/record \(none\) failed: externalId/);
    expect(messages).toMatch(/record 1: ignored: shoeSize/);
    expect(messages).toMatch(/record 1: ignored: customAttributes\/nope|record 1: ignored: .*nope/);
    expect(messages).toMatch(/record D-1: duplicate externalId/);
    const link = await t.store.db.selectFrom('external_links').select('entity_id').where('source_system_key', '=', 'hr-bad').where('external_id', '=', 'D-1').executeTakeFirstOrThrow();
    expect((await call('GET', `/v1/entities/employee/${link.entity_id}`)).json()).toMatchObject({ firstName: 'New' });
  });

  it('merges updates: fields present are set, null clears, absent fields stay; deletedAt deletes with a delete event', async () => {
    const code = `async function run(ctx) {
  const round = (await ctx.kv.get('round')) ?? 1;
  await ctx.kv.set('round', round + 1);
  const data = round === 1
    ? { firstName: 'Mer', lastName: 'Ge', email: 'm@x.test', startDate: '2024-01-01', internalEmployeeId: 'I-1' }
    : round === 2 ? { firstName: 'Merged', startDate: null } : { deletedAt: '2025-01-01' };
  return { records: [{ externalId: 'M-1', data }] };
}`;
    const hookId = await pullHook('hr-merge', code);
    expect((await sync(hookId)).counts).toMatchObject({ created: 1 });
    const link = await t.store.db.selectFrom('external_links').select('entity_id').where('source_system_key', '=', 'hr-merge').executeTakeFirstOrThrow();
    expect((await sync(hookId)).counts).toMatchObject({ updated: 1 });
    const merged = (await call('GET', `/v1/entities/employee/${link.entity_id}`)).json();
    expect(merged).toMatchObject({ firstName: 'Merged', lastName: 'Ge', email: 'm@x.test', internalEmployeeId: 'I-1', version: 2 });
    expect(merged).not.toHaveProperty('startDate');
    expect((await sync(hookId)).counts).toMatchObject({ updated: 1 });
    expect((await call('GET', `/v1/entities/employee/${link.entity_id}`)).statusCode).toBe(404);
    const deleted = await t.store.db.selectFrom('events').select(['change_type', 'source']).where('entity_id', '=', link.entity_id).orderBy('seq').execute();
    expect(deleted.map((e) => e.change_type)).toEqual(['create', 'update', 'delete']);
  });

  it('creates again, at the next sync, an entity deleted through the API: its link went with it', async () => {
    const hookId = await pullHook('hr-redo', `async function run() { return { records: [{ externalId: 'R-1', data: { firstName: 'Re', lastName: 'Do', email: 'redo@x.test' } }] }; }`);
    expect((await sync(hookId)).counts).toMatchObject({ created: 1 });
    const linked = () => t.store.db.selectFrom('external_links').select('entity_id').where('org_id', '=', acme.org.id).where('source_system_key', '=', 'hr-redo').execute();
    const [first] = await linked();
    const deleted = await t.call(acme.keys.editor, { method: 'DELETE', url: `/v1/entities/employee/${first!.entity_id}` });
    expect(deleted.statusCode, deleted.body).toBe(204);
    expect(await linked()).toEqual([]);

    expect((await sync(hookId)).counts).toMatchObject({ created: 1, skipped: 0, failed: 0 });
    const [again] = await linked();
    expect(again!.entity_id).not.toBe(first!.entity_id);
    expect((await call('GET', `/v1/entities/employee/${again!.entity_id}`)).json()).toMatchObject({ firstName: 'Re', links: [{ sourceSystemKey: 'hr-redo', externalId: 'R-1' }] });
  });

  it('resolves filledBy and assignment links by external id within the source system, and fails unknown ones', async () => {
    const integration = (await call('POST', '/v1/integrations', { name: 'refs', sourceSystemKey: 'hr-refs' })).json();
    const hook = async (entityType: string, records: unknown[]) =>
      (await call('POST', `/v1/integrations/${integration.id}/hooks`, { name: entityType, type: 'pull', entityType, code: `async function run() { return { records: ${JSON.stringify(records)} }; }` })).json().id;
    await sync(await hook('employee', [{ externalId: 'E-1', data: { firstName: 'A', lastName: 'B', email: 'ab@x.test' } }]));
    await sync(await hook('project', [{ externalId: 'PR-1', data: { name: 'Apollo' } }]));
    const vacancies = await sync(
      await hook('vacancy', [
        { externalId: 'V-1', data: { role: 'SRE', status: 'filled', filledBy: { externalId: 'E-1' } } },
        { externalId: 'V-2', data: { role: 'SRE', filledBy: { externalId: 'E-404' } } },
      ]),
    );
    expect(vacancies.counts).toMatchObject({ created: 1, failed: 1 });
    expect(vacancies.logs.map((l: { message: string }) => l.message).join('\n')).toMatch(/record V-2 failed: filledBy "E-404" is no employee or contractor known in source system "hr-refs"/);
    const assignments = await sync(
      await hook('assignment', [
        { externalId: 'A-1', data: { employeeExternalId: 'E-1', projectExternalId: 'PR-1', fte: 0.5 } },
        { externalId: 'A-2', data: { employeeExternalId: 'E-1', projectExternalId: 'PR-404' } },
      ]),
    );
    expect(assignments.counts).toMatchObject({ created: 1, failed: 1 });
    const [employee] = (await call('GET', '/v1/entities/employee?email=ab%40x.test')).json().items;
    const [assignment] = (await call('GET', '/v1/entities/assignment')).json().items;
    expect(assignment).toMatchObject({ employeeId: employee.id, employeeExternalId: 'E-1', projectExternalId: 'PR-1', fte: 0.5 });
  });

  it('serves the executions of a hook newest first, filtered by status', async () => {
    hr.people = makePeople(3, 'L');
    const hookId = await pullHook('hr-list', HOOKS.page());
    const a = await sync(hookId);
    const b = await sync(hookId);
    const list = (await call('GET', `/v1/hooks/${hookId}/executions`)).json();
    expect(list.items.map((e: { id: string }) => e.id)).toEqual([b.id, a.id]);
    expect((await call('GET', `/v1/hooks/${hookId}/executions?status=failed`)).json().items).toEqual([]);
    expect(HR_HOST).toBe('hr.example.test');
  });

  it("calls the next page's run while a page is saved; a failing postSubmit on page 2 keeps pages 1–2 and discards page 3", async () => {
    const code = `async function run(ctx) {
  const page = ctx.meta?.page ?? 1;
  ctx.log.info('run ' + page);
  return { records: [{ externalId: 'PS-' + page, data: { firstName: 'P', lastName: String(page), email: 'ps' + page + '@x.test' } }], more: true, meta: { page: page + 1 } };
}
async function postSubmit(ctx, { results }) {
  ctx.log.info('postSubmit ' + ctx.execution.page + ' ' + results.map((r) => r.externalId + ':' + r.outcome).join(','));
  if (ctx.execution.page === 2) throw new Error('the target refused page two');
}`;
    const execution = await sync(await pullHook('hr-post-submit', code));
    expect(execution).toMatchObject({ status: 'failed', pages: 2, counts: { processed: 2, created: 2 }, error: { message: 'the target refused page two', page: 2 } });
    expect(execution.logs.map((l: { message: string }) => l.message)).toEqual([
      'run 1',
      'run 2',
      'postSubmit 1 PS-1:created',
      'run 3',
      'postSubmit 2 PS-2:created',
      "page 3's run, called while page 2 was saved, was discarded",
    ]);
    const links = await t.store.db.selectFrom('external_links').select('external_id').where('source_system_key', '=', 'hr-post-submit').orderBy('external_id').execute();
    expect(links.map((l) => l.external_id)).toEqual(['PS-1', 'PS-2']);
  });
});

import { afterAll, beforeAll, expect, it } from 'vitest';
import { actionContext, failureOf } from '../../../../test/helpers/action-context.js';
import { createTestApp, type TestApp, type TestTenant } from '../../../../test/helpers/app.js';
import { describeEachEngine } from '../../../../test/helpers/stores.js';
import { findExecution, findExecutionInput } from '../../../store/executions.js';
import runHook from './run-hook.js';

const ECHO = `async function run(ctx) {
  console.log('event', ctx.event);
  if (ctx.event && ctx.event.fail) throw new Error('asked to fail');
  return { seen: ctx.event, trigger: ctx.execution.trigger, token: ctx.secrets.TOKEN };
}`;

describeEachEngine('run_hook', (engine) => {
  let t: TestApp;
  let acme: TestTenant;
  let globex: TestTenant;
  const hooks: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp(engine);
    acme = await t.tenant('acme');
    globex = await t.tenant('globex');
    const integration = async (tenant: TestTenant) =>
      (await t.call(tenant.keys.editor, { method: 'POST', url: '/v1/integrations', payload: { name: 'HR', sourceSystemKey: 'hr' } })).json().id as string;
    const create = async (tenant: TestTenant, integrationId: string, payload: Record<string, unknown>) => {
      const res = await t.call(tenant.keys.editor, { method: 'POST', url: `/v1/integrations/${integrationId}/hooks`, payload: { entityType: 'employee', ...payload } });
      expect(res.statusCode).toBe(201);
      return res.json().id as string;
    };
    const hr = await integration(acme);
    await t.call(acme.keys.admin, { method: 'PUT', url: `/v1/integrations/${hr}/secrets/TOKEN`, payload: { value: 'tok-s3cret-9f' } });
    hooks.push = await create(acme, hr, { name: 'echo', type: 'push', code: ECHO });
    hooks.pull = await create(acme, hr, { name: 'people', type: 'pull', code: 'async function run() { return { records: [] }; }' });
    hooks.pre = await create(acme, hr, { name: 'gate', type: 'pre', operations: ['create'], code: 'async function run() { return { status: 200 }; }' });
    hooks.disabled = await create(acme, hr, { name: 'off', type: 'push', code: ECHO, enabled: false });
    hooks.theirs = await create(globex, await integration(globex), { name: 'theirs', type: 'push', code: ECHO });
  });
  afterAll(async () => t?.dispose());

  const ctxOf = (tenant: TestTenant) => actionContext(t.deps, { orgId: tenant.org.id }).ctx;

  it('runs a push hook now with the payload as ctx.event, as its own execution triggered by automation', async () => {
    const payload = { employee: { id: 'e1', firstName: 'Ada' }, n: 3 };
    const result = await runHook.run({ hookId: hooks.push!, payload }, ctxOf(acme));
    const response = result.response as { executionId: string; status: string; result: Record<string, unknown> };
    // What the hook returned; its integration's secret is redacted from what the run shows.
    expect(response).toEqual({ executionId: expect.any(String), status: 'completed', result: { seen: payload, trigger: 'automation', token: '[secret:TOKEN]' } });
    const execution = await findExecution(t.store.db, acme.org.id, response.executionId);
    expect(execution).toMatchObject({ hookId: hooks.push, trigger: 'automation', status: 'completed', attempt: 1, dryRun: false });
    expect(execution!.logs.map((l) => l.data ?? l.message)).toContainEqual(expect.stringContaining('"n":3'));
    expect(await findExecutionInput(t.store.db, acme.org.id, response.executionId)).toEqual({ event: payload });
  });

  it('fails when the push hook fails, naming its execution, which is recorded failed', async () => {
    const failure = runHook.run({ hookId: hooks.push!, payload: { fail: true } }, ctxOf(acme));
    await expect(failure).rejects.toThrow(/^hook "echo" failed \(execution [0-9a-f-]+\): asked to fail/);
    const { details } = (await failureOf(failure)) as { details: { executionId: string; status: string } };
    expect(details.status).toBe('failed');
    expect(await findExecution(t.store.db, acme.org.id, details.executionId)).toMatchObject({ status: 'failed', trigger: 'automation', error: { message: expect.stringContaining('asked to fail') } });
  });

  it('queues a pull hook as a run by hand does, and answers its execution id', async () => {
    const result = await runHook.run({ hookId: hooks.pull! }, ctxOf(acme));
    const { executionId } = result.response as { executionId: string };
    expect(Object.keys(result.response as object)).toEqual(['executionId']);
    expect(await findExecution(t.store.db, acme.org.id, executionId)).toMatchObject({ hookId: hooks.pull, trigger: 'automation', status: 'queued' });
    const jobs = await t.store.db.selectFrom('jobs').select(['kind', 'payload']).where('org_id', '=', acme.org.id).execute();
    expect(jobs.map((j) => [j.kind, JSON.parse(j.payload).executionId])).toContainEqual(['pull.run', executionId]);
  });

  it("refuses another organisation's hook as unknown, other hook types and disabled hooks, and runs nothing", async () => {
    const count = async () => Number((await t.store.db.selectFrom('executions').select(t.store.db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    await expect(runHook.run({ hookId: hooks.theirs!, payload: {} }, ctxOf(acme))).rejects.toMatchObject({ code: 'HY_NOT_FOUND', message: `hook ${hooks.theirs} not found` });
    await expect(runHook.run({ hookId: hooks.pre!, payload: {} }, ctxOf(acme))).rejects.toThrow('run_hook runs push and pull hooks; hook "gate" is a pre hook');
    await expect(runHook.run({ hookId: hooks.disabled!, payload: {} }, ctxOf(acme))).rejects.toThrow('hook "off" is disabled');
    expect(await count()).toBe(before);
    // The owner runs it.
    expect(await runHook.run({ hookId: hooks.theirs!, payload: {} }, ctxOf(globex))).toMatchObject({ response: { status: 'completed' } });
  });
});

/**
 * A deployment's own limits (HOOKYARD_HOOK_LIMITS, here given to the sandbox as the server
 * does): a PULL execution's pages and executions per hour, a run's time, each named in what
 * the execution says; and a PULL page's time and requests, shared by its run and flow steps.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { HOOKS, makePeople, startHrApi, type HrApi } from '../helpers/hr-api.js';
import { describeEachEngine } from '../helpers/stores.js';

describeEachEngine("a deployment's hook limits", (engine) => {
  let hr: HrApi;
  let t: TestApp;
  let acme: TestTenant;

  beforeAll(async () => {
    // 25 people at 10 a page: 3 pages, of which the deployment allows 2.
    hr = await startHrApi(makePeople(25, 'L'));
    t = await createTestApp(engine, { egress: hr.egress, worker: true, sandbox: { limits: { pull: { pages: 2, executionsPerHour: 1, httpRequests: 2, timeMs: 2000 }, push: { timeMs: 300 } } } });
    acme = await t.tenant('acme-limits');
  });
  afterAll(async () => {
    await t?.dispose();
    await hr?.close();
  });

  const call = (method: 'GET' | 'POST', url: string, payload?: object) => t.call(acme.keys.admin, { method, url, ...(payload && { payload }) });

  let integrations = 0;
  async function hook(body: object): Promise<string> {
    const integration = (await call('POST', '/v1/integrations', { name: 'Limits', sourceSystemKey: `limits-${++integrations}` })).json();
    const res = await call('POST', `/v1/integrations/${integration.id}/hooks`, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id;
  }

  it('stops a PULL execution after the pages it allows, and skips the runs past its executions per hour', async () => {
    const hookId = await hook({ name: 'people', type: 'pull', entityType: 'employee', code: HOOKS.page() });
    const first = await t.finished(acme.keys.editor, (await call('POST', `/v1/hooks/${hookId}/run`)).json().executionId);
    expect(first).toMatchObject({ status: 'completed', pages: 2, counts: { created: 20 } });
    expect(first.logs.map((l: { message: string }) => l.message)).toContain('Pagination stopped after 2 pages; the hook still returned more: true');
    const second = await t.finished(acme.keys.editor, (await call('POST', `/v1/hooks/${hookId}/run`)).json().executionId);
    expect(second).toMatchObject({ status: 'skipped', error: { message: expect.stringMatching(/^rate limit: at most 1 executions per hour/) } });
    // A dry run does not count, and fetches as many pages as a run.
    expect((await call('POST', `/v1/hooks/${hookId}/test`)).json()).toMatchObject({ status: 'completed', pages: 2 });
  });

  it("holds a PULL page's run and flow steps to the page's requests and time together, not each call to all of them", async () => {
    const twoMore = 'async function preMap(ctx, input) { for (let i = 0; i < 2; i++) await ctx.http.get("https://hr.example.test/page", { query: { page: "1" } }); return input; }';
    const requests = await hook({ name: 'requests', type: 'pull', entityType: 'employee', code: `${HOOKS.page()}\n${twoMore}` });
    // run made 1 of the page's 2; preMap's second is the third.
    expect((await call('POST', `/v1/hooks/${requests}/test`)).json()).toMatchObject({ status: 'failed', error: { limit: 'httpRequests' } });
    const slow = `async function run() { await new Promise((r) => setTimeout(r, 1200)); return { records: [], more: false }; }
async function preMap(ctx, input) { await new Promise((r) => setTimeout(r, 1200)); return input; }`;
    const time = await hook({ name: 'slow', type: 'pull', entityType: 'employee', code: slow });
    // 1.2 s each, under the page's 2 s alone, over it together.
    expect((await call('POST', `/v1/hooks/${time}/test`)).json()).toMatchObject({ status: 'timed_out', error: { limit: 'timeMs', message: 'Time limit exceeded: the hook ran longer than 2000 ms' } });
  });

  it("holds a PUSH hook to the deployment's time limit and names it", async () => {
    const hookId = await hook({ name: 'spin', type: 'push', entityType: 'employee', code: 'async function run() { for (;;) {} }' });
    const execution = (await call('POST', `/v1/hooks/${hookId}/test`)).json();
    expect(execution).toMatchObject({ status: 'timed_out', error: { limit: 'timeMs', message: 'Time limit exceeded: the hook ran longer than 300 ms' } });
  });
});

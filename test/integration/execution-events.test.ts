import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { HOOKS, makePeople, startHrApi, type HrApi } from '../helpers/hr-api.js';
import { describeEachEngine } from '../helpers/stores.js';

/** The messages of a finished event stream. */
function messages(body: string): Array<{ event: string; data: any }> {
  return body
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => ({ event: /^event: (.*)$/m.exec(block)![1], data: JSON.parse(/^data: (.*)$/m.exec(block)![1]) }));
}

describeEachEngine('GET /v1/executions/{id}/events', (engine) => {
  let hr: HrApi;
  let t: TestApp;
  let acme: TestTenant;
  let other: TestTenant;
  let hookId: string;

  beforeAll(async () => {
    hr = await startHrApi(makePeople(25));
    t = await createTestApp(engine, { egress: hr.egress, worker: true });
    acme = await t.tenant('acme');
    other = await t.tenant('other');
    const integration = (await t.call(acme.keys.admin, { method: 'POST', url: '/v1/integrations', payload: { name: 'HR', sourceSystemKey: 'hr' } })).json();
    const hook = await t.call(acme.keys.admin, {
      method: 'POST',
      url: `/v1/integrations/${integration.id}/hooks`,
      payload: { name: 'people', type: 'pull', entityType: 'employee', code: HOOKS.page() },
    });
    hookId = hook.json().id;
  });
  afterAll(async () => {
    await t?.dispose();
    await hr?.close();
  });

  it('streams each saved page of a pull run, then its end, and closes', async () => {
    const { executionId } = (await t.call(acme.keys.editor, { method: 'POST', url: `/v1/hooks/${hookId}/run` })).json();
    // A viewer may follow a run; the answer ends when the run does.
    const res = await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/executions/${executionId}/events` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    const all = messages(res.body);
    const last = all.at(-1)!;
    expect(last.event).toBe('end');
    expect(last.data).toMatchObject({ status: 'completed', pages: 3, counts: { processed: 25, created: 25 } });
    expect(all.slice(0, -1).every((m) => m.event === 'progress')).toBe(true);
    // Pages only go up, and no count ever goes down.
    for (let i = 1; i < all.length; i++) {
      expect(all[i].data.pages).toBeGreaterThanOrEqual(all[i - 1].data.pages);
      expect(all[i].data.counts.processed).toBeGreaterThanOrEqual(all[i - 1].data.counts.processed);
    }
  });

  it('tells a saved page while the run is still going (the row says nothing until the run ends)', async () => {
    // Page 2 never answers: the hook's 1 s timeout fails the run after page 1 was saved.
    hr.hangOnPage = 2;
    try {
      const { executionId } = (await t.call(acme.keys.editor, { method: 'POST', url: `/v1/hooks/${hookId}/run` })).json();
      const all = messages((await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/executions/${executionId}/events` })).body);
      const pageOne = all.findIndex((m) => m.event === 'progress' && m.data.pages === 1);
      expect(pageOne).toBeGreaterThanOrEqual(0);
      expect(all[pageOne].data).toMatchObject({ status: 'running', counts: { processed: 10 } });
      expect(all.at(-1)).toMatchObject({ event: 'end', data: { status: 'failed' } });
    } finally {
      hr.hangOnPage = undefined;
    }
  });

  it('answers a finished execution at once with its end', async () => {
    const { executionId } = (await t.call(acme.keys.editor, { method: 'POST', url: `/v1/hooks/${hookId}/run` })).json();
    await t.finished(acme.keys.editor, executionId);
    const all = messages((await t.call(acme.keys.viewer, { method: 'GET', url: `/v1/executions/${executionId}/events` })).body);
    expect(all).toHaveLength(1);
    expect(all[0].event).toBe('end');
  });

  it('is 404 for another organisation and 401 without a key', async () => {
    const { executionId } = (await t.call(acme.keys.editor, { method: 'POST', url: `/v1/hooks/${hookId}/run` })).json();
    await t.finished(acme.keys.editor, executionId);
    const foreign = await t.call(other.keys.admin, { method: 'GET', url: `/v1/executions/${executionId}/events` });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('HY_NOT_FOUND');
    expect((await t.call(undefined, { method: 'GET', url: `/v1/executions/${executionId}/events` })).statusCode).toBe(401);
  });
});

/**
 * The platform's metrics move by the right amounts: after a PULL run, a PUSH delivery,
 * a failed and retried hook, a limit breach and a refused outbound call, each named
 * series in the `/metrics` exposition has moved by exactly what happened; inbound calls
 * count by the status they were answered with. (Automation actions have no series yet:
 * the feature does not exist.)
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HOOKS, makePeople, startHrApi, type HrApi } from '../helpers/hr-api.js';
import { createTestApp, type TestApp, type TestTenant } from '../helpers/app.js';
import { waitFor } from '../helpers/jobs.js';
import { describeEachEngine } from '../helpers/stores.js';

/** The value of one sample of the exposition text; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    const keys = new Set([...Object.keys(have), ...Object.keys(labels)].filter((k) => k !== 'le'));
    if ([...keys].every((k) => have[k] === labels[k]) && (labels.le === undefined || have.le === labels.le)) return Number(match[3]);
  }
  return 0;
}

describeEachEngine('platform metrics', (engine) => {
  let hr: HrApi;
  let t: TestApp;
  let acme: TestTenant;
  let integrationId: string;

  beforeAll(async () => {
    hr = await startHrApi(makePeople(12, 'M'));
    t = await createTestApp(engine, { egress: hr.egress, worker: true, metrics: true });
    acme = await t.tenant('acme');
    integrationId = (await post('/v1/integrations', { name: 'HR', sourceSystemKey: 'hr' })).json().id;
  });
  afterAll(async () => {
    await t?.dispose();
    await hr?.close();
  });

  const post = (url: string, payload: Record<string, unknown> = {}) => t.call(acme.keys.admin, { method: 'POST', url, payload });
  const scrape = async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    return res.body;
  };
  /** Scrapes before and after `act`, and answers how much one series moved. */
  async function moved(act: () => Promise<void>): Promise<(name: string, labels?: Record<string, string>) => number> {
    const before = await scrape();
    await act();
    const after = await scrape();
    return (name, labels) => sample(after, name, labels) - sample(before, name, labels);
  }
  async function hook(type: string, entityType: string, code: string, settings: Record<string, unknown> = {}): Promise<string> {
    const res = await post(`/v1/integrations/${integrationId}/hooks`, { name: `${type}-${entityType}`, type, entityType, code, ...settings });
    expect(res.statusCode).toBe(201);
    return res.json().id;
  }
  const executions = async (hookId: string) =>
    (await t.call(acme.keys.admin, { method: 'GET', url: `/v1/hooks/${hookId}/executions` })).json().items as { status: string }[];

  it('counts a PULL run: one execution, its duration, its job claimed and completed', async () => {
    const id = await hook('pull', 'employee', HOOKS.page());
    const delta = await moved(async () => {
      const { executionId } = (await post(`/v1/hooks/${id}/run`)).json();
      expect((await t.finished(acme.keys.admin, executionId)).status).toBe('completed');
      await waitFor(async () => (await scrape()).includes('hookyard_jobs_completed_total{kind="pull.run"}'));
    });
    expect(delta('hookyard_executions_total', { hook_type: 'pull', trigger: 'manual', status: 'completed' })).toBe(1);
    expect(delta('hookyard_execution_duration_seconds_count', { hook_type: 'pull' })).toBe(1);
    expect(delta('hookyard_jobs_claimed_total', { kind: 'pull.run' })).toBe(1);
    expect(delta('hookyard_jobs_completed_total', { kind: 'pull.run' })).toBe(1);
    expect(delta('hookyard_jobs_failed_total', { kind: 'pull.run' })).toBe(0);
  });

  it('counts a PUSH delivery with its lag, and a refused outbound call by its code', async () => {
    const id = await hook(
      'push',
      'project',
      `async function run(ctx) {
        try { await ctx.http.get('http://plain.example.test/'); } catch (e) { ctx.log.info('refused: ' + e.code); }
      }`,
    );
    const delta = await moved(async () => {
      expect((await post('/v1/entities/project', { name: 'Apollo' })).statusCode).toBe(201);
      await waitFor(async () => (await executions(id)).some((e) => e.status === 'completed'));
      await waitFor(async () => sample(await scrape(), 'hookyard_push_delivery_lag_seconds_count') > 0);
    });
    expect(delta('hookyard_executions_total', { hook_type: 'push', trigger: 'event', status: 'completed' })).toBe(1);
    expect(delta('hookyard_push_delivery_lag_seconds_count')).toBe(1);
    expect(delta('hookyard_push_delivery_lag_seconds_bucket', { le: '+Inf' })).toBe(1);
    expect(delta('hookyard_outbound_http_errors_total', { hook_type: 'push', code: 'PROTOCOL_NOT_ALLOWED' })).toBe(1);
    expect(delta('hookyard_jobs_completed_total', { kind: 'push.deliver' })).toBe(1);
  });

  it('counts a failing hook: each failed attempt, the retry and the final failure', async () => {
    const id = await hook('push', 'contractor', `async function run() { throw new Error('receiver is down'); }`, { retry: { attempts: 2 } });
    const delta = await moved(async () => {
      expect((await post('/v1/entities/contractor', { name: 'Grace' })).statusCode).toBe(201);
      await waitFor(async () => (await executions(id)).filter((e) => e.status === 'failed').length === 2, 15_000);
      await waitFor(async () => sample(await scrape(), 'hookyard_jobs_failed_total', { kind: 'push.deliver' }) > 0);
    });
    expect(delta('hookyard_executions_total', { hook_type: 'push', trigger: 'event', status: 'failed' })).toBe(2);
    expect(delta('hookyard_jobs_claimed_total', { kind: 'push.deliver' })).toBe(2);
    expect(delta('hookyard_jobs_retried_total', { kind: 'push.deliver' })).toBe(1);
    expect(delta('hookyard_jobs_failed_total', { kind: 'push.deliver' })).toBe(1);
    // Only the first attempt's start counts as lag: the second waited out a backoff.
    expect(delta('hookyard_push_delivery_lag_seconds_count')).toBe(1);
    expect(delta('hookyard_sandbox_limit_breaches_total', { hook_type: 'push', limit: 'jsonDepth' })).toBe(0);
  });

  it('counts a limit breach by the limit the execution names', async () => {
    const id = await hook('push', 'vacancy', `async function run() { let deep = {}; for (let i = 0; i < 500; i++) deep = { deep }; return deep; }`, { retry: { attempts: 1 } });
    const delta = await moved(async () => {
      expect((await post('/v1/entities/vacancy', { role: 'Engineer' })).statusCode).toBe(201);
      await waitFor(async () => (await executions(id)).some((e) => e.status === 'failed'));
      await waitFor(async () => sample(await scrape(), 'hookyard_sandbox_limit_breaches_total', { hook_type: 'push', limit: 'jsonDepth' }) > 0);
    });
    expect(delta('hookyard_sandbox_limit_breaches_total', { hook_type: 'push', limit: 'jsonDepth' })).toBe(1);
    expect(delta('hookyard_executions_total', { hook_type: 'push', trigger: 'event', status: 'failed' })).toBe(1);
  });

  it('shows the due jobs of each kind and the age of the oldest, read at the scrape', async () => {
    // No worker runs this kind, so it waits.
    await t.deps.queue.enqueue([
      { kind: 'test.waiting', orgId: acme.org.id, runAt: Date.now() - 60_000 },
      { kind: 'test.waiting', orgId: acme.org.id },
      { kind: 'test.waiting', orgId: acme.org.id, runAt: Date.now() + 3_600_000 },
    ]);
    const text = await scrape();
    expect(sample(text, 'hookyard_queue_depth', { kind: 'test.waiting' })).toBe(2);
    expect(sample(text, 'hookyard_queue_oldest_due_age_seconds', { kind: 'test.waiting' })).toBeGreaterThanOrEqual(60);
    // Every kind this process runs has a series, 0 when nothing waits for it.
    expect(text).toMatch(/^hookyard_queue_depth\{kind="push\.deliver"\} \d+$/m);
  });

  it('keeps ids and slugs out of every label', async () => {
    const text = await scrape();
    expect(text).not.toContain(acme.org.id);
    expect(text).not.toContain(integrationId);
    expect(text).not.toContain('acme');
  });

  it('counts inbound calls by status — 200, 401, 404 and 413 — and their executions', async () => {
    await post(`/v1/integrations/${integrationId}/hooks`, { name: 'in', type: 'inbound', path: 'metrics-in', code: 'async function run() {}' });
    await post(`/v1/integrations/${integrationId}/hooks`, { name: 'signed', type: 'inbound', path: 'metrics-signed', code: 'async function run() {}', verify: { scheme: 'stripe', secret: 'whsec_metrics' } });
    const call = (path: string, payload?: string) => t.app.inject({ method: 'POST', url: `/inbound/acme/${path}`, payload, headers: { 'content-type': 'text/plain' } });
    const delta = await moved(async () => {
      expect((await call('metrics-in')).statusCode).toBe(200);
      expect((await call('metrics-in')).statusCode).toBe(200);
      expect((await call('metrics-signed')).statusCode).toBe(401);
      expect((await call('nowhere')).statusCode).toBe(404);
      expect((await call('metrics-in', 'x'.repeat(1024 * 1024 + 1))).statusCode).toBe(413);
      await new Promise((r) => setTimeout(r, 50));
    });
    expect(delta('hookyard_inbound_calls_total', { status: '200' })).toBe(2);
    expect(delta('hookyard_inbound_calls_total', { status: '401' })).toBe(1);
    expect(delta('hookyard_inbound_calls_total', { status: '404' })).toBe(1);
    expect(delta('hookyard_inbound_calls_total', { status: '413' })).toBe(1);
    expect(delta('hookyard_inbound_duration_seconds_count')).toBe(5);
    expect(delta('hookyard_executions_total', { hook_type: 'inbound', trigger: 'inbound', status: 'completed' })).toBe(2);
    expect(delta('hookyard_executions_total', { hook_type: 'inbound', trigger: 'inbound', status: 'failed' })).toBe(1);
  });
});

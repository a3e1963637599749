import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HR_HOST, makePeople, startHrApi, type HrApi } from '../helpers/hr-api.js';
import { waitFor } from '../helpers/jobs.js';
import { startServe, type ServeProcess } from '../helpers/serve-process.js';
import { describeEachEngine } from '../helpers/stores.js';

const ADMIN_KEY = `hyk_${'k'.repeat(43)}`;

/** Page 2 may hang for as long as the test wants: the hook waits up to 25 s for it. */
const HOOK = `async function run(ctx) {
  const page = ctx.meta?.page ?? 1;
  const res = await ctx.http.get('https://${HR_HOST}/page', { query: { page: String(page), size: '10' }, timeoutMs: 25000 });
  if (res.status !== 200) throw new Error('HR API answered ' + res.status);
  return { records: res.body.people.map((p) => ({ externalId: p.uid, data: { firstName: p.given, lastName: p.family, email: p.mail } })),
    more: res.body.next !== null, meta: { page: res.body.next } };
}`;

describeEachEngine('a PULL sync killed with the process (kill -9), then a restart', (engine) => {
  let hr: HrApi;
  let cwd: string;
  let env: Record<string, string>;
  let server: ServeProcess | undefined;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    hr = await startHrApi(makePeople(25, 'K'));
    const target = await engine.createDatabase();
    drop = target.drop;
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-e2e-pull-'));
    fs.writeFileSync(path.join(cwd, 'ca.pem'), hr.server.ca);
    env = {
      HOOKYARD_ADMIN_KEY: ADMIN_KEY,
      HOOKYARD_MASTER_KEY: 'e2e-master-key-0123456789abcdef0123',
      HOOKYARD_EGRESS_ALLOW_PRIVATE: 'true',
      HOOKYARD_EGRESS_CONNECT_TO: `${HR_HOST}:443:127.0.0.1:${hr.server.port}`,
      HOOKYARD_EGRESS_CA_FILE: path.join(cwd, 'ca.pem'),
      // A dead process's jobs are recovered once their lease lapses: keep it short here.
      HOOKYARD_JOB_LEASE_MS: '3000',
      ...(target.databaseUrl ? { HOOKYARD_DATABASE_URL: target.databaseUrl } : {}),
    };
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await hr?.close();
    await drop?.();
    if (cwd) fs.rmSync(cwd, { recursive: true, force: true });
  });

  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`${server!.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('ends the interrupted execution as failed: interrupted, retries the job to completion and duplicates nothing', async () => {
    server = await startServe({ cwd, env });
    const integration = (await api('POST', '/v1/integrations', { name: 'HR', sourceSystemKey: 'hr' })).body;
    const hook = (await api('POST', `/v1/integrations/${integration.id}/hooks`, { name: 'people', type: 'pull', entityType: 'employee', code: HOOK })).body;

    hr.hangOnPage = 2;
    const started = await api('POST', `/v1/hooks/${hook.id}/run`);
    expect(started.status).toBe(202);
    const { executionId } = started.body;
    await waitFor(() => hr.server.requests.some((r) => r.url.includes('page=2')), 30_000);
    expect((await api('GET', `/v1/executions/${executionId}`)).body.status).toBe('running');
    // Page 2's run is called while page 1 is saved (pipelined pages): its save may commit a moment after page 2's request.
    await waitFor(async () => (await api('GET', '/v1/entities/employee?limit=100')).body.items.length === 10, 30_000);
    expect((await api('GET', `/v1/executions/${executionId}`)).body.status).toBe('running');

    expect(await server.stop('SIGKILL')).toBe('SIGKILL');
    hr.hangOnPage = undefined;
    server = await startServe({ cwd, env });

    let interrupted: any;
    await waitFor(async () => {
      interrupted = (await api('GET', `/v1/executions/${executionId}`)).body;
      return interrupted.status !== 'running';
    }, 60_000);
    expect(interrupted).toMatchObject({ status: 'failed', error: { message: 'interrupted' } });

    let executions: any[] = [];
    await waitFor(async () => {
      executions = (await api('GET', `/v1/hooks/${hook.id}/executions`)).body.items;
      return executions.some((e) => e.status === 'completed');
    }, 60_000);
    const retry = executions.find((e) => e.status === 'completed');
    expect(retry).toMatchObject({ trigger: 'manual', attempt: 2, counts: { created: 15, skipped: 10, failed: 0 } });

    const next = (await api('POST', `/v1/hooks/${hook.id}/run`)).body;
    let last: any;
    await waitFor(async () => {
      last = (await api('GET', `/v1/executions/${next.executionId}`)).body;
      return !['queued', 'running'].includes(last.status);
    }, 60_000);
    expect(last).toMatchObject({ status: 'completed', counts: { skipped: 25, created: 0, updated: 0 } });
    const employees = (await api('GET', '/v1/entities/employee?limit=100')).body.items;
    expect(employees).toHaveLength(25);
    expect(new Set(employees.map((e: { email: string }) => e.email)).size).toBe(25);
  }, 180_000);
});

/**
 * The example hooks of docs/hooks.md as a server runs them (flow steps and mapping in a
 * real sync, a post-hook on real API calls, a saved TypeScript hook): saved on a real
 * `hookyard serve` and run there against the mock HR system.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT, assertBuilt } from '../helpers/serve-process.js';
import { background, freePort, startMock, type Background, type Substitutions } from './doc-shell.js';

const KEY = 'hyk_docs_hooks_test_0123456789abcdefghij';
let dir: string;
let subs: Substitutions;
let mock: Background | undefined;
let serve: Background | undefined;

async function api(method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${subs.servePort}${p}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const example = (name: string) => fs.readFile(path.join(ROOT, 'examples/hooks', name), 'utf8');

async function finished(executionId: string): Promise<any> {
  for (let i = 0; i < 100; i++) {
    const { body } = await api('GET', `/v1/executions/${executionId}`);
    if (body.status !== 'queued' && body.status !== 'running') return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`execution ${executionId} did not finish`);
}

let integration: string;

beforeAll(async () => {
  assertBuilt();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hookyard-doc-hooks-'));
  subs = { servePort: await freePort(), mockPort: await freePort(), dir };
  mock = await startMock('node examples/mock-hr/server.js', subs);
  serve = await background(`exec ./bin/hookyard.js serve --data-dir ${path.join(dir, 'data')}`, {
    env: {
      HOOKYARD_PORT: String(subs.servePort),
      HOOKYARD_ADMIN_KEY: KEY,
      HOOKYARD_LOG_LEVEL: 'warn',
      HOOKYARD_EGRESS_CONNECT_TO: `hr.example.test:443:127.0.0.1:${subs.mockPort}`,
      HOOKYARD_EGRESS_ALLOW_PRIVATE: 'true',
      HOOKYARD_EGRESS_CA_FILE: path.join(dir, 'ca.pem'),
    },
    ready: /listening on http:\/\/\S+/,
  });
  integration = (await api('POST', '/v1/integrations', { name: 'Mock HR', sourceSystemKey: 'mock-hr' })).body.id;
  expect((await api('PUT', `/v1/integrations/${integration}/secrets/token`, { value: 'hr-demo-token-7f3a9c' })).status).toBe(201);
});

afterAll(async () => {
  await serve?.stop();
  await mock?.stop();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe('docs/hooks.md examples on the server', () => {
  test('pull-with-steps.js: the mapping its comment names and its flow steps sync the people', async () => {
    const code = await example('pull-with-steps.js');
    const mapping = JSON.parse(/"mapping": (\{.*\})/.exec(code)![1]!);
    const created = await api('POST', `/v1/integrations/${integration}/hooks`, { name: 'Steps', type: 'pull', entityType: 'employee', mapping, code });
    expect(created.status).toBe(201);

    const dry = await api('POST', `/v1/hooks/${created.body.id}/test`, {});
    expect(dry.body).toMatchObject({ status: 'completed', dryRun: true, pages: 3 });
    expect(dry.body.preview.map((p: { outcome: string }) => p.outcome)).toEqual(Array(5).fill('would-create'));
    expect(dry.body.logs.filter((l: { level: string }) => l.level === 'warn')).toEqual([]);
    const last = dry.body.logs.at(-1);
    expect(last).toMatchObject({ message: 'sync finished', data: { status: 'completed', pages: 3, aborted: false } });

    const run = await api('POST', `/v1/hooks/${created.body.id}/run`, {});
    expect(run.status).toBe(202);
    expect((await finished(run.body.executionId)).counts).toMatchObject({ created: 5, failed: 0 });
    const ada = (await api('GET', '/v1/entities/employee?email=ada@acme.test')).body.items[0];
    expect(ada).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace', jobRole: 'Engineer', startDate: '2021-03-01' });
  });

  test('pull-employees.ts runs when saved with "language": "typescript"', async () => {
    const code = await example('pull-employees.ts');
    const created = await api('POST', `/v1/integrations/${integration}/hooks`, { name: 'TS', type: 'pull', entityType: 'employee', language: 'typescript', code });
    expect(created.status).toBe(201);
    const dry = await api('POST', `/v1/hooks/${created.body.id}/test`, {});
    expect(dry.body).toMatchObject({ status: 'completed', pages: 3, counts: { processed: 5 } });
  });

  test('post-hide-salaries.js removes salary adjustments from get and list answers', async () => {
    const code = await example('post-hide-salaries.js');
    const created = await api('POST', `/v1/integrations/${integration}/hooks`, { name: 'Hide', type: 'post', entityType: 'employee', operations: ['get', 'list'], code });
    expect(created.status).toBe(201);
    const employee = await api('POST', '/v1/entities/employee', {
      firstName: 'Margaret', lastName: 'Hamilton', email: 'margaret@acme.test',
      salaryAdjustments: [{ effectiveDate: '2026-01-01', amount: 1000, currencyCode: 'EUR' }],
    });
    expect(employee.body.salaryAdjustments).toHaveLength(1);
    const got = await api('GET', `/v1/entities/employee/${employee.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ email: 'margaret@acme.test' });
    expect(got.body).not.toHaveProperty('salaryAdjustments');
    const listed = await api('GET', '/v1/entities/employee?email=margaret@acme.test');
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).not.toHaveProperty('salaryAdjustments');
    const missing = await api('GET', '/v1/entities/employee/nope');
    expect(missing.status).toBe(404);
  });
});

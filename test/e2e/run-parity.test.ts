/**
 * `hookyard run` does what the server does: the same hook, with flow steps and a mapping,
 * gives the same records run locally as synced by the server; a remote hook is called
 * locally with the same signed POST; a PUSH hook without --event gets the sample event a
 * dry run gets.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { startHttpsServer, type TestHttpsServer } from '../helpers/https-server.js';
import { BIN, assertBuilt } from '../helpers/serve-process.js';
import { ENGINES } from '../helpers/stores.js';

const HOST = 'hr.example.test';
const SIGNING = `whsec_${randomBytes(32).toString('base64')}`;
let dir: string;
let server: TestHttpsServer;
let app: TestApp;

// A hook that uses every part of the pipeline: two pages, preSavePage, preMap, the mapping, postMap.
const HOOK = `async function run(ctx) {
  const page = ctx.meta?.page ?? 1;
  const res = await ctx.http.get('https://${HOST}/people', { query: { page } });
  return { records: res.body.people.map((p) => ({ externalId: p.uid, data: p })), more: res.body.next !== null, meta: { page: res.body.next } };
}
async function preSavePage(ctx, { records }) { return { records: records.filter((r) => r.externalId !== 'skip-me') }; }
async function preMap(ctx, { records }) { return { records: records.map((r) => ({ ...r, data: { ...r.data, family: r.data.family.toUpperCase() } })) }; }
async function postMap(ctx, { records }) { return { records: records.map((r) => ({ ...r, data: { ...r.data, internalEmployeeId: 'E-' + r.externalId } })) }; }`;
const MAPPING = { firstName: 'given', lastName: 'family', email: 'contact.mail' };

beforeAll(async () => {
  assertBuilt();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hookyard-parity-'));
  server = await startHttpsServer(HOST, (req, res) => {
    const url = new URL(req.url, `https://${HOST}`);
    res.setHeader('content-type', 'application/json');
    if (url.pathname === '/remote') {
      const payload = new Webhook(SIGNING).verify(req.body, req.headers as Record<string, string>) as { hook: { step: string }; input?: { records: unknown[] } };
      if (payload.hook.step === 'preSavePage') return res.end(JSON.stringify({ records: payload.input!.records.slice(0, 1) }));
      return res.end(JSON.stringify({ records: [{ externalId: 'r1', data: { firstName: 'R', lastName: 'One', email: 'r1@x.test' } }, { externalId: 'r2', data: { firstName: 'R', lastName: 'Two', email: 'r2@x.test' } }] }));
    }
    const page = Number(url.searchParams.get('page') ?? '1');
    const person = (uid: string) => ({ uid, given: `Given ${uid}`, family: `family ${uid}`, contact: { mail: `${uid}@x.test` } });
    res.end(JSON.stringify({ people: page === 1 ? [person('a1'), person('skip-me')] : [person('b1')], next: page < 2 ? page + 1 : null }));
  });
  await fs.writeFile(path.join(dir, 'ca.pem'), server.ca);
  await fs.writeFile(path.join(dir, 'signing.txt'), `${SIGNING}\n`);
  await fs.writeFile(path.join(dir, 'hook.js'), HOOK);
  await fs.writeFile(path.join(dir, 'mapping.json'), JSON.stringify(MAPPING));
  app = await createTestApp(ENGINES[0], {
    worker: true,
    egress: { allowPrivate: true, ca: server.ca, connectTo: [{ host: HOST, port: 443, address: '127.0.0.1', toPort: server.port }] },
  });
});

afterAll(async () => {
  await app?.dispose();
  await server?.close();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const reach = ['--connect-to', `${HOST}:443:127.0.0.1:${server.port}`, '--ca', path.join(dir, 'ca.pem'), '--allow-private'];
  return new Promise((resolve) => {
    execFile(process.execPath, ['--no-node-snapshot', BIN, 'run', ...args, ...reach], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

test('runs flow steps and the mapping locally as the server does, giving the records the server saves', async () => {
  const local = await cli(path.join(dir, 'hook.js'), '--type', 'pull', '--entity', 'employee', '--mapping', `@${path.join(dir, 'mapping.json')}`, '--json');
  expect(local.stderr).toBe('');
  expect(local.code).toBe(0);
  const record = JSON.parse(local.stdout);
  expect(record).toMatchObject({ status: 'completed', pages: 2, counts: { processed: 2, created: 2, failed: 0 } });

  const tenant = await app.tenant('parity');
  const key = tenant.keys.editor;
  const integrationId = (await app.call(key, { method: 'POST', url: '/v1/integrations', payload: { name: 'HR', sourceSystemKey: 'hr' } })).json().id;
  const created = await app.call(key, { method: 'POST', url: `/v1/integrations/${integrationId}/hooks`, payload: { name: 'people', type: 'pull', entityType: 'employee', code: HOOK, mapping: MAPPING } });
  expect(created.statusCode).toBe(201);
  const dry = (await app.call(key, { method: 'POST', url: `/v1/hooks/${created.json().id}/test`, payload: {} })).json();
  expect(dry.preview.map((p: { externalId: string }) => p.externalId)).toEqual(record.records.map((r: { externalId: string }) => r.externalId));
  const run = await app.call(key, { method: 'POST', url: `/v1/hooks/${created.json().id}/run` });
  expect(await app.finished(key, run.json().executionId)).toMatchObject({ status: 'completed', counts: { created: 2 } });
  const saved = (await app.call(key, { method: 'GET', url: '/v1/entities/employee' })).json().items as Array<Record<string, unknown>>;
  const fields = (data: Record<string, unknown>) => ({ firstName: data.firstName, lastName: data.lastName, email: data.email, internalEmployeeId: data.internalEmployeeId });
  expect(saved.map(fields).sort((a, b) => String(a.email).localeCompare(String(b.email)))).toEqual(
    record.records.map((r: { data: Record<string, unknown> }) => fields(r.data)),
  );
  expect(record.records[0].data).toMatchObject({ firstName: 'Given a1', lastName: 'FAMILY A1', email: 'a1@x.test', internalEmployeeId: 'E-a1' });
});

test('calls a remote hook locally with the signed POST the server sends, running the steps it names', async () => {
  const out = await cli('--remote', `https://${HOST}/remote`, '--signing-secret-file', path.join(dir, 'signing.txt'), '--steps', 'preSavePage', '--type', 'pull', '--entity', 'employee', '--json');
  expect(out.stderr).toBe('');
  const record = JSON.parse(out.stdout);
  expect(record).toMatchObject({ status: 'completed', pages: 1, records: [{ externalId: 'r1' }] });
  expect(record.http.map((h: { url: string }) => h.url)).toEqual([`https://${HOST}/remote`, `https://${HOST}/remote`]);
});

test('refuses --remote without a signing secret file, and gives a PUSH hook without --event the sample event', async () => {
  const refused = await cli('--remote', `https://${HOST}/remote`, '--type', 'push');
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain('--signing-secret-file');
  await fs.writeFile(path.join(dir, 'push.js'), 'async function run(ctx) { return { id: ctx.event.entityId, change: ctx.event.changeType }; }');
  const push = await cli(path.join(dir, 'push.js'), '--type', 'push', '--json');
  expect(JSON.parse(push.stdout)).toMatchObject({ status: 'completed', result: { id: 'sample', change: 'create' } });
});

test('prints a short summary on a terminal, not the whole return value', async () => {
  const out = await cli(path.join(dir, 'hook.js'), '--type', 'pull', '--entity', 'employee', '--mapping', JSON.stringify(MAPPING));
  expect(out.code).toBe(0);
  expect(out.stdout).toMatch(/^completed in \d+ ms, 2 page\(s\)\nrecords: 2 processed, 2 valid, 0 failed/);
  expect(out.stdout).not.toContain('"records"');
});

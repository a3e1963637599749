/**
 * `hookyard run` as users run it: the built CLI in a child process, against hook files
 * on disk and a local HTTPS server reached through --connect-to, --ca and
 * --allow-private. Needs `npm run build` first (npm test does it).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHttpsServer } from '../helpers/https-server.js';
import type { TestHttpsServer } from '../helpers/https-server.js';
import { BIN, assertBuilt } from '../helpers/serve-process.js';

const HOST = 'hr.example.test';
let dir: string;
let server: TestHttpsServer;

beforeAll(async () => {
  assertBuilt();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hookyard-run-'));
  server = await startHttpsServer(HOST, (req, res) => {
    const page = Number(new URL(req.url, `https://${HOST}`).searchParams.get('page') ?? '1');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ people: [{ uid: `u${page}`, auth: req.headers.authorization }], next: page < 2 ? page + 1 : null }));
  });
  await fs.writeFile(path.join(dir, 'ca.pem'), server.ca);
});

afterAll(async () => {
  await server?.close();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function hook(name: string, code: string): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, code);
  return file;
}

function cli(...args: string[]): Promise<Outcome> {
  return cliWith({}, ...args);
}

function cliWith(env: Record<string, string>, ...args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--no-node-snapshot', BIN, 'run', ...args], { timeout: 30_000, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const PULL = `async function run(ctx) {
  const page = ctx.meta?.page ?? 1;
  const res = await ctx.http.get('https://${HOST}/people', { query: { page }, headers: { authorization: 'Bearer ' + ctx.secrets.token } });
  ctx.log.info('page ' + page, { auth: res.body.people[0].auth, region: ctx.params.region });
  return {
    records: res.body.people.map((p) => ({ externalId: p.uid, data: { firstName: 'A', lastName: p.uid, email: p.uid + '@x.test', shoeSize: 44 } })),
    more: res.body.next !== null,
    meta: { page: res.body.next },
  };
}`;

describe('hookyard run', () => {
  test('runs a pull hook against a local HTTPS server, following pagination, and prints one JSON record', async () => {
    const file = await hook('pull.js', PULL);
    const out = await cli(file, '--type', 'pull', '--entity', 'employee', '--secret', 'token=tok-123456', '--params', '{"region":"eu"}',
      '--connect-to', `${HOST}:443:127.0.0.1:${server.port}`, '--ca', path.join(dir, 'ca.pem'), '--allow-private', '--json');
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const record = JSON.parse(out.stdout);
    expect(record).toMatchObject({ status: 'completed', pages: 2, dryRun: false, counts: { processed: 2, created: 2 } });
    // As they would be saved: validated for the entity type, unknown fields left out (with a warning).
    expect(record.records).toEqual([
      { externalId: 'u1', data: { firstName: 'A', lastName: 'u1', email: 'u1@x.test' } },
      { externalId: 'u2', data: { firstName: 'A', lastName: 'u2', email: 'u2@x.test' } },
    ]);
    expect(record.result).toMatchObject({ more: false });
    expect(record.logs.map((l: { message: string }) => l.message)).toEqual(['page 1', 'page 2', expect.stringMatching(/^record u1: .*shoeSize/), expect.stringMatching(/^record u2: .*shoeSize/)]);
    expect(record.logs[0].data).toEqual({ auth: 'Bearer [secret:token]', region: 'eu' });
    expect(record.http).toHaveLength(2);
    expect(out.stdout).not.toContain('tok-123456');
    for (const key of ['id', 'hookId', 'trigger', 'attempt', 'startedAt', 'finishedAt', 'durationMs']) expect(record).toHaveProperty(key);
  });

  test('refuses the local server without --allow-private', async () => {
    const file = await hook('pull-strict.js', PULL);
    const out = await cli(file, '--type', 'pull', '--connect-to', `${HOST}:443:127.0.0.1:${server.port}`, '--ca', path.join(dir, 'ca.pem'), '--json');
    expect(out.code).toBe(1);
    expect(JSON.parse(out.stdout)).toMatchObject({ status: 'failed', error: { code: 'BLOCKED_ADDRESS' } });
  });

  test('reads secrets from a file, JSON fixtures from @files, and runs TypeScript', async () => {
    const file = await hook('push.ts', `export async function run(ctx: any): Promise<unknown> {
      return { event: ctx.event.id, key: ctx.secrets.key, page: ctx.execution.page };
    }`);
    await fs.writeFile(path.join(dir, 'secrets.env'), '# comment\nkey=from-file-secret\n');
    await fs.writeFile(path.join(dir, 'event.json'), '{"id":"ev-1","changeType":"create"}');
    const out = await cli(file, '--type', 'push', '--secrets-file', path.join(dir, 'secrets.env'), '--event', `@${path.join(dir, 'event.json')}`, '--json');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).result).toEqual({ event: 'ev-1', key: '[secret:key]', page: 1 });
  });

  test('keeps KV writes of a dry run inside the run', async () => {
    const file = await hook('kv.js', 'async function run(ctx) { await ctx.kv.set("a", 1); return { a: await ctx.kv.get("a"), dry: ctx.execution.dryRun }; }');
    const out = await cli(file, '--type', 'inbound', '--request', '{"method":"POST","path":"/x","body":{}}', '--dry-run', '--json');
    expect(JSON.parse(out.stdout)).toMatchObject({ status: 'completed', dryRun: true, result: { a: 1, dry: true }, records: [] });
  });

  test('runs an inbound hook as the server does: a sample call by default, the answer, its records through the flow steps', async () => {
    const echo = await hook('echo.js', 'async function run(ctx) { return { response: { status: 202, body: { method: ctx.request.method, body: ctx.request.body, type: ctx.request.headers["content-type"] } } }; }');
    const sample = await cli(echo, '--type', 'inbound');
    expect(sample.code).toBe(0);
    expect(sample.stdout).toContain('answer: {\n  "status": 202');
    expect(JSON.parse((await cli(echo, '--type', 'inbound', '--json')).stdout).answer).toEqual({ status: 202, headers: {}, body: { method: 'POST', body: {}, type: 'application/json' } });
    const put = JSON.parse((await cli(echo, '--type', 'inbound', '--request', '{"method":"PUT","rawBody":"{\\"a\\":1}"}', '--json')).stdout);
    expect(put.answer.body).toEqual({ method: 'PUT', body: { a: 1 }, type: 'application/json' });

    const records = await hook(
      'records.js',
      `async function run() { return { records: [{ externalId: "x1", data: { firstName: "Ada", lastName: "L", email: "ada@x.test" } }, { externalId: "x2", data: {} }] }; }
async function preSavePage(ctx, { records }) { ctx.log.info("preSavePage saw " + records.length); return { records }; }`,
    );
    const saved = JSON.parse((await cli(records, '--type', 'inbound', '--entity', 'employee', '--json')).stdout);
    expect(saved).toMatchObject({ status: 'completed', counts: { processed: 2, created: 1, failed: 1 }, answer: { status: 200, body: { ok: true } } });
    expect(saved.logs.map((l: { message: string }) => l.message)).toContain('preSavePage saw 2');

    const bad = await cli(await hook('bad-answer.js', 'async function run() { return { response: { status: 99 } }; }'), '--type', 'inbound');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('error: response.status must be an integer from 200 to 599, got 99');
    const wrong = await cli(echo, '--type', 'inbound', '--request', '{"bogus":1}');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('--request/bogus is not a member of a request');
  });

  test('exits with 1 and the user line when the hook throws, printing a readable record', async () => {
    const file = await hook('throws.js', 'async function run(ctx) {\n  ctx.log.warn("about to fail");\n  throw new Error("broken");\n}');
    const out = await cli(file, '--type', 'post', '--request', '{}');
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(/^failed in \d+ ms, 1 page\(s\)/);
    expect(out.stdout).toContain('[warn] about to fail');
    expect(out.stdout).toContain('error: broken (line 3, column 9)');
  });

  test('exits with 1 when the hook times out', async () => {
    const file = await hook('spin.js', 'async function run() { for (;;) {} }');
    const out = await cli(file, '--type', 'pre', '--json');
    expect(out.code).toBe(1);
    expect(JSON.parse(out.stdout)).toMatchObject({ status: 'timed_out', error: { limit: 'timeMs' } });
  });

  test("holds the hook to the deployment's limits (HOOKYARD_HOOK_LIMITS), as the server does, and refuses a bad setting with 2", async () => {
    const file = await hook('spin-limited.js', 'async function run() { for (;;) {} }');
    const out = await cliWith({ HOOKYARD_HOOK_LIMITS: '{ "push": { "timeMs": 250 } }' }, file, '--type', 'push', '--json');
    expect(out.code).toBe(1);
    expect(JSON.parse(out.stdout)).toMatchObject({ status: 'timed_out', error: { limit: 'timeMs', message: 'Time limit exceeded: the hook ran longer than 250 ms' } });
    const bad = await cliWith({ HOOKYARD_HOOK_LIMITS: '{ "push": { "timeMs": "fast" } }' }, file, '--type', 'push');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('HOOKYARD_HOOK_LIMITS: push.timeMs: must be a positive integer');
  });

  test.each([
    [['--type', 'pull', '--json'], 'a missing file'],
    [['--json'], 'a missing --type'],
    [['--type', 'cron'], 'an unknown --type'],
    [['--type', 'push', '--connect-to', 'nonsense'], 'a bad --connect-to'],
    [['--type', 'push', '--resolve', 'a:1:not-an-ip'], 'a bad --resolve'],
    [['--type', 'push', '--meta', '{oops'], 'bad JSON'],
  ])('exits with 2 for bad arguments: %j (%s)', async (args) => {
    const file = args[0] === '--type' && args[1] === 'pull' ? path.join(dir, 'does-not-exist.js') : await hook('ok.js', 'async function run() {}');
    const out = await cli(file, ...args);
    expect(out.code).toBe(2);
    expect(out.stderr).not.toBe('');
  });
});

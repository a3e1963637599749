/**
 * The "Remote hooks" section of docs/hooks.md: both signature checks it shows accept a
 * call signed as Hookyard signs it and refuse a changed one; the example remote hook
 * server runs as documented, and `hookyard run --remote` against it prints the documented
 * summary and records; the documented settings save a remote hook whose dry run
 * previews those records on a real `hookyard serve`.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { signatureHeader } from '../../src/sandbox/remote-call.js';
import { ROOT, assertBuilt } from '../helpers/serve-process.js';
import { codeBlocks, readDoc } from './markdown.js';
import { background, freePort, startRemote, substitute, type Background, type Substitutions } from './doc-shell.js';

type Headers = Record<string, string>;
type Check = (secret: string, headers: Headers, body: string | Buffer) => boolean;

const PAGE = readDoc('docs/hooks.md');
const blocks = codeBlocks(PAGE);
const annotated = (annotation: string) => {
  const block = blocks.find((b) => b.annotation === annotation);
  if (!block) throw new Error(`docs/hooks.md has no block annotated <!-- ${annotation} -->`);
  return block.code;
};
const START = 'node examples/remote-hook/server.js\n';

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
function signed(secrets: string[], body: string, timestamp = Math.floor(Date.now() / 1000)): Headers {
  const id = `msg_${randomBytes(16).toString('hex')}`;
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signatureHeader(secrets, id, timestamp, body), 'content-type': 'application/json' };
}

const crypto = (await import(path.join(ROOT, 'examples/remote-hook/verify.js'))) as { verifyHookyardCall: Check };
const sw = (await import(path.join(ROOT, 'examples/remote-hook/verify-standardwebhooks.js'))) as { verifiedPayload: (s: string, h: Headers, b: string | Buffer) => unknown };

describe('the signature checks of docs/hooks.md', () => {
  const checks: Array<[string, Check]> = [
    ['node:crypto', crypto.verifyHookyardCall],
    ['standardwebhooks', (secret, headers, body) => sw.verifiedPayload(secret, headers, body) !== null],
  ];

  test.each(checks)('%s accepts a call signed as Hookyard signs it, body as a string or a Buffer', (_name, check) => {
    const secret = newSecret();
    const body = JSON.stringify({ hook: { id: 'h', type: 'push', step: 'run' }, event: { id: 'é-1' } });
    const headers = signed([secret], body);
    expect(check(secret, headers, body)).toBe(true);
    expect(check(secret, headers, Buffer.from(body))).toBe(true);
  });

  test.each(checks)('%s refuses a changed body, another secret, a changed id and a stale or future timestamp', (_name, check) => {
    const secret = newSecret();
    const body = '{"event":{"id":"evt-1"}}';
    const headers = signed([secret], body);
    expect(check(secret, headers, body.replace('evt-1', 'evt-2'))).toBe(false);
    expect(check(newSecret(), headers, body)).toBe(false);
    expect(check(secret, { ...headers, 'webhook-id': 'msg_other' }, body)).toBe(false);
    expect(check(secret, { ...headers, 'webhook-signature': '' }, body)).toBe(false);
    const now = Math.floor(Date.now() / 1000);
    expect(check(secret, signed([secret], body, now - 6 * 60), body)).toBe(false);
    expect(check(secret, signed([secret], body, now + 6 * 60), body)).toBe(false);
    expect(check(secret, signed([secret], body, now - 4 * 60), body)).toBe(true);
  });

  test.each(checks)('%s accepts either signature while a secret is rotated', (_name, check) => {
    const [fresh, old] = [newSecret(), newSecret()];
    const body = '{}';
    const headers = signed([fresh, old], body);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(check(old, headers, body)).toBe(true);
    expect(check(fresh, headers, body)).toBe(true);
    expect(check(newSecret(), headers, body)).toBe(false);
  });
});

describe('the example remote hook server', () => {
  const KEY = 'hyk_docs_remote_test_0123456789abcdefghij';
  let dir: string;
  let subs: Substitutions;
  let remote: Background | undefined;
  let serve: Background | undefined;

  beforeAll(async () => {
    assertBuilt();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hookyard-doc-remote-'));
    subs = { servePort: await freePort(), mockPort: await freePort(), remotePort: await freePort(), dir };
    expect(blocks.some((b) => b.lang === 'sh' && b.code === START)).toBe(true);
    remote = await startRemote(START, subs);
  });

  afterAll(async () => {
    await serve?.stop();
    await remote?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  const sh = (command: string) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile('bash', ['-c', substitute(command, subs)], { cwd: ROOT, timeout: 30_000 }, (err, stdout, stderr) => {
        resolve({ status: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      });
    });
  const documentedRun = () => {
    const block = blocks.find((b) => b.lang === 'sh' && b.code.includes('run --remote https://hooks.example.test/hooks/people'));
    expect(block?.annotation).toBe('run: exit 0');
    return block!.code.trim();
  };
  const times = (text: string) => text.replace(/\d+(\.\d+)? ms/g, 'N ms');

  test('hookyard run --remote prints the documented summary and records', { timeout: 60_000 }, async () => {
    const text = await sh(documentedRun());
    expect(text.stderr).toBe('');
    expect(text.status).toBe(0);
    expect(times(text.stdout)).toBe(times(annotated('remote-output: text')));

    const json = await sh(`${documentedRun()} --json`);
    const record = JSON.parse(json.stdout);
    expect(record).toMatchObject({ status: 'completed', pages: 3, counts: { processed: 4, created: 4, failed: 0 } });
    expect(record.records).toEqual(JSON.parse(annotated('remote-output: records')));
    expect(record.http).toHaveLength(6);
  });

  test('refuses a call that is not signed with its secret, and hookyard run with another secret fails as documented', { timeout: 60_000 }, async () => {
    const ca = await fs.readFile(path.join(dir, 'remote-ca.pem'), 'utf8');
    const body = JSON.stringify({ hook: { id: 'h', type: 'pull', step: 'run' }, execution: { dryRun: true } });
    const post = (headers: Headers) =>
      new Promise<number>((resolve, reject) => {
        const req = https.request({ host: '127.0.0.1', port: subs.remotePort, path: '/hooks/people', method: 'POST', servername: 'hooks.example.test', ca, headers }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode!));
        });
        req.on('error', reject);
        req.end(body);
      });
    const secret = (await fs.readFile(path.join(dir, 'signing-secret.txt'), 'utf8')).trim();
    expect(await post(signed([secret], body))).toBe(200);
    expect(await post(signed([newSecret()], body))).toBe(401);
    expect(await post({ 'content-type': 'application/json' })).toBe(401);

    await fs.writeFile(path.join(dir, 'other-secret.txt'), newSecret());
    const other = await sh(documentedRun().replace('examples/remote-hook/signing-secret.txt', path.join(dir, 'other-secret.txt')));
    expect(other.status).toBe(1);
    expect(other.stdout).toContain(`error: The remote hook answered 401: {"error":"not signed with this hook's secret"}`);
  });

  test('the documented settings save a remote PULL hook whose dry run previews the same records', { timeout: 60_000 }, async () => {
    serve = await background(`exec ./bin/hookyard.js serve --data-dir ${path.join(dir, 'data')}`, {
      env: {
        HOOKYARD_PORT: String(subs.servePort),
        HOOKYARD_ADMIN_KEY: KEY,
        HOOKYARD_LOG_LEVEL: 'warn',
        HOOKYARD_EGRESS_CONNECT_TO: `hooks.example.test:443:127.0.0.1:${subs.remotePort}`,
        HOOKYARD_EGRESS_ALLOW_PRIVATE: 'true',
        HOOKYARD_EGRESS_CA_FILE: path.join(dir, 'remote-ca.pem'),
      },
      ready: /listening on http:\/\/\S+/,
    });
    const api = async (method: string, p: string, body?: unknown) => {
      const res = await fetch(`http://127.0.0.1:${subs.servePort}${p}`, {
        method,
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    const integration = (await api('POST', '/v1/integrations', { name: 'Own service', sourceSystemKey: 'own' })).body.id;
    const secret = (await fs.readFile(path.join(dir, 'signing-secret.txt'), 'utf8')).trim();
    const settings = JSON.parse(annotated('remote-hook-settings').replace('whsec_…', secret));
    const created = await api('POST', `/v1/integrations/${integration}/hooks`, settings);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain(secret);
    expect(created.body.remote).toEqual({ url: settings.remote.url, steps: ['preSavePage'] });

    const dry = await api('POST', `/v1/hooks/${created.body.id}/test`, {});
    expect(dry.body).toMatchObject({ status: 'completed', dryRun: true, pages: 3, counts: { processed: 4, wouldCreate: 4 } });
    const records = JSON.parse(annotated('remote-output: records')) as Array<{ externalId: string }>;
    expect(dry.body.preview.map((p: { externalId: string; outcome: string }) => [p.externalId, p.outcome])).toEqual(records.map((r) => [r.externalId, 'would-create']));
    expect(dry.body.http.map((h: { method: string; url: string; status: number }) => `${h.method} ${h.url} ${h.status}`)).toEqual(
      Array(6).fill('POST https://hooks.example.test/hooks/people 200'),
    );
    expect(dry.body.logs.filter((l: { level: string }) => l.level !== 'info')).toEqual([]);
  });
});

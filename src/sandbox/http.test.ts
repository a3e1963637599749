import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHttpsServer } from '../../test/helpers/https-server.js';
import type { TestHttpsServer } from '../../test/helpers/https-server.js';
import { MemoryKvStore } from './kv.js';
import { createIsolateSandbox } from './isolate-sandbox.js';
import { createSandbox } from './supervisor.js';
import type { RunRequest, Sandbox } from './types.js';

const HOST = 'api.example.test';
let server: TestHttpsServer;
let sandbox: Sandbox;
let version = 0;

beforeAll(async () => {
  server = await startHttpsServer(HOST, (req, res) => {
    const url = new URL(req.url, `https://${HOST}`);
    switch (url.pathname) {
      case '/echo':
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ method: req.method, query: Object.fromEntries(url.searchParams), headers: req.headers, body: req.body }));
        return;
      case '/text':
        res.setHeader('content-type', 'text/plain');
        res.end('plain words');
        return;
      case '/missing':
        res.statusCode = 404;
        res.setHeader('content-type', 'application/json');
        res.end('{"error":"nope"}');
        return;
      case '/redirect':
        res.statusCode = 302;
        res.setHeader('location', `https://${HOST}/echo`);
        res.end();
        return;
      case '/big':
        // Chunked with no length, so the cut must happen while streaming.
        for (let i = 0; i < 64; i++) res.write('x'.repeat(1024));
        res.end();
        return;
      case '/hang':
        return;
      default:
        res.statusCode = 500;
        res.end();
    }
  });
  sandbox = createSandbox({
    egress: { allowPrivate: true, connectTo: [{ host: HOST, port: 443, address: '127.0.0.1', toPort: server.port }], ca: server.ca },
  });
});

afterAll(async () => {
  await sandbox?.close();
  await server?.close();
});

function run(code: string, extra: Partial<RunRequest> = {}) {
  return sandbox.run({ orgId: 'org', hookId: 'http', hookVersion: ++version, type: 'push', code, kv: new MemoryKvStore(), ...extra });
}

describe('the HTTP log tells what happened on the wire', () => {
  test('logs the URL as it was sent: no raw line breaks', async () => {
    const result = await run(`async function run(ctx) { await ctx.http.get('https://${HOST}/ech\\r\\no?a=1\\r\\nX-Injected: 1'); }`);
    expect(result.http).toHaveLength(1);
    expect(result.http[0].url).not.toMatch(/[\r\n]/);
    expect(result.http[0].url).toBe(`https://${HOST}/echo?a=1X-Injected:%201`);
  });

  test('records a request the hook did not wait for, since it may have reached its server', async () => {
    const result = await run(`async function run(ctx) { ctx.http.post('https://${HOST}/hang', { fire: 'and forget' }); await new Promise((r) => setTimeout(r, 200)); }`);
    expect(result.status).toBe('completed');
    expect(result.http).toEqual([expect.objectContaining({ method: 'POST', url: `https://${HOST}/hang`, status: 0, error: 'the run ended before the response arrived' })]);
  });

  test('redacts a secret password even after the query option re-serialised the URL', async () => {
    const result = await run(`async function run(ctx) { await ctx.http.get('https://user:' + encodeURIComponent(ctx.secrets.pw) + '@${HOST}/echo', { query: { a: '1' } }); }`, {
      secrets: { pw: 'P@ss w0rd~!' },
    });
    expect(result.http[0].url).toBe(`https://user:[secret:pw]@${HOST}/echo?a=1`);
  });
});

describe('ctx.http against a local HTTPS server', () => {
  test('sends a GET with query and headers and parses a JSON response', async () => {
    const result = await run(`async function run(ctx) {
      const res = await ctx.http.get('https://${HOST}/echo', { query: { page: 2, tags: ['a', 'b'] }, headers: { 'X-Trace': 'abc', 'User-Agent': 'evil/1.0' } });
      return { status: res.status, body: res.body, type: res.headers['content-type'] };
    }`);
    expect(result.status).toBe('completed');
    const value = result.value as { status: number; body: { method: string; query: Record<string, string>; headers: Record<string, string> }; type: string };
    expect(value.status).toBe(200);
    expect(value.type).toBe('application/json');
    expect(value.body.method).toBe('GET');
    expect(value.body.query).toEqual({ page: '2', tags: 'b' });
    expect(value.body.headers['x-trace']).toBe('abc');
    expect(value.body.headers['user-agent']).toBe('Hookyard-Hook/1.0');
    expect(server.requests.at(-1)?.url).toBe('/echo?page=2&tags=a&tags=b');
    expect(result.http).toEqual([
      expect.objectContaining({ method: 'GET', url: `https://${HOST}/echo?page=2&tags=a&tags=b`, status: 200, requestBytes: 0 }),
    ]);
    expect(result.http[0].responseBytes).toBeGreaterThan(0);
  });

  test('sends an object body as JSON and a string body as it is', async () => {
    const result = await run(`async function run(ctx) {
      const a = await ctx.http.post('https://${HOST}/echo', { name: 'Ada' });
      const b = await ctx.http.put('https://${HOST}/echo', 'raw text', { headers: { 'content-type': 'text/plain' } });
      const c = await ctx.http.patch('https://${HOST}/echo', [1, 2]);
      const d = await ctx.http.delete('https://${HOST}/echo');
      const e = await ctx.http.request({ method: 'post', url: 'https://${HOST}/echo', body: { x: 1 } });
      return [a, b, c, d, e].map((r) => ({ m: r.body.method, body: r.body.body, type: r.body.headers['content-type'] ?? null }));
    }`);
    expect(result.status).toBe('completed');
    expect(result.value).toEqual([
      { m: 'POST', body: '{"name":"Ada"}', type: 'application/json' },
      { m: 'PUT', body: 'raw text', type: 'text/plain' },
      { m: 'PATCH', body: '[1,2]', type: 'application/json' },
      { m: 'DELETE', body: '', type: null },
      { m: 'POST', body: '{"x":1}', type: 'application/json' },
    ]);
    expect(result.http.map((h) => h.requestBytes)).toEqual([14, 8, 5, 0, 7]);
  });

  test('returns text bodies as strings and non-2xx responses without throwing', async () => {
    const result = await run(`async function run(ctx) {
      const text = await ctx.http.get('https://${HOST}/text');
      const missing = await ctx.http.get('https://${HOST}/missing');
      return { text: text.body, status: missing.status, error: missing.body.error };
    }`);
    expect(result.value).toEqual({ text: 'plain words', status: 404, error: 'nope' });
  });

  test('returns redirects to the hook and never follows them', async () => {
    const before = server.requests.length;
    const result = await run(`async function run(ctx) {
      const res = await ctx.http.get('https://${HOST}/redirect');
      return { status: res.status, location: res.headers.location };
    }`);
    expect(result.value).toEqual({ status: 302, location: `https://${HOST}/echo` });
    expect(server.requests.slice(before).map((r) => r.url)).toEqual(['/redirect']);
  });

  test('cuts a response over the size limit while streaming and fails naming the limit', async () => {
    const result = await run(`async function run(ctx) { await ctx.http.get('https://${HOST}/big'); return 'unreachable'; }`, {
      limits: { httpResponseBytes: 16 * 1024 },
    });
    expect(result.status).toBe('failed');
    expect(result.error?.limit).toBe('httpResponseBytes');
    expect(result.error?.message).toMatch(/HTTP response size limit exceeded: a response body may be at most 16 KB/);
    expect(result.http[0].error).toMatch(/RESPONSE_TOO_LARGE/);
  });

  test('fails the run when it makes more requests than allowed, even if the hook catches the error', async () => {
    const result = await run(`async function run(ctx) {
      for (let i = 0; i < 5; i++) { try { await ctx.http.get('https://${HOST}/text'); } catch {} }
      return 'done';
    }`, { limits: { httpRequests: 3 } });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ limit: 'httpRequests', message: 'HTTP request limit exceeded: at most 3 requests per run' });
    expect(result.http).toHaveLength(3);
  });

  test('ends a request at its own timeout with an HttpError of code TIMEOUT', async () => {
    const result = await run(`async function run(ctx) {
      try { await ctx.http.get('https://${HOST}/hang', { timeoutMs: 150 }); } catch (err) { return { name: err.name, code: err.code }; }
    }`);
    expect(result.value).toEqual({ name: 'HttpError', code: 'TIMEOUT' });
    expect(result.http[0]).toMatchObject({ status: 0, error: expect.stringMatching(/^TIMEOUT/) });
  });

  test('redacts secrets from the HTTP log', async () => {
    const result = await run(`async function run(ctx) {
      await ctx.http.get('https://${HOST}/echo', { query: { key: ctx.secrets.apiKey }, headers: { authorization: 'Bearer ' + ctx.secrets.apiKey } });
    }`, { secrets: { apiKey: 's3cr3t-value' } });
    expect(result.status).toBe('completed');
    expect(result.http[0].url).toBe(`https://${HOST}/echo?key=[secret:apiKey]`);
    expect(JSON.stringify(result)).not.toContain('s3cr3t-value');
  });
});

describe('the egress settings around the local server', () => {
  test('refuses the loopback address when private addresses are not allowed', async () => {
    const strict = createSandbox({ egress: { connectTo: [{ host: HOST, port: 443, address: '127.0.0.1', toPort: server.port }], ca: server.ca } });
    try {
      const before = server.requests.length;
      const result = await strict.run({
        orgId: 'org', hookId: 'strict', hookVersion: 1, type: 'push', kv: new MemoryKvStore(),
        code: `async function run(ctx) { try { await ctx.http.get('https://${HOST}/echo'); } catch (err) { return err.code; } }`,
      });
      expect(result.value).toBe('BLOCKED_ADDRESS');
      expect(server.requests.length).toBe(before);
    } finally {
      await strict.close();
    }
  });

  test('rejects a server whose certificate is not trusted', async () => {
    const untrusting = createSandbox({ egress: { allowPrivate: true, connectTo: [{ host: HOST, port: 443, address: '127.0.0.1', toPort: server.port }] } });
    try {
      const result = await untrusting.run({
        orgId: 'org', hookId: 'tls', hookVersion: 1, type: 'push', kv: new MemoryKvStore(),
        code: `async function run(ctx) { try { await ctx.http.get('https://${HOST}/echo'); } catch (err) { return err.code; } }`,
      });
      expect(result.value).toBe('TLS_FAILED');
    } finally {
      await untrusting.close();
    }
  });

  test('reaches a name through an injected resolver and a resolve rule', async () => {
    const lookups: string[] = [];
    // An injected resolver cannot cross to a sandbox process: this test runs the engine in-process.
    const viaDns = createIsolateSandbox({
      egress: {
        allowPrivate: true,
        ca: server.ca,
        resolve: [{ host: 'other.example.test', port: server.port, address: '127.0.0.1' }],
        lookup: async (host: string) => {
          lookups.push(host);
          return ['127.0.0.1'];
        },
      },
    });
    try {
      const result = await viaDns.run({
        orgId: 'org', hookId: 'dns', hookVersion: 1, type: 'push', kv: new MemoryKvStore(),
        code: `async function run(ctx) {
          const a = await ctx.http.get('https://${HOST}:${server.port}/text');
          let b;
          try { await ctx.http.get('https://other.example.test:${server.port}/text'); } catch (err) { b = err.code; }
          return [a.body, b];
        }`,
      });
      // The certificate names only ${HOST}, so the second host fails TLS after connecting.
      expect(result.value).toEqual(['plain words', 'TLS_FAILED']);
      expect(lookups).toEqual([HOST]);
    } finally {
      await viaDns.close();
    }
  });
});

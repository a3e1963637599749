import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionContext, failureOf } from '../../../../test/helpers/action-context.js';
import { startHttpsServer, type TestHttpsServer } from '../../../../test/helpers/https-server.js';
import { Egress, USER_AGENT } from '../../../sandbox/index.js';
import httpRequest from './http-request.js';

const HOST = 'api.example.test';

describe('http_request', () => {
  let server: TestHttpsServer;
  let egress: Egress;
  let strict: Egress;

  beforeAll(async () => {
    server = await startHttpsServer(HOST, (req, res) => {
      const path = req.url.split('?')[0];
      if (path === '/json') {
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end(JSON.stringify({ got: req.body === '' ? null : JSON.parse(req.body), method: req.method }));
      } else if (path === '/text') {
        res.setHeader('content-type', 'text/plain');
        res.end('plain words');
      } else if (path === '/missing') {
        res.statusCode = 404;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ error: 'no such order', pad: 'x'.repeat(2000) }));
      } else if (path === '/moved') {
        res.statusCode = 302;
        res.setHeader('location', 'https://elsewhere.example.test/');
        res.end();
      } else if (path === '/slow') {
        // Never answers: only the caller's signal ends the request.
      } else {
        res.end('ok');
      }
    });
    const connectTo = [{ host: HOST, port: 443, address: '127.0.0.1', toPort: server.port }];
    egress = new Egress({ allowPrivate: true, ca: server.ca, connectTo });
    // The same rules without the development setting: loopback stays out of reach.
    strict = new Egress({ ca: server.ca, connectTo });
  });
  afterAll(async () => {
    await Promise.all([egress?.close(), strict?.close()]);
    await server?.close();
  });

  it('sends the request through the egress policy and answers status, headers and the parsed JSON body', async () => {
    const { ctx, http } = actionContext({ egress });
    const result = await httpRequest.run({ method: 'POST', url: `https://${HOST}/json?q=1`, headers: { 'X-Order': 'A-1' }, body: { order: 'A-1', lines: [1, 2] } }, ctx);
    expect(result).toMatchObject({ responseStatus: 200, response: { status: 200, body: { got: { order: 'A-1', lines: [1, 2] }, method: 'POST' } } });
    expect((result.response as { headers: Record<string, string> }).headers['content-type']).toBe('application/json; charset=utf-8');
    const received = server.requests.at(-1)!;
    expect(received).toMatchObject({ method: 'POST', url: '/json?q=1' });
    expect(received.headers).toMatchObject({ 'x-order': 'A-1', 'content-type': 'application/json', 'user-agent': USER_AGENT });
    expect(http).toEqual([{ method: 'POST', url: `https://${HOST}/json?q=1`, status: 200, durationMs: expect.any(Number), requestBytes: 29, responseBytes: expect.any(Number) }]);
  });

  it('sends a string body as it is and answers a text body as text', async () => {
    const { ctx } = actionContext({ egress });
    const result = await httpRequest.run({ method: 'PUT', url: `https://${HOST}/text`, headers: { 'content-type': 'text/csv' }, body: 'a,b\n1,2' }, ctx);
    expect(result.response).toMatchObject({ status: 200, body: 'plain words' });
    expect(server.requests.at(-1)).toMatchObject({ method: 'PUT', body: 'a,b\n1,2', headers: { 'content-type': 'text/csv' } });
  });

  it('fails on a non-2xx answer with its status and the start of its body, and logs the call', async () => {
    const { ctx, http } = actionContext({ egress });
    const failure = httpRequest.run({ method: 'GET', url: `https://${HOST}/missing` }, ctx);
    await expect(failure).rejects.toMatchObject({ details: { status: 404 } });
    const message = (await failureOf(failure)).message;
    expect(message).toMatch(new RegExp(`^GET https://${HOST}/missing answered 404: \\{"error":"no such order"`));
    expect(message.length).toBeLessThan(700);
    expect(http.map((e) => e.status)).toEqual([404]);
  });

  it('does not follow a redirect: a 302 is an answer, and fails the action', async () => {
    const { ctx } = actionContext({ egress });
    await expect(httpRequest.run({ method: 'GET', url: `https://${HOST}/moved` }, ctx)).rejects.toThrow('answered 302');
    expect(server.requests.at(-1)!.url).toBe('/moved');
  });

  it('refuses a private address without the development setting, and sends nothing', async () => {
    const before = server.requests.length;
    const { ctx, http } = actionContext({ egress: strict });
    await expect(httpRequest.run({ method: 'GET', url: `https://${HOST}/json` }, ctx)).rejects.toThrow(/BLOCKED_ADDRESS: Host api\.example\.test resolves to a loopback address/);
    await expect(httpRequest.run({ method: 'GET', url: `https://127.0.0.1:${server.port}/json` }, ctx)).rejects.toThrow(/BLOCKED_ADDRESS/);
    expect(server.requests.length).toBe(before);
    expect(http.map((e) => [e.status, e.error?.split(':')[0]])).toEqual([
      [0, 'BLOCKED_ADDRESS'],
      [0, 'BLOCKED_ADDRESS'],
    ]);
  });

  it("stops when the run's signal ends", async () => {
    const controller = new AbortController();
    const { ctx, http } = actionContext({ egress }, { signal: controller.signal });
    const pending = httpRequest.run({ method: 'GET', url: `https://${HOST}/slow` }, ctx);
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toThrow(/TIMEOUT/);
    expect(http[0]).toMatchObject({ status: 0, error: expect.stringMatching(/^TIMEOUT/) });
  });

  it('logs the URL with its user name and password redacted, and never a header value', async () => {
    const { ctx, http } = actionContext({ egress });
    const failure = httpRequest.run({ method: 'GET', url: `https://robot:hunter2-pass@${HOST}/missing`, headers: { authorization: 'Bearer tok-777' } }, ctx);
    const error = await failureOf(failure);
    expect(server.requests.at(-1)!.headers.authorization).toBe('Bearer tok-777');
    const shown = JSON.stringify({ http, message: error.message });
    expect(shown).not.toMatch(/hunter2|robot|tok-777/);
    expect(http[0]!.url).toBe(`https://[secret:url user]:[secret:url password]@${HOST}/missing`);
  });

  it('fails on rendered params it cannot send, before any request', async () => {
    const before = server.requests.length;
    const { ctx, http } = actionContext({ egress });
    await expect(httpRequest.run({ method: 'GET', url: `http://${HOST}/` }, ctx)).rejects.toThrow('params/url must be an https URL');
    await expect(httpRequest.run({ method: 'GET', url: 'not a url' }, ctx)).rejects.toThrow('params/url must be an absolute URL');
    await expect(httpRequest.run({ method: 'GET', url: `https://${HOST}/`, headers: { 'content-length': '9' } }, ctx)).rejects.toThrow(
      'params/headers/content-length is set by the transport',
    );
    expect(server.requests.length).toBe(before);
    expect(http).toEqual([]);
  });

  it('fails clearly in a process with no outbound client', async () => {
    const { ctx } = actionContext({});
    await expect(httpRequest.run({ method: 'GET', url: `https://${HOST}/` }, ctx)).rejects.toThrow('no outbound HTTP client');
  });
});

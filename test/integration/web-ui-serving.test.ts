import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ENGINES } from '../helpers/stores.js';

const INDEX = '<!doctype html><title>Hookyard UI</title>';
const BIG = `const big = ${JSON.stringify('x'.repeat(5000))};`;

describe('the web UI at /', () => {
  let dir: string;
  let built: TestApp;
  let unbuilt: TestApp;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hookyard-web-'));
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), INDEX);
    fs.writeFileSync(path.join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dir, 'assets', 'big-5678.js'), BIG);
    fs.writeFileSync(path.join(dir, 'assets', 'big-5678.js.br'), zlib.brotliCompressSync(BIG));
    fs.writeFileSync(path.join(dir, 'assets', 'big-5678.js.gz'), zlib.gzipSync(BIG));
    built = await createTestApp(ENGINES[0], { webDir: dir });
    unbuilt = await createTestApp(ENGINES[0], { webDir: path.join(dir, 'missing') });
  });
  afterAll(async () => {
    await built?.dispose();
    await unbuilt?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at / and at the paths the UI routes itself', async () => {
    for (const url of ['/', '/integrations/abc', '/hooks/x/executions?status=failed']) {
      const res = await built.call(undefined, { method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toBe(INDEX);
      expect(res.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves built assets with a long cache life', async () => {
    const res = await built.call(undefined, { method: 'GET', url: '/assets/app-1234.js' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('console.log(1)');
    expect(res.headers['cache-control']).toContain('immutable');
  });

  it('sends the compressed copy the build wrote beside an asset to a browser that accepts it, the asset itself to one that does not', async () => {
    const url = '/assets/big-5678.js';
    const br = await built.call(undefined, { method: 'GET', url, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(zlib.brotliDecompressSync(br.rawPayload).toString()).toBe(BIG);
    expect(br.headers['cache-control']).toContain('immutable');
    const gz = await built.call(undefined, { method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.rawPayload).toString()).toBe(BIG);
    const plain = await built.call(undefined, { method: 'GET', url, headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(BIG);
  });

  it("never answers the API's paths with the UI", async () => {
    for (const url of ['/v1/nothing-here', '/v1', '/inbound/acme/nothing', '/docs/nothing', '/assets/missing.js']) {
      const res = await built.call(undefined, { method: 'GET', url });
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.body, url).not.toContain('Hookyard UI');
    }
    expect((await built.call(undefined, { method: 'GET', url: '/v1/nothing-here' })).json().error.code).toBe('HY_NOT_FOUND');
    expect((await built.call(undefined, { method: 'POST', url: '/integrations' })).json().error.code).toBe('HY_NOT_FOUND');
    expect((await built.call(undefined, { method: 'GET', url: '/openapi.json' })).json().openapi).toBe('3.0.3');
    expect((await built.call(undefined, { method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('says how to build the UI when it is not built', async () => {
    const res = await unbuilt.call(undefined, { method: 'GET', url: '/integrations' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build');
    expect((await unbuilt.call(undefined, { method: 'GET', url: '/nothing.js' })).statusCode).toBe(503);
  });
});

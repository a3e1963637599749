import { afterAll, describe, expect, test } from 'vitest';
import { MemoryKvStore } from './kv.js';
import { createSandbox } from './supervisor.js';
import type { RunRequest } from './types.js';

const sandbox = createSandbox();
afterAll(() => sandbox.close());

let version = 0;
function run(code: string, extra: Partial<RunRequest> = {}) {
  return sandbox.run({ orgId: 'org-a', hookId: 'hook', hookVersion: ++version, type: 'push', code, kv: new MemoryKvStore(), ...extra });
}

describe('code forms', () => {
  test('runs a plain script that defines async function run(ctx)', async () => {
    const result = await run('async function run(ctx) { return { ok: true }; }');
    expect(result).toMatchObject({ status: 'completed', value: { ok: true }, logs: [], http: [] });
    expect(result.durationMs).toBeGreaterThan(0);
  });

  test('finds run declared with const in a script', async () => {
    expect((await run('const run = async () => 7;')).value).toBe(7);
  });

  test('runs an ES module exporting run by name or as default', async () => {
    expect((await run('export async function run(ctx) { return "named"; }')).value).toBe('named');
    expect((await run('export default async function (ctx) { return "default"; }')).value).toBe('default');
    expect((await run('export default { async run(ctx) { return "object"; } };')).value).toBe('object');
  });

  test('strips TypeScript types before running', async () => {
    const code = 'interface Out { n: number }\nenum K { A = 1 }\nexport async function run(ctx: unknown): Promise<Out> { return { n: K.A as number }; }';
    expect((await run(code, { language: 'typescript' })).value).toEqual({ n: 1 });
  });

  test('calls a flow step with ctx and input', async () => {
    const code = 'async function run() {}\nasync function preMap(ctx, input) { return { records: input.records.map((r) => ({ ...r, seen: ctx.params.tag })) }; }';
    const result = await run(code, { entry: 'preMap', input: { records: [{ externalId: '1' }] }, ctx: { params: { tag: 'x' } } });
    expect(result.value).toEqual({ records: [{ externalId: '1', seen: 'x' }] });
  });

  test('fails clearly when the entry point is missing', async () => {
    const result = await run('async function run() {}', { entry: 'postAggregate' });
    expect(result).toMatchObject({ status: 'failed', error: { message: 'The hook does not define postAggregate()' } });
  });

  test('reports a syntax error with line and column in the user source', async () => {
    const result = await run('async function run(ctx) {\n  const a = 1;\n  return a +* 2;\n}');
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ line: 3, column: 13 });
    expect(result.error?.message).toMatch(/^SyntaxError: Unexpected token '\*'/);
  });

  test('reports a TypeScript syntax error at its place in the TypeScript source', async () => {
    const result = await run('const a: number = 1;\nexport async function run(ctx: any) {\n  return a +;\n}', { language: 'typescript' });
    expect(result.error).toMatchObject({ line: 3, column: 13 });
  });

  test('maps a runtime error to the user line, keeping only user frames', async () => {
    const code = 'function helper(x) {\n  return x.missing.deeper;\n}\nasync function run(ctx) {\n  return helper({});\n}';
    const result = await run(code);
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ line: 2, column: 20, message: "TypeError: Cannot read properties of undefined (reading 'deeper')" });
    expect(result.error?.stack.split('\n').slice(1)).toEqual(['    at helper (hook.js:2:20)', '    at run (hook.js:5:10)']);
  });

  test('maps a runtime error in TypeScript through the source map', async () => {
    const code = 'type T = { a?: { b: number } };\n\nexport async function run(ctx: unknown): Promise<number> {\n  const t: T = {};\n  return t.a!.b;\n}';
    const result = await run(code, { language: 'typescript' });
    expect(result.error).toMatchObject({ line: 5, column: 15 });
    expect(result.error?.stack).toContain('at run (hook.ts:5:15)');
  });

  test('reports thrown non-errors and errors from top-level code', async () => {
    expect((await run('async function run() { throw "plain"; }')).error?.message).toBe('plain');
    expect((await run('async function run() { throw { message: "shaped", code: "E1" }; }')).error).toMatchObject({ message: 'shaped', code: 'E1' });
    const top = await run('const x = 1;\nnull.boom;\nasync function run() {}');
    expect(top.status).toBe('failed');
    expect(top.error).toMatchObject({ line: 2 });
  });
});

describe('the ctx object', () => {
  const data = {
    meta: { page: 2 },
    event: { id: 'ev1', changeType: 'update' },
    request: { operation: 'get' },
    response: { status: 200, body: {} },
    params: { region: 'eu' },
    org: { id: 'o1', slug: 'acme', name: 'Acme', timeZone: 'UTC' },
    integration: { id: 'i1', name: 'HR', sourceSystemKey: 'hr' },
    execution: { id: 'e1', hookId: 'h1', trigger: 'manual', dryRun: false, attempt: 1, page: 2 },
  };

  test('carries every JSON member as a copy', async () => {
    const result = await run('async function run(ctx) { const { meta, event, request, response, params, org, integration, execution } = ctx; return { meta, event, request, response, params, org, integration, execution }; }', { ctx: data });
    expect(result.value).toEqual(data);
  });

  test('leaves ctx.meta undefined on the first page', async () => {
    expect((await run('async function run(ctx) { return ctx.meta === undefined; }')).value).toBe(true);
  });

  test('offers secrets read-only and redacts them from the logs, never from the returned value', async () => {
    const code = `async function run(ctx) {
      ctx.log.info('token is ' + ctx.secrets.token, { nested: [ctx.secrets.token] });
      console.log('again', ctx.secrets.token);
      ctx.secrets.token = 'x';
      if (ctx.secrets.token !== 'hunter2-long') throw new Error('changed');
      return { echoed: ctx.secrets.token, key: { [ctx.secrets.token]: 1 } };
    }`;
    const result = await run(code, { secrets: { token: 'hunter2-long' } });
    expect(result.status).toBe('completed');
    expect(JSON.stringify({ ...result, value: undefined })).not.toContain('hunter2-long');
    // What a hook returns is its to give (a record, an override): redaction is for what people read.
    expect(result.value).toEqual({ echoed: 'hunter2-long', key: { 'hunter2-long': 1 } });
    expect(result.logs.map((l) => [l.level, l.message, l.data])).toEqual([
      ['info', 'token is [secret:token]', { nested: ['[secret:token]'] }],
      ['info', 'again [secret:token]', undefined],
    ]);
  });

  test('redacts secrets from error messages and stacks', async () => {
    const result = await run('async function run(ctx) { throw new Error("bad key " + ctx.secrets.key); }', { secrets: { key: 'k-123456' } });
    expect(result.error?.message).toBe('bad key [secret:key]');
    expect(result.error?.stack).not.toContain('k-123456');
  });

  test('logs at every level through ctx.log and console', async () => {
    const code = `async function run(ctx) {
      ctx.log.debug('d'); ctx.log.info('i', { n: 1 }); ctx.log.warn('w'); ctx.log.error('e');
      console.log('a', 1, { b: 2 }, [3]); console.info('ci'); console.warn('cw'); console.error(new Error('ce')); console.debug('cd');
    }`;
    const result = await run(code);
    expect(result.logs.map((l) => `${l.level}:${l.message.split('\n')[0]}`)).toEqual([
      'debug:d', 'info:i', 'warn:w', 'error:e', 'info:a 1 {"b":2} [3]', 'info:ci', 'warn:cw', 'error:Error: ce', 'debug:cd',
    ]);
    expect(result.logs[1].data).toEqual({ n: 1 });
    expect(Date.parse(result.logs[0].ts)).not.toBeNaN();
  });

  test('stores, reads, lists and deletes KV entries through the store interface', async () => {
    const kv = new MemoryKvStore();
    const code = `async function run(ctx) {
      await ctx.kv.set('cursor:a', { at: 1 });
      await ctx.kv.set('cursor:b', [1, 2], { ttlSeconds: 60 });
      await ctx.kv.set('other', 'x');
      const listed = await ctx.kv.list('cursor:');
      await ctx.kv.delete('cursor:b');
      return { a: await ctx.kv.get('cursor:a'), b: await ctx.kv.get('cursor:b'), listed, all: await ctx.kv.list() };
    }`;
    const result = await run(code, { kv });
    expect(result.value).toEqual({ a: { at: 1 }, b: null, listed: ['cursor:a', 'cursor:b'], all: ['cursor:a', 'other'] });
    expect(await kv.get('other')).toBe('x');
  });

  test('keeps KV writes of a dry run away from the store while the run still sees them', async () => {
    const kv = new MemoryKvStore();
    await kv.set('seen', 1, { ttlSeconds: 60 });
    const code = `async function run(ctx) {
      await ctx.kv.set('new', 2); await ctx.kv.delete('seen');
      return { new: await ctx.kv.get('new'), seen: await ctx.kv.get('seen'), keys: await ctx.kv.list('') };
    }`;
    const result = await run(code, { kv, dryRun: true });
    expect(result.value).toEqual({ new: 2, seen: null, keys: ['new'] });
    expect(await kv.list('')).toEqual(['seen']);
  });

  test('reports a failing KV store as an error the hook can catch', async () => {
    const broken = { get: async () => { throw new Error('db down'); }, set: async () => {}, delete: async () => {}, list: async () => [], usage: async () => ({ entries: 0, chars: 0 }) };
    const result = await run('async function run(ctx) { try { await ctx.kv.get("k"); } catch (e) { return e.message; } }', { kv: broken });
    expect(result.value).toBe('KV store error: db down');
  });

  test('rejects KV calls with a bad key or value without breaking the run', async () => {
    const code = `async function run(ctx) {
      const out = [];
      for (const f of [() => ctx.kv.get(''), () => ctx.kv.set('k', undefined), () => ctx.kv.set('k', 1, { ttlSeconds: -1 })]) {
        try { await f(); out.push('ok'); } catch (e) { out.push(e.name); }
      }
      return out;
    }`;
    expect((await run(code)).value).toEqual(['TypeError', 'TypeError', 'TypeError']);
  });
});

describe('standard globals', () => {
  test('provides URL, URLSearchParams, TextEncoder/Decoder, base64, structuredClone and crypto', async () => {
    const code = `async function run() {
      const u = new URL('/p?a=1&b=x+y', 'https://Example.org:443');
      u.searchParams.append('c', 'd e');
      u.hash = 'frag';
      const q = new URLSearchParams({ x: '1', y: 'ä&' });
      const bytes = new TextEncoder().encode('€😀');
      const clone = structuredClone({ d: new Date(0), m: new Map([[1, { s: new Set([2]) }]]) });
      return {
        href: u.href, host: u.host, b: u.searchParams.get('b'), q: q.toString(), canParse: URL.canParse('nope'),
        bytes: Array.from(bytes), text: new TextDecoder().decode(bytes),
        b64: btoa('hi!'), unb64: atob('aGkh'),
        clone: [clone.d instanceof Date, clone.m.get(1).s.has(2)],
        uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()),
        random: crypto.getRandomValues(new Uint8Array(8)).length,
      };
    }`;
    const result = await run(code);
    expect(result.value).toEqual({
      href: 'https://example.org/p?a=1&b=x+y&c=d+e#frag', host: 'example.org', b: 'x y', q: 'x=1&y=%C3%A4%26', canParse: false,
      bytes: [226, 130, 172, 240, 159, 152, 128], text: '€😀', b64: 'aGkh', unb64: 'hi!', clone: [true, true], uuid: true, random: 8,
    });
  });

  test('runs setTimeout and setInterval within the run', async () => {
    const code = `async function run() {
      const order = [];
      await new Promise((resolve) => setTimeout(() => { order.push('timeout'); resolve(); }, 5));
      let ticks = 0;
      await new Promise((resolve) => { const id = setInterval(() => { if (++ticks === 3) { clearInterval(id); resolve(); } }, 1); });
      const cancelled = setTimeout(() => order.push('never'), 1);
      clearTimeout(cancelled);
      await new Promise((resolve) => setTimeout(resolve, 10));
      queueMicrotask(() => order.push('micro'));
      await null;
      return { order, ticks };
    }`;
    expect((await run(code)).value).toEqual({ order: ['timeout', 'micro'], ticks: 3 });
  });

  test('has no require, process, module import or host objects', async () => {
    const code = `async function run() {
      let dynamicImport;
      try { await import('fs'); dynamicImport = 'loaded'; } catch (e) { dynamicImport = 'refused'; }
      return { require: typeof require, process: typeof process, module: typeof module, Buffer: typeof Buffer, dynamicImport,
        globals: Object.getOwnPropertyNames(globalThis).filter((n) => /^(_?ivm|host.*|Reference|Callback|ExternalCopy|Isolate|bootstrap|entry)$/i.test(n)) };
    }`;
    expect((await run(code)).value).toEqual({ require: 'undefined', process: 'undefined', module: 'undefined', Buffer: 'undefined', dynamicImport: 'refused', globals: [] });
    const importing = await run('import fs from "fs";\nexport async function run() {}');
    expect(importing.status).toBe('failed');
    expect(importing.error?.message).toMatch(/Cannot import "fs"/);
  });
});

describe('isolation between runs', () => {
  test('reuses a context for the same hook version, so its globals persist', async () => {
    const code = 'let count = 0;\nasync function run() { return ++count; }';
    const req = { orgId: 'org-a', hookId: 'counter', hookVersion: 1, type: 'push' as const, code, kv: new MemoryKvStore() };
    expect((await sandbox.run(req)).value).toBe(1);
    expect((await sandbox.run(req)).value).toBe(2);
    expect((await sandbox.run({ ...req, hookVersion: 2 })).value).toBe(1);
  });

  test('never shares globals between organisations', async () => {
    const code = 'async function run(ctx) { const seen = globalThis.mark; globalThis.mark = ctx.org.id; return seen ?? null; }';
    const base = { hookId: 'shared-code', hookVersion: 1, type: 'push' as const, code, kv: new MemoryKvStore() };
    await sandbox.run({ ...base, orgId: 'org-1', ctx: { org: { id: 'org-1' } } });
    const other = await sandbox.run({ ...base, orgId: 'org-2', ctx: { org: { id: 'org-2' } } });
    expect(other.value).toBeNull();
  });

  test('starts from a fresh context every run when reuse is off', async () => {
    const fresh = createSandbox({ reuseContexts: false });
    try {
      const req = { orgId: 'o', hookId: 'h', hookVersion: 1, type: 'push' as const, code: 'let n = 0; async function run() { return ++n; }', kv: new MemoryKvStore() };
      expect((await fresh.run(req)).value).toBe(1);
      expect((await fresh.run(req)).value).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  test('refuses an unknown entry point name as a bad request', async () => {
    await expect(run('async function run() {}', { entry: 'constructor' as never })).rejects.toMatchObject({ code: 'HY_BAD_REQUEST' });
  });
});

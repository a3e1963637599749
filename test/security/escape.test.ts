/**
 * Escape attempts from hook code. Every one must end inside the isolate: no host
 * object, function or prototype reachable, nothing of the host changed, and the
 * process (and the next run) unharmed.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { MemoryKvStore, createSandbox } from '../../src/sandbox/index.js';
import type { RunRequest } from '../../src/sandbox/index.js';

const sandbox = createSandbox();
afterAll(() => sandbox.close());

let version = 0;
function run(code: string, extra: Partial<RunRequest> = {}) {
  return sandbox.run({ orgId: 'org-escape', hookId: 'escape', hookVersion: ++version, type: 'push', code, kv: new MemoryKvStore(), limits: { timeMs: 1000 }, ...extra });
}

const HANDED_IN = [
  'ctx', 'ctx.http', 'ctx.http.get', 'ctx.kv', 'ctx.kv.get', 'ctx.log', 'ctx.log.info', 'ctx.secrets', 'ctx.meta', 'ctx.event',
  'ctx.params', 'ctx.org', 'console', 'console.log', 'setTimeout', 'URL', 'new URL("https://a.test")', 'crypto', 'crypto.randomUUID',
  'TextEncoder', 'structuredClone', 'response', 'stored', 'hostError',
];

describe('constructor chains', () => {
  test('from every object handed in reach only the isolate itself', async () => {
    const code = `async function run(ctx) {
      const stored = (await ctx.kv.set('k', { a: 1 }), await ctx.kv.get('k'));
      let hostError; try { await ctx.kv.get(''); } catch (e) { hostError = e; }
      let response; try { await ctx.http.get('https://10.0.0.1/'); } catch (e) { response = e; }
      const out = {};
      for (const expr of ${JSON.stringify(HANDED_IN)}) {
        const value = eval(expr);
        const F = value.constructor.constructor;
        const g = F('return this')();
        out[expr] = [F === Function, g === globalThis, typeof g.process, typeof g.require, typeof F('try { return process } catch { return undefined }')()];
      }
      return out;
    }`;
    const result = await run(code, { ctx: { meta: { m: 1 }, event: { e: 1 }, params: { p: 1 }, org: { id: 'o' } } });
    expect(result.status).toBe('completed');
    const expected = Object.fromEntries(HANDED_IN.map((e) => [e, [true, true, 'undefined', 'undefined', 'undefined']]));
    expect(result.value).toEqual(expected);
  });

  test('Function, eval and indirect eval find no process, require or host globals', async () => {
    const code = `async function run() {
      return [
        typeof Function('return this')().process,
        typeof eval('typeof require === "undefined" ? undefined : require'),
        typeof (0, eval)('this').global,
        typeof (async () => {}).constructor('return this')().Buffer,
        typeof (function* () {}).constructor('return this')().module,
      ];
    }`;
    expect((await run(code)).value).toEqual(['undefined', 'undefined', 'undefined', 'undefined', 'undefined']);
  });
});

describe('prototype pollution', () => {
  test('of handed-in objects changes nothing on the host or in other organisations', async () => {
    const code = `async function run(ctx) {
      Object.prototype.polluted = 'yes';
      ctx.__proto__.alsoPolluted = 'yes';
      Array.prototype.push = () => { throw new Error('hijacked'); };
      JSON.stringify = () => '"hijacked"';
      ctx.log.info('still logs');
      return { __proto__: { admin: true }, plain: 1 };
    }`;
    const result = await run(code, { secrets: { s: 'secret-value' } });
    expect(result.status).toBe('completed');
    expect(result.logs[0].message).toBe('still logs');
    expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
    expect((result.value as { admin?: boolean }).admin).toBeUndefined();
    expect(({} as { polluted?: string }).polluted).toBeUndefined();
    expect(({} as { alsoPolluted?: string }).alsoPolluted).toBeUndefined();

    const other = await sandbox.run({ orgId: 'org-clean', hookId: 'clean', hookVersion: 1, type: 'push', kv: new MemoryKvStore(), code: 'async function run() { return [({}).polluted ?? null, [1].length]; }' });
    expect(other.value).toEqual([null, 1]);
  });

  test('a returned "__proto__" key arrives as a plain key', async () => {
    const result = await run('async function run() { return JSON.parse(\'{"__proto__": {"isAdmin": true}}\'); }', { secrets: { s: 'another-secret' } });
    expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
    expect((result.value as { isAdmin?: boolean }).isAdmin).toBeUndefined();
  });
});

describe('stack trace tricks', () => {
  test('Error.prepareStackTrace sees no functions or receivers of the sandbox runtime', async () => {
    const code = `async function run(ctx) {
      const seen = [];
      Error.prepareStackTrace = (err, frames) => {
        for (const f of frames) if (String(f.getFileName()).startsWith('hookyard:')) seen.push([typeof f.getFunction(), typeof f.getThis()]);
        return 'custom';
      };
      try { await ctx.kv.get(''); } catch (e) { e.stack; }
      try { ctx.log.info({ toString() { throw new Error('from toString'); } }); } catch (e) { e.stack; }
      try { new URL('nope'); } catch (e) { e.stack; }
      try { setTimeout(null); } catch (e) { e.stack; }
      return seen;
    }`;
    const result = await run(code);
    expect(result.status).toBe('completed');
    for (const [fn, receiver] of result.value as string[][]) {
      expect(fn).toBe('undefined');
      expect(receiver).toBe('undefined');
    }
  });

  test('a stack rewritten to a fake frame cannot fake a position in the result', async () => {
    const code = 'async function run() {\n  Error.prepareStackTrace = () => "Error: x\\n    at evil (/etc/passwd:1:1)";\n  throw new Error("x");\n}';
    const result = await run(code);
    expect(result.status).toBe('failed');
    expect(result.error?.stack).not.toContain('/etc/passwd');
    expect(result.error?.line).toBeUndefined();
  });
});

describe('tricks on returned values', () => {
  test('a Proxy result is serialised inside the isolate into plain JSON', async () => {
    const code = 'async function run() { return new Proxy({}, { ownKeys: () => ["a"], getOwnPropertyDescriptor: () => ({ enumerable: true, configurable: true, value: 1 }), get: () => "trapped" }); }';
    const result = await run(code);
    expect(result).toMatchObject({ status: 'completed', value: { a: 'trapped' } });
  });

  test('a getter that throws fails the run, one that spins times out', async () => {
    const throwing = await run('async function run() { return { get boom() { throw new Error("getter"); } }; }');
    expect(throwing).toMatchObject({ status: 'failed', error: { message: 'TypeError: The returned value is not JSON: getter' } });
    const spinning = await run('async function run() { return { get spin() { for (;;) {} } }; }', { limits: { timeMs: 200 } });
    expect(spinning.status).toBe('timed_out');
  });

  test('BigInt, cycles and functions are refused or dropped, never passed through', async () => {
    expect((await run('async function run() { return { n: 1n }; }')).status).toBe('failed');
    expect((await run('async function run() { const a = {}; a.a = a; return a; }')).status).toBe('failed');
    expect((await run('async function run() { return { f() {}, s: Symbol("x"), ok: 1 }; }')).value).toEqual({ ok: 1 });
  });

  test('a toJSON that returns a huge value hits the result size limit', async () => {
    const result = await run('async function run() { return { toJSON() { return "x".repeat(2e6); } }; }', { limits: { resultBytes: 1e6 } });
    expect(result.error?.limit).toBe('resultBytes');
  });

  test('a Proxy handed to ctx.kv.set and ctx.log is copied as JSON', async () => {
    const kv = new MemoryKvStore();
    const code = 'async function run(ctx) { const p = new Proxy({ a: 1 }, {}); await ctx.kv.set("k", p); ctx.log.info("m", p); }';
    const result = await run(code, { kv });
    expect(await kv.get('k')).toEqual({ a: 1 });
    expect(result.logs[0].data).toEqual({ a: 1 });
  });
});

describe('floods', () => {
  test('a synchronous promise-creation loop times out', async () => {
    expect((await run('async function run() { for (;;) Promise.resolve(); }', { limits: { timeMs: 200 } })).status).toBe('timed_out');
  });

  test('an endless microtask chain times out', async () => {
    const code = 'async function run() { const f = () => Promise.resolve().then(f); f(); await new Promise(() => {}); }';
    expect((await run(code, { limits: { timeMs: 200 } })).status).toBe('timed_out');
  });

  test('a queueMicrotask flood times out', async () => {
    const code = 'async function run() { const f = () => { queueMicrotask(f); queueMicrotask(f); }; f(); await new Promise(() => {}); }';
    expect((await run(code, { limits: { timeMs: 200 } })).status).toBe('timed_out');
  });

  test('a flood of pending timers hits the timer limit', async () => {
    const code = 'async function run() { for (let i = 0; i < 100000; i++) setTimeout(() => {}, 60_000); await new Promise(() => {}); }';
    const result = await run(code);
    expect(result).toMatchObject({ status: 'failed', error: { limit: 'timers' } });
  });

  test('a flood of zero-delay timers ends at the time limit', async () => {
    const code = 'async function run() { const f = () => { setTimeout(f, 0); setTimeout(f, 0); }; f(); await new Promise(() => {}); }';
    const result = await run(code, { limits: { timeMs: 300 } });
    expect(['timed_out', 'failed']).toContain(result.status);
    expect(['timeMs', 'timers']).toContain(result.error?.limit);
  });
});

describe('memory bombs', () => {
  test('WebAssembly, SharedArrayBuffer and Atomics.wait are not available', async () => {
    const code = 'async function run() { return [typeof WebAssembly, typeof SharedArrayBuffer, typeof Atomics.wait, typeof Atomics.waitAsync]; }';
    expect((await run(code)).value).toEqual(['undefined', 'undefined', 'undefined', 'undefined']);
  });

  test('one huge ArrayBuffer fails the run and leaves the process alive', async () => {
    const result = await run('async function run() { return new ArrayBuffer(2 ** 32).byteLength; }');
    expect(result.status).toBe('failed');
  });

  test('many typed arrays hit the memory limit', async () => {
    const code = 'async function run() { const keep = []; for (;;) keep.push(new Float64Array(1 << 20)); }';
    const result = await run(code, { limits: { memoryMb: 64 } });
    expect(result).toMatchObject({ status: 'failed', error: { limit: 'memoryMb' } });
  });

  test('a string doubling bomb fails the run', async () => {
    const result = await run('async function run() { let s = "x"; for (;;) s += s; }', { limits: { memoryMb: 64 } });
    expect(result.status).toBe('failed');
  });
});

describe('recursion', () => {
  test('deep recursion fails with a RangeError and the next run works', async () => {
    const req = { orgId: 'org-escape', hookId: 'recursion', hookVersion: 1, type: 'push' as const, kv: new MemoryKvStore() };
    const deep = await sandbox.run({ ...req, code: 'function f() { return f() + 1; }\nasync function run(ctx) { if (ctx.params.deep) return f(); return "ok"; }', ctx: { params: { deep: true } } });
    expect(deep).toMatchObject({ status: 'failed', error: { message: expect.stringMatching(/^RangeError: Maximum call stack size exceeded/) } });
    const next = await sandbox.run({ ...req, code: 'function f() { return f() + 1; }\nasync function run(ctx) { if (ctx.params.deep) return f(); return "ok"; }', ctx: { params: {} } });
    expect(next.value).toBe('ok');
  });
});

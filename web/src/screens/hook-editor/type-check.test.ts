import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { HOOK_TYPES, HOOK_TYPE_FORMS } from './hook-types';
import { LIB_FILE, createTypeChecker } from './type-check';

// The same files the editor's worker bundles, read from where the build reads them.
const root = path.resolve(import.meta.dirname, '../../../..');
const libDir = path.join(root, 'node_modules/typescript/lib');
const libs = Object.fromEntries(fs.readdirSync(libDir).filter((name) => LIB_FILE.test(name)).map((name) => [name, fs.readFileSync(path.join(libDir, name), 'utf8')]));
const checker = createTypeChecker(ts, {
  libs,
  hookyard: fs.readFileSync(path.join(root, 'types/hookyard.d.ts'), 'utf8'),
  globals: fs.readFileSync(path.join(root, 'types/hookyard-globals.d.ts'), 'utf8'),
});

/** The problems of `code`, each with the text it marks. */
const problems = (code: string, type: Parameters<typeof checker.check>[1] = 'pull') =>
  checker.check(code, type).map((p) => ({ text: code.slice(p.from, p.to), message: p.message, severity: p.severity }));

describe('the editor type check of TypeScript hooks', () => {
  it('finds nothing wrong in the starter code of any hook type', () => {
    for (const type of HOOK_TYPES) expect(problems(HOOK_TYPE_FORMS[type].template, type), type).toEqual([]);
  });

  it('finds nothing wrong in the TypeScript example of the docs, which types ctx itself, nor in the JavaScript examples read as TypeScript', () => {
    const examples = path.join(root, 'examples/hooks');
    expect(problems(fs.readFileSync(path.join(examples, 'pull-employees.ts'), 'utf8'))).toEqual([]);
    const types = { 'inbound-orders.js': 'inbound', 'post-hide-salaries.js': 'post', 'pre-company-email.js': 'pre', 'pull-employees.js': 'pull', 'pull-with-steps.js': 'pull', 'push-billing.js': 'push' } as const;
    for (const [file, type] of Object.entries(types)) expect(problems(fs.readFileSync(path.join(examples, file), 'utf8'), type), file).toEqual([]);
  });

  it('types an untyped ctx as the hook type’s, and marks a misspelt member at its place in the author’s text', () => {
    const code = 'async function run(ctx) {\n  const res = await ctx.htp.get("https://x.example");\n  return res;\n}\n';
    expect(problems(code)).toEqual([{ text: 'htp', message: expect.stringMatching(/Property 'htp' does not exist on type 'PullCtx<any, any>'. Did you mean 'http'\?/), severity: 'error' }]);
    // A push hook's ctx has no meta; a pull hook's has no event.
    expect(problems('async function run(ctx) { return ctx.meta; }', 'push')[0]?.text).toBe('meta');
    expect(problems('async function run(ctx) { return ctx.event; }', 'pull')[0]?.text).toBe('event');
    expect(problems('export const run = async (ctx) => { await ctx.kv.set("k"); };', 'push')[0]).toMatchObject({ text: 'set', message: expect.stringContaining('Expected 2-3 arguments') });
  });

  it('types the flow steps of a pull hook, and reads JSON loosely only where the author left the type out', () => {
    expect(problems('async function preMap(ctx, input) { ctx.log.inf("x"); return input; }')[0]?.text).toBe('inf');
    const loose = 'async function run(ctx) { return { records: [], meta: { page: ctx.meta.page + 1 } }; }';
    expect(problems(loose)).toEqual([]);
    const exact = "import type { PullCtx } from 'hookyard';\nexport async function run(ctx: PullCtx) { return { records: [], meta: { page: ctx.meta.page + 1 } }; }";
    expect(problems(exact).map((p) => p.text)).toEqual(['ctx.meta', 'page']);
    const typed = "import type { PullCtx } from 'hookyard';\nexport async function run(ctx: PullCtx<{ page: number }>) { return { records: [], meta: { page: (ctx.meta?.page ?? 0) + 1 } }; }";
    expect(problems(typed)).toEqual([]);
  });

  it('knows the sandbox’s globals and marks the host APIs it lacks', () => {
    const globals = 'async function run(ctx) { const u = new URL("https://x.example/?a=1"); console.log(u.searchParams.get("a"), crypto.randomUUID(), btoa("x"), structuredClone({}), new TextEncoder().encode("é")); setTimeout(() => undefined, 1); }';
    expect(problems(globals, 'push')).toEqual([]);
    const host = 'async function run(ctx) { const fs = require("fs"); return process.env.HOME + fetch; }';
    expect(problems(host, 'push').map((p) => p.text)).toEqual(['require', 'process', 'fetch']);
  });

  it('marks syntax errors, and maps positions after several added annotations back to the author’s text', () => {
    expect(problems('async function run(ctx) { return {; }')[0]).toMatchObject({ severity: 'error' });
    const code = 'async function preMap(ctx, input) { return input; }\nasync function postMap(ctx, input) { return input; }\nasync function run(ctx) { return ctx.nope; }\n';
    expect(problems(code)).toEqual([expect.objectContaining({ text: 'nope' })]);
  });
});

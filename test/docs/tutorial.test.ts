/**
 * docs/getting-started.md, run as written: every `sh` block of the page in order, the
 * mock HR system and `hookyard serve` in the background, the rest in one bash session.
 * Each block is annotated `<!-- step: NAME -->`; the checks below are keyed by step, and
 * a block without a step, or a step without its check, fails the test, so the page and
 * the test cannot drift apart.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT, assertBuilt } from '../helpers/serve-process.js';
import { codeBlocks, readDoc, type CodeBlock } from './markdown.js';
import { Shell, background, freePort, startMock, substitute, type Background, type BlockResult, type Substitutions } from './doc-shell.js';

const PAGE = 'docs/getting-started.md';
const KEY = 'hyk_tutorial_local_only_0123456789abcdef';
const PEOPLE = ['Ada Lovelace <ada@acme.test>', 'Grace Hopper <grace@acme.test>', 'Alan Turing <alan@acme.test>', 'Katherine Johnson <katherine@acme.test>', 'Edsger Dijkstra <edsger@acme.test>'];
const ID = /^[0-9a-f-]{36}$/m;

/** What each step's output must show. Background steps and skipped ones have none. */
const CHECKS: Record<string, (r: BlockResult) => void> = {
  client: (r) => expect(r.output).toContain('{"items":[],"nextCursor":null}'),
  integration: (r) => expect(r.output).toMatch(ID),
  secret: (r) => {
    expect(r.output).toContain('"name":"token"');
    expect(r.output).not.toContain('hr-demo-token-7f3a9c');
  },
  'run-local': (r) => {
    expect(r.status).toBe(0);
    expect(r.output).toMatch(/^completed in \d+ ms, 3 page\(s\)/m);
    expect(r.output).toContain('[info] page 3: 1 people');
    expect(r.output).toContain('records: 5');
  },
  'pull-hook': (r) => expect(r.output).toMatch(ID),
  'dry-run': (r) => expect(r.output.match(/outcome: 'would-create'/g)).toHaveLength(5),
  'run-now': (r) => expect(r.output).toContain('{ processed: 5, created: 5, updated: 0, skipped: 0, failed: 0 }'),
  employees: (r) => expect(r.output.trim().split('\n')).toEqual(PEOPLE),
  'push-hook': (r) => expect(r.output).toMatch(ID),
  'create-employee': (r) => expect(JSON.parse(r.output)).toMatchObject({ type: 'employee', version: 1, email: 'margaret@acme.test' }),
  billing: (r) => {
    const { events } = JSON.parse(r.output);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ userAgent: 'Hookyard-Hook/1.0', event: { type: 'employee.create', email: 'margaret@acme.test' } });
  },
  'push-executions': (r) => expect(r.output.trim()).toBe('completed attempt 1: billing event sent'),
  'pre-hook': (r) => expect(r.output).toMatch(ID),
  'rejected-create': (r) => {
    expect(r.output).toMatch(/^HTTP\/1\.1 422 /);
    expect(r.output).toContain('{"error":{"code":"HY_UNPROCESSABLE","message":"email must be an @acme.test address, got \\"eve@mail.example\\""}}');
  },
  'run-local-pre': (r) => {
    expect(r.status).toBe(0);
    expect(r.output).toContain('"status": 422');
  },
};
/** Steps whose block is run again until its check passes (the work behind them is asynchronous). */
const EVENTUALLY = new Set(['billing', 'push-executions']);

interface Step {
  readonly name: string;
  readonly block: CodeBlock;
}

function stepsOf(markdown: string): Step[] {
  return codeBlocks(markdown)
    .filter((b) => b.lang === 'sh')
    .map((block) => {
      const name = /^step: ([\w-]+)/.exec(block.annotation ?? '')?.[1];
      if (!name) throw new Error(`${PAGE}:${block.line}: a sh block without a <!-- step: NAME --> comment`);
      return { name, block };
    });
}

async function eventually(run: () => Promise<BlockResult>, check: (r: BlockResult) => void, timeoutMs = 20_000): Promise<BlockResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await run();
    try {
      check(result);
      return result;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

let dir: string;
let subs: Substitutions;
const processes: Background[] = [];
let shell: Shell | undefined;

beforeAll(async () => {
  assertBuilt();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hookyard-tutorial-'));
  subs = { servePort: await freePort(), mockPort: await freePort(), dir };
});

afterAll(async () => {
  shell?.close();
  for (const p of processes.reverse()) await p.stop();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe('docs/getting-started.md', () => {
  test('every step of the tutorial works as written', { timeout: 120_000 }, async () => {
    const steps = stepsOf(readDoc(PAGE));
    const names = steps.map((s) => s.name);
    expect(names.slice(0, 4)).toEqual(['skip', 'mock', 'serve', 'client']);
    for (const name of names) if (!['skip', 'mock', 'serve'].includes(name)) expect(CHECKS, `no check for step "${name}"`).toHaveProperty(name);
    expect(new Set(names).size, 'step names are unique (but for skip)').toBe(names.length - names.filter((n) => n === 'skip').length + (names.includes('skip') ? 1 : 0));

    const started = Date.now();
    for (const { name, block } of steps) {
      if (name === 'skip') continue;
      const code = substitute(block.code, subs);
      if (name === 'mock') {
        processes.push(await startMock(code, subs));
      } else if (name === 'serve') {
        const serve = await background(code, { env: { HOOKYARD_PORT: String(subs.servePort), HOOKYARD_LOG_LEVEL: 'warn' }, ready: /listening on http:\/\/\S+/ });
        processes.push(serve);
        expect(serve.output()).toContain(`Admin API key (shown only this once): ${KEY}`);
        expect(serve.output()).toContain(`Hookyard is listening on http://127.0.0.1:${subs.servePort}`);
        shell = new Shell(dir);
      } else {
        const check = CHECKS[name]!;
        const run = () => shell!.run(code);
        try {
          if (EVENTUALLY.has(name)) await eventually(run, check);
          else check(await run());
        } catch (err) {
          throw new Error(`step "${name}" (${PAGE}:${block.line}) failed: ${(err as Error).message}`, { cause: err });
        }
      }
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(`tutorial steps ran in ${seconds.toFixed(1)} s`);

    // The end state, asked of the API and the mock directly.
    const api = async (p: string) =>
      (await fetch(`http://127.0.0.1:${subs.servePort}${p}`, { headers: { authorization: `Bearer ${KEY}` } })).json() as Promise<{ items: Array<Record<string, unknown>> }>;
    const employees = (await api('/v1/entities/employee?limit=50')).items.map((e) => e.email).sort();
    expect(employees).toEqual(['ada@acme.test', 'alan@acme.test', 'edsger@acme.test', 'grace@acme.test', 'katherine@acme.test', 'margaret@acme.test']);
    const processesOutput = processes.map((p) => p.output()).join('\n');
    expect(processesOutput).not.toMatch(/error/i);
    expect(processesOutput.match(/billing event received/g)).toHaveLength(1);
  });

  test('the hooks shown on the page are the files in examples/hooks', async () => {
    const shown = codeBlocks(readDoc(PAGE)).filter((b) => b.lang === 'js');
    expect(shown).toHaveLength(3);
    for (const block of shown) {
      const name = /^\/\/ (PULL|PUSH|API pre-hook)/.exec(block.code)?.[1];
      const file = { PULL: 'pull-employees.js', PUSH: 'push-billing.js', 'API pre-hook': 'pre-company-email.js' }[name!];
      expect(file, `${PAGE}:${block.line} shows no example hook`).toBeDefined();
      expect(block.code).toBe(await fs.readFile(path.join(ROOT, 'examples/hooks', file!), 'utf8'));
    }
  });
});

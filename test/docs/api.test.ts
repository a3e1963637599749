/**
 * docs/api.md, run against a real `hookyard serve`: every `sh` block annotated
 * `<!-- api: NAME [sets VAR=field …] [retry] -->` runs in order in one bash session,
 * and its output must match the answer block that follows it, once ids, times,
 * keys, cursors and durations are masked. `sets` stores fields of a JSON answer in
 * shell variables for the later blocks, as a reader copies ids from one answer to the
 * next; `retry` runs a block again until it matches (the work behind it is
 * asynchronous).
 *
 * After a deliberate change of the API, `HOOKYARD_UPDATE_DOCS=1 npx vitest run
 * test/docs/api.test.ts` rewrites the answer blocks of docs/api.md from the real
 * answers; review the diff like any other.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT, assertBuilt } from '../helpers/serve-process.js';
import { codeBlocks, readDoc, type CodeBlock } from './markdown.js';
import { Shell, background, freePort, substitute, type Background, type Substitutions } from './doc-shell.js';

const PAGE = 'docs/api.md';
const KEY = 'hyk_tutorial_local_only_0123456789abcdef';
const UPDATE = process.env.HOOKYARD_UPDATE_DOCS === '1';
/** Response headers worth showing; the others (date, length, keep-alive) say nothing. */
const SHOWN_HEADERS = new Set(['etag', 'location', 'content-type']);

interface Example {
  readonly name: string;
  readonly sets: ReadonlyArray<readonly [string, string]>;
  readonly retry: boolean;
  readonly request: CodeBlock;
  readonly answer: CodeBlock;
}

function examplesOf(markdown: string): Example[] {
  const blocks = codeBlocks(markdown);
  const examples: Example[] = [];
  blocks.forEach((block, i) => {
    if (block.lang !== 'sh') return;
    const match = /^api: ([\w-]+)((?: sets(?: \w+=\w+)+)?)( retry)?$/.exec(block.annotation ?? '');
    if (!match) throw new Error(`${PAGE}:${block.line}: a sh block needs a <!-- api: NAME [sets VAR=field …] [retry] --> comment`);
    const sets = match[2]!.replace(' sets', '').trim().split(/\s+/).filter(Boolean).map((s) => s.split('=') as [string, string]);
    const answer = blocks[i + 1];
    if (match[1] === 'setup') return void examples.push({ name: 'setup', sets: [], retry: false, request: block, answer: block });
    if (!answer || answer.lang === 'sh') throw new Error(`${PAGE}:${block.line}: the example "${match[1]}" has no answer block after it`);
    examples.push({ name: match[1]!, sets, retry: match[3] !== undefined, request: block, answer });
  });
  return examples;
}

const VOLATILE: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<id>'],
  [/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z\b/g, '<time>'],
  [/\bhyk_(?!tutorial_local_only_)[A-Za-z0-9_-]+/g, '<key>'],
];

function maskText(text: string): string {
  return VOLATILE.reduce((t, [pattern, to]) => t.replace(pattern, to), text);
}

function mask(value: unknown, key = ''): unknown {
  if (typeof value === 'string') return key === 'nextCursor' ? '<cursor>' : maskText(value);
  if (typeof value === 'number' && key === 'durationMs') return '<duration>';
  if (Array.isArray(value)) return value.map((v) => mask(v));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v, k)]));
  return value;
}

/** An answer as the page shows it: JSON pretty-printed; HTTP as status, shown headers, body. */
function render(lang: string, output: string): string {
  if (lang === 'json') return `${JSON.stringify(JSON.parse(output), null, 2)}\n`;
  if (lang === 'http') {
    const [head, ...rest] = output.replace(/\r\n/g, '\n').split('\n\n');
    const [status, ...headers] = head!.split('\n');
    const kept = headers.filter((h) => SHOWN_HEADERS.has(h.split(':')[0]!.toLowerCase()));
    const body = rest.join('\n\n').trim();
    return `${[status, ...kept].join('\n')}\n${body ? `\n${JSON.stringify(JSON.parse(body), null, 2)}\n` : ''}`;
  }
  return `${output.trimEnd()}\n`;
}

/** What is compared: the rendered answer with volatile values masked. */
function comparable(lang: string, text: string): unknown {
  if (lang === 'json') return mask(JSON.parse(text));
  if (lang === 'http') {
    const [head, body] = text.split(/\n\n/);
    return { head: maskText(head!.trim()), body: body?.trim() ? mask(JSON.parse(body)) : null };
  }
  return maskText(text.trim());
}

let dir: string;
let subs: Substitutions;
let serve: Background | undefined;
let shell: Shell | undefined;

beforeAll(async () => {
  assertBuilt();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hookyard-api-doc-'));
  subs = { servePort: await freePort(), mockPort: 0, dir };
  serve = await background(`exec ./bin/hookyard.js serve --data-dir ${path.join(dir, 'data')}`, {
    env: { HOOKYARD_PORT: String(subs.servePort), HOOKYARD_ADMIN_KEY: KEY, HOOKYARD_LOG_LEVEL: 'warn' },
    ready: /listening on http:\/\/\S+/,
  });
  shell = new Shell(dir);
});

afterAll(async () => {
  shell?.close();
  await serve?.stop();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

describe('docs/api.md', () => {
  test('every example answers as shown', { timeout: 90_000 }, async () => {
    const markdown = readDoc(PAGE);
    const examples = examplesOf(markdown);
    expect(examples.length).toBeGreaterThan(20);
    const names = examples.map((e) => e.name);
    expect(new Set(names).size, 'example names are unique').toBe(names.length);
    const rewritten: Array<{ block: CodeBlock; text: string }> = [];

    for (const example of examples) {
      const code = substitute(example.request.code, subs);
      if (example.name === 'setup') {
        expect((await shell!.run(code)).status).toBe(0);
        continue;
      }
      const { lang } = example.answer;
      const deadline = Date.now() + (example.retry ? 15_000 : 0);
      let output: string;
      for (;;) {
        output = (await shell!.run(code)).output;
        if (UPDATE && !example.retry) break;
        try {
          expect(comparable(lang, render(lang, output)), `${PAGE}:${example.request.line} "${example.name}"`).toEqual(comparable(lang, example.answer.code));
          break;
        } catch (err) {
          if (Date.now() > deadline) {
            if (UPDATE) break;
            throw err;
          }
          await new Promise((r) => setTimeout(r, 250));
        }
      }
      if (UPDATE) rewritten.push({ block: example.answer, text: render(lang, output) });
      for (const [variable, field] of example.sets) {
        const body = lang === 'http' ? output.replace(/\r\n/g, '\n').split('\n\n').slice(1).join('\n\n') : output;
        const value = (JSON.parse(body) as Record<string, unknown>)[field];
        expect(typeof value, `"${example.name}" answers a ${field} for ${variable}`).toBe('string');
        await shell!.run(`${variable}='${value as string}'\n`);
      }
    }

    if (UPDATE) {
      const lines = markdown.split('\n');
      // From the bottom up, so earlier line numbers stay right.
      for (const { block, text } of rewritten.sort((a, b) => b.block.line - a.block.line)) {
        const bodyLines = block.code.split('\n').length - 1;
        lines.splice(block.line, bodyLines, ...text.trimEnd().split('\n'));
      }
      await fs.writeFile(path.join(ROOT, PAGE), lines.join('\n'));
    }
  });
});

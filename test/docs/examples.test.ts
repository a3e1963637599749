/**
 * The examples of the documentation outside the tutorial:
 * - every `sh` block annotated `<!-- run: exit N -->` runs as written against the mock
 *   HR system and the example remote hook server, and ends with exit status N, and every
 *   `hookyard run` command of the docs sits in such a block (or in a tutorial step, which tutorial.test.ts runs);
 * - every code block annotated `<!-- file: PATH -->` is exactly that file;
 * - every example in the ctx table of docs/hooks.md is taken from a file in examples/hooks.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT, assertBuilt } from '../helpers/serve-process.js';
import { codeBlocks, docFiles, readDoc, shellCommands } from './markdown.js';
import { Shell, freePort, startMock, startRemote, substitute, type Background, type Substitutions } from './doc-shell.js';

const blocks = docFiles().flatMap((file) => codeBlocks(readDoc(file)).map((block) => ({ file, block })));
const runnable = blocks.filter(({ block }) => block.lang === 'sh' && /^run: exit \d+$/.test(block.annotation ?? ''));
const included = blocks.filter(({ block }) => /^file: /.test(block.annotation ?? ''));
const where = (b: (typeof blocks)[number]) => `${b.file}:${b.block.line}`;

describe('documentation examples', () => {
  test('every hookyard run command of the docs is run by a test', () => {
    const commands = blocks.filter(({ block }) => block.lang === 'sh' && shellCommands(block.code).some((c) => /hookyard(\.js)? run /.test(c)));
    expect(commands.length).toBeGreaterThan(4);
    for (const b of commands) expect(b.block.annotation ?? '', `${where(b)} runs hookyard run but no test runs it`).toMatch(/^(run: exit \d+|step: [\w-]+)/);
  });

  test.each(included.map((b) => [where(b), b] as const))('%s shows its file exactly', (_name, { block }) => {
    const file = block.annotation!.slice('file: '.length).trim();
    expect(block.code).toBe(fs.readFileSync(path.join(ROOT, file), 'utf8'));
  });

  test('the examples of the ctx table come from examples/hooks', () => {
    const page = readDoc('docs/hooks.md');
    const table = page.split('<!-- ctx-table')[1]!.split('\n\n')[0]!;
    const sources = fs.readdirSync(path.join(ROOT, 'examples/hooks')).map((f) => fs.readFileSync(path.join(ROOT, 'examples/hooks', f), 'utf8')).join('\n');
    const rows = table.split('\n').filter((l) => l.startsWith('| `ctx') || l.startsWith('| the') || l.startsWith('| `Http'));
    expect(rows.length).toBeGreaterThan(15);
    for (const row of rows) {
      const example = row.slice(1, -1).split(' | ').at(-1)!.trim();
      if (example === '') continue;
      const code = /^(`+) ?(.*?) ?\1$/.exec(example)?.[2];
      expect(code, `an example must be one code span: ${example}`).toBeDefined();
      expect(sources, `"${code}" is in no file of examples/hooks`).toContain(code);
    }
  });
});

describe('documented commands against the mock HR system and the example remote hook server', () => {
  let dir: string;
  let subs: Substitutions;
  let mock: Background | undefined;
  let remote: Background | undefined;
  let shell: Shell | undefined;

  beforeAll(async () => {
    assertBuilt();
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'hookyard-doc-examples-'));
    subs = { servePort: await freePort(), mockPort: await freePort(), remotePort: await freePort(), dir };
    mock = await startMock('node examples/mock-hr/server.js', subs);
    remote = await startRemote('node examples/remote-hook/server.js', subs);
    shell = new Shell(dir);
  });

  afterAll(async () => {
    shell?.close();
    await mock?.stop();
    await remote?.stop();
    if (dir) await fsp.rm(dir, { recursive: true, force: true });
  });

  test.each(runnable.map((b) => [where(b), b] as const))('%s runs as written', { timeout: 60_000 }, async (_name, { block }) => {
    const expected = Number(/exit (\d+)/.exec(block.annotation!)![1]);
    const result = await shell!.run(substitute(block.code, subs));
    expect(result.status, result.output).toBe(expected);
    expect(result.output).not.toContain('hr-demo-token-7f3a9c');
  });
});

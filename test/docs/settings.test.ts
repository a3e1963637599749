/**
 * The reference tables keep up with the code: docs/operations.md has a row for every
 * HOOKYARD_* setting the configuration reads and names every option of `serve` and
 * `worker`, and docs/hooks.md's limits table names every limit a run is held to.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { serveCommand } from '../../src/cli/serve.js';
import { workerCommand } from '../../src/cli/worker.js';
import { DEFAULT_LIMITS } from '../../src/sandbox/limits.js';
import { ROOT } from '../helpers/serve-process.js';
import { readDoc } from './markdown.js';

const operations = readDoc('docs/operations.md');
const hooks = readDoc('docs/hooks.md');

/** Table rows of `page` whose first cell starts with `start`. */
const rowsStarting = (page: string, start: string) => page.split('\n').filter((line) => line.startsWith(`| ${start}`));

describe('docs/operations.md', () => {
  const source = fs.readFileSync(path.join(ROOT, 'src/config.ts'), 'utf8');
  const settings = [...new Set([...source.matchAll(/env\.(HOOKYARD_[A-Z_]+)/g)].map((m) => m[1]!))];

  test('reads settings from the environment', () => expect(settings.length).toBeGreaterThan(10));

  test.each(settings)('has a row for %s', (name) => {
    expect(rowsStarting(operations, `\`${name}\``)).toHaveLength(1);
  });

  // A worker takes --data-dir only to refuse the embedded store it names, as its row says.
  test.each([
    ['serve', serveCommand(), []],
    ['worker', workerCommand(), ['--data-dir']],
  ] as const)('names every option of hookyard %s in its command row', (name, command, unlisted: readonly string[]) => {
    const [row] = rowsStarting(operations, `\`hookyard ${name} `);
    expect(row, `a row for hookyard ${name}`).toBeDefined();
    for (const option of command.options) if (!unlisted.includes(option.long!)) expect(row, option.long).toContain(option.long);
  });
});

describe('docs/hooks.md', () => {
  // The expiry has its own row in the ctx table (`ctx.kv.set`), not in the limits table.
  const limits = Object.keys(DEFAULT_LIMITS.push).filter((name) => name !== 'kvTtlSeconds');

  test.each(limits)('names the limit %s in the limits table', (name) => {
    const section = hooks.split(/^## /m).find((s) => s.startsWith('Limits\n'))!;
    expect(section.split('\n').some((line) => line.startsWith('|') && line.includes(`\`${name}\``))).toBe(true);
  });
});

import { describe, expect, test } from 'vitest';
import { checkSource } from './compile.js';

describe('checkSource', () => {
  test('tells a script from a module', async () => {
    expect(await checkSource('async function run(ctx) { return 1; }')).toBe('script');
    expect(await checkSource('export async function run(ctx) { return 1; }')).toBe('module');
    expect(await checkSource('export default async (ctx: { meta?: unknown }) => 1;', 'typescript')).toBe('module');
  });

  test('rejects a JavaScript syntax error with line and column', async () => {
    await expect(checkSource('async function run(ctx) {\n  return {;\n}')).rejects.toMatchObject({
      code: 'HY_VALIDATION',
      details: { path: '/code', line: 2, column: 11 },
    });
  });

  test('rejects a syntax error in a module with line and column', async () => {
    await expect(checkSource('export async function run() {}\nexport const = 1;')).rejects.toMatchObject({ details: { line: 2, column: 14 } });
  });

  test('rejects a TypeScript syntax error with its line and column', async () => {
    const err = await checkSource('const a: number = 1;\nconst b: = 2;', 'typescript').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'HY_VALIDATION', details: { line: 2, column: 10 } });
    expect((err as Error).message).toMatch(/^SyntaxError: .*\(line 2, column 10\)$/);
  });
});

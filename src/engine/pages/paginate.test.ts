import { describe, expect, test } from 'vitest';
import type { JsonValue } from '../../sandbox/types.js';
import { paginate } from './paginate.js';

describe('paginate', () => {
  test('passes each page its number and the previous meta until more is falsy', async () => {
    const seen: Array<[number, JsonValue | undefined]> = [];
    const result = await paginate(async ({ page, meta }) => {
      seen.push([page, meta]);
      return { status: 'completed' as const, value: { records: [], more: page < 3, meta: { cursor: `c${page}` } } };
    }, { meta: { cursor: 'start' } });
    expect(seen).toEqual([[1, { cursor: 'start' }], [2, { cursor: 'c1' }], [3, { cursor: 'c2' }]]);
    expect(result).toMatchObject({ status: 'completed', warnings: [] });
    expect(result.pages).toHaveLength(3);
  });

  test('stops on the first page that does not complete and names it', async () => {
    const result = await paginate(async ({ page }) =>
      page === 2 ? { status: 'timed_out' as const } : { status: 'completed' as const, value: { more: true } },
    );
    expect(result).toMatchObject({ status: 'timed_out', failedPage: 2 });
    expect(result.pages).toHaveLength(2);
  });

  test('stops at the page cap with a warning', async () => {
    const result = await paginate(async () => ({ status: 'completed' as const, value: { more: true } }), { maxPages: 4 });
    expect(result.pages).toHaveLength(4);
    expect(result.warnings).toEqual([expect.objectContaining({ level: 'warn', message: 'Pagination stopped after 4 pages; the hook still returned more: true' })]);
  });

  test('treats a page that returns nothing as the last one', async () => {
    const result = await paginate(async () => ({ status: 'completed' as const }));
    expect(result.pages).toHaveLength(1);
  });
});

import { describe, expect, test } from 'vitest';
import { issue, underRoot } from './field-issues.js';

describe('underRoot', () => {
  test('puts issues under a request part, in their paths and at the start of their messages', () => {
    expect(underRoot('body', [issue('teamAllocations/0/fte', 'must be at most 1'), issue('', 'must be a JSON object of employee fields')])).toEqual([
      { path: 'body/teamAllocations/0/fte', message: 'body/teamAllocations/0/fte must be at most 1' },
      { path: 'body', message: 'body must be a JSON object of employee fields' },
    ]);
  });

  test('keeps extra members, and prefixes a message that does not start with its path', () => {
    expect(underRoot('body', [{ path: 'code', message: 'SyntaxError', line: 2 }])).toEqual([{ path: 'body/code', message: 'body/code: SyntaxError', line: 2 }]);
  });
});

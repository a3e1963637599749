import { describe, expect, test } from 'vitest';
import { keepsOneHiddenClass } from '../../test/helpers/hidden-class.js';
import { readValue } from './outcome.js';
import type { TextResult } from './types.js';

describe('readValue', () => {
  const base: TextResult = { status: 'completed', logs: [], http: [], durationMs: 1 };

  test('parses the value the isolate wrote, and leaves a result without one as it is', () => {
    const value = { records: [{ externalId: 'é\u2028"x"', data: { n: -0.5, ok: true, none: null } }], more: false };
    expect(readValue({ ...base, valueText: JSON.stringify(value) })).toEqual({ ...base, value });
    expect(readValue(base)).toEqual(base);
  });

  test('fails the run when the text is not JSON (an envelope the hook subverted)', () => {
    expect(readValue({ ...base, valueText: '1},{"more":true' })).toEqual({
      ...base,
      status: 'failed',
      error: { message: "The hook's result could not be read: it is not JSON", stack: '' },
    });
  });

  test('gives the results of all runs one hidden class (one is made for every run: a class each would fill the old space)', () => {
    expect(keepsOneHiddenClass((i) => readValue({ ...base, durationMs: i, valueText: '{"response":{"status":200}}' }))).toBe(true);
    expect(keepsOneHiddenClass((i) => readValue({ ...base, durationMs: i }))).toBe(true);
  });
});

import { describe, expect, test } from 'vitest';
import { canonicalJson, fingerprint } from './fingerprint.js';

describe('canonicalJson', () => {
  test('sorts object keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }, 'x'] })).toBe('{"a":[{"c":3,"d":2},"x"],"b":1}');
  });

  test('leaves out undefined properties and writes non-finite numbers as null, like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: Number.NaN, c: [undefined] })).toBe('{"b":null,"c":[null]}');
  });

  test('escapes strings and keys as JSON does', () => {
    const value = { 'k"ey': 'line\nbreak "quoted" ✓' };
    expect(JSON.parse(canonicalJson(value))).toEqual(value);
  });
});

describe('fingerprint', () => {
  test('is the same for the same record whatever its key order', () => {
    expect(fingerprint({ externalId: '1', data: { firstName: 'Ada', lastName: 'L' } })).toBe(
      fingerprint({ data: { lastName: 'L', firstName: 'Ada' }, externalId: '1' }),
    );
  });

  test('changes when any value changes', () => {
    expect(fingerprint({ a: 1 })).not.toBe(fingerprint({ a: 2 }));
    expect(fingerprint({ a: [1, 2] })).not.toBe(fingerprint({ a: [2, 1] }));
  });

  test('is a hex SHA-256', () => {
    expect(fingerprint({})).toMatch(/^[0-9a-f]{64}$/);
  });
});

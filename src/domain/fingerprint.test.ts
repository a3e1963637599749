import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { canonicalJson, fingerprint } from './fingerprint.js';

describe('canonicalJson', () => {
  test('sorts object keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }, 'x'] })).toBe('{"a":[{"c":3,"d":2},"x"],"b":1}');
  });

  test('leaves out undefined properties and writes non-finite numbers as null, like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: Number.NaN, c: [undefined] })).toBe('{"b":null,"c":[null]}');
  });

  // The text is what every stored fingerprint was made of: it must never change.
  test('writes, for any JSON-like value, the sorted-key text joined key by key', () => {
    const reference = (v: unknown): string => {
      if (v === null || typeof v !== 'object') return typeof v === 'number' && !Number.isFinite(v) ? 'null' : (JSON.stringify(v) ?? 'null');
      if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : reference(x))).join(',')}]`;
      const o = v as Record<string, unknown>;
      return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${reference(o[k])}`).join(',')}}`;
    };
    const key = fc.oneof(fc.string(), fc.constantFrom('__proto__', '0', '1', '10', '9', '01', '-1', '1.5', 'a', 'B'));
    const scalar = fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.constant(-0));
    const value = fc.letrec((tie) => ({
      any: fc.oneof({ depthSize: 'small' }, scalar, tie('array'), tie('object')),
      array: fc.array(tie('any'), { maxLength: 4 }),
      object: fc.array(fc.tuple(key, tie('any')), { maxLength: 6 }).map((pairs) => {
        const o: Record<string, unknown> = {};
        for (const [k, x] of pairs) Object.defineProperty(o, k, { value: x, enumerable: true, writable: true, configurable: true });
        return o;
      }),
    })).any;
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(reference(v));
      }),
      { numRuns: 2000 },
    );
    expect(canonicalJson({ b: 'x', 10: 1, 9: 2, __proto__x: 0 })).toBe('{"10":1,"9":2,"__proto__x":0,"b":"x"}');
    // Few keys and many are sorted two ways: both give the reference's text.
    for (const count of [32, 33, 200]) {
      const many = Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${(i * 7919) % count}é`, i]));
      expect(canonicalJson(many)).toBe(reference(many));
    }
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

import { describe, expect, test } from 'vitest';
import { createRedactor } from './redact.js';

describe('createRedactor', () => {
  test('replaces secret values, their URL-encoded and JSON-escaped forms', () => {
    const r = createRedactor({ token: 'a b"c', short: 'ab', empty: '' });
    expect(r.text('x a b"c y')).toBe('x [secret:token] y');
    expect(r.text('q=a%20b%22c')).toBe('q=[secret:token]');
    expect(r.text(JSON.stringify({ v: 'a b"c' }))).toBe('{"v":"[secret:token]"}');
    expect(r.text('ab')).toBe('[secret:short]');
  });

  test('redacts keys and values deeply without giving "__proto__" keys a meaning', () => {
    const r = createRedactor({ s: 'xyz' });
    const out = r.json(JSON.parse('{"__proto__":{"p":"xyz"},"list":["xyz",1,null],"xyz":true}'));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out).toEqual(JSON.parse('{"__proto__":{"p":"[secret:s]"},"list":["[secret:s]",1,null],"[secret:s]":true}'));
  });

  test('leaves everything as it is without secrets', () => {
    const value = { a: 1 };
    expect(createRedactor({}).json(value)).toBe(value);
  });
});

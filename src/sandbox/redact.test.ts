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

  test('replaces the spellings URLs give a secret: form-encoded query, typed-in query and path', () => {
    const r = createRedactor({ token: "Xy8Q~s3cr3t it's" });
    const query = new URL('https://h/p');
    query.searchParams.append('key', "Xy8Q~s3cr3t it's");
    expect(r.text(query.href)).toBe('https://h/p?key=[secret:token]');
    expect(r.text(new URL("https://h/p?key=Xy8Q~s3cr3t it's").href)).toBe('https://h/p?key=[secret:token]');
    expect(r.text(new URL("https://h/Xy8Q~s3cr3t it's/x").href)).toBe('https://h/[secret:token]/x');
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

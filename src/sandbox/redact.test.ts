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

  test('redacts values deeply, never keys, without giving "__proto__" keys a meaning', () => {
    const r = createRedactor({ s: 'xyz' });
    const out = r.json(JSON.parse('{"__proto__":{"p":"xyz"},"list":["xyz",1,null],"xyz":true}'));
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out).toEqual(JSON.parse('{"__proto__":{"p":"[secret:s]"},"list":["[secret:s]",1,null],"xyz":true}'));
  });

  test('replaces the spellings the host produces: percent-encoded passwords, lowercased hosts, backslashes in paths', () => {
    const r = createRedactor({ pw: 'P@ss w0rd', host: 'SecretHost', path: 'a\\b' });
    const withPassword = new URL('https://user:x@h/p');
    withPassword.password = 'P@ss w0rd';
    withPassword.searchParams.append('q', '1');
    expect(r.text(withPassword.href)).toBe('https://user:[secret:pw]@h/p?q=1');
    expect(r.text(new URL('https://SecretHost/x').href)).toBe('https://[secret:host]/x');
    expect(r.text('blocked: secrethost resolves to 10.0.0.1')).toBe('blocked: [secret:host] resolves to 10.0.0.1');
    expect(r.text(new URL('https://h/a\\b/c').href)).toBe('https://h/[secret:path]/c');
  });

  test("replaces the part of a secret that V8's JSON.parse error previews", () => {
    const secret = 'sk_live_0123456789abcdef';
    const r = createRedactor({ key: secret });
    let message = '';
    try {
      JSON.parse(secret + ' and more text after it');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('sk_live_');
    expect(r.text(message)).not.toMatch(/sk_live|0123/);
    expect(r.text(message)).toContain('[secret:key]');
  });

  test('leaves everything as it is without secrets', () => {
    const value = { a: 1 };
    expect(createRedactor({}).json(value)).toBe(value);
  });
});

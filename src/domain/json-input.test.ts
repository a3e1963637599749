import { describe, expect, it } from 'vitest';
import { firstJsonIssue, jsonInputError } from './json-input.js';

describe('json input', () => {
  it('accepts ordinary JSON, surrogate pairs and emoji included', () => {
    expect(firstJsonIssue({ name: 'Zoë 😀', n: [1, -0.5, 1e308], ok: true, none: null, '键': '值' }, 'body')).toBeUndefined();
  });

  it('refuses a lone surrogate in a value, naming its path', () => {
    expect(firstJsonIssue({ a: { b: ['x', 'a\ud800b'] } }, 'body')).toEqual({
      path: 'body/a/b/1',
      message: 'body/a/b/1 is not well-formed Unicode (a lone surrogate at position 1)',
    });
    expect(firstJsonIssue({ a: '\udc00' }, 'body')?.path).toBe('body/a');
  });

  it('refuses a lone surrogate in a field name, naming the object that holds it', () => {
    expect(firstJsonIssue({ customAttributes: { '\ud83d': 1 } }, 'body')).toEqual({
      path: 'body/customAttributes',
      message: 'body/customAttributes has a field name that is not well-formed Unicode (a lone surrogate at position 0)',
    });
  });

  it('refuses U+0000, which PostgreSQL cannot store in text', () => {
    expect(firstJsonIssue({ name: 'a\u0000b' }, 'body')?.message).toBe('body/name contains U+0000, which cannot be stored');
    expect(firstJsonIssue({ 'a\u0000': 1 }, 'body')?.message).toMatch(/^body has a field name that contains U\+0000/);
  });

  it('refuses numbers that are not finite', () => {
    expect(firstJsonIssue(JSON.parse('{"params":{"x":1e309}}'), 'body')?.message).toBe('body/params/x is not a finite number');
    expect(firstJsonIssue([Number.NaN], 'body')?.path).toBe('body/0');
  });

  it('refuses nesting past the limit, naming the first container too deep', () => {
    const text = '{"jobRole":' + '['.repeat(5000) + ']'.repeat(5000) + '}';
    const issue = firstJsonIssue(JSON.parse(text), 'body');
    expect(issue?.message).toMatch(/^body\/jobRole(\/0){63} is nested deeper than 64 levels$/);
  });

  it('escapes / and ~ in field names as a JSON pointer does', () => {
    expect(firstJsonIssue({ 'a/b': { '~c': 1e400 } }, 'body')?.path).toBe('body/a~1b/~0c');
  });

  it('makes a coded 400 whose details name the path', () => {
    const err = jsonInputError({ x: Infinity }, 'params');
    expect(err).toMatchObject({ code: 'HY_VALIDATION', status: 400, details: [{ path: 'params/x', message: 'params/x is not a finite number' }] });
    expect(jsonInputError({ x: 1 }, 'params')).toBeUndefined();
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_FIELD_PATH_LENGTH, MAX_FIELD_PATH_SEGMENTS, parseFieldPath, readFieldPath } from './field-path.js';

describe('parseFieldPath', () => {
  it('splits a dotted path with array indexes into its segments', () => {
    expect(parseFieldPath('after.teamAllocations.0.teamName')).toEqual(['after', 'teamAllocations', '0', 'teamName']);
    expect(parseFieldPath('trigger.headers.x-hub-signature-256')).toEqual(['trigger', 'headers', 'x-hub-signature-256']);
    expect(parseFieldPath('now')).toEqual(['now']);
  });

  it('refuses empty paths and empty segments, naming where', () => {
    expect(parseFieldPath('')).toBe('must not be empty');
    expect(parseFieldPath('after..name')).toBe('has an empty segment at character 7');
    expect(parseFieldPath('.after')).toBe('has an empty segment at character 1');
    expect(parseFieldPath('after.')).toBe('has an empty segment at character 7');
  });

  it('refuses spaces, braces, brackets and control characters', () => {
    expect(parseFieldPath('after.first name')).toBe('must not contain a space (at character 12)');
    expect(parseFieldPath('after.tags[0]')).toBe('must not contain "[" (write array indexes as .0) (at character 11)');
    expect(parseFieldPath('after.{x}')).toBe('must not contain "{" (at character 7)');
    expect(parseFieldPath('after.\u0001')).toBe('must not contain a control character (at character 7)');
  });

  it('refuses paths that are too long or have too many segments', () => {
    expect(parseFieldPath('a'.repeat(MAX_FIELD_PATH_LENGTH + 1))).toBe(`must have at most ${MAX_FIELD_PATH_LENGTH} characters`);
    expect(parseFieldPath(Array(MAX_FIELD_PATH_SEGMENTS + 1).fill('a').join('.'))).toBe(`must have at most ${MAX_FIELD_PATH_SEGMENTS} segments`);
    expect(parseFieldPath(Array(MAX_FIELD_PATH_SEGMENTS).fill('a').join('.'))).toHaveLength(MAX_FIELD_PATH_SEGMENTS);
  });
});

describe('readFieldPath', () => {
  const data = { after: { firstName: 'Ada', teamAllocations: [{ teamName: 'Core' }, { teamName: 'Web' }], zero: 0, none: null } };

  it('reads nested keys and array elements', () => {
    expect(readFieldPath(data, 'after.firstName')).toBe('Ada');
    expect(readFieldPath(data, 'after.teamAllocations.1.teamName')).toBe('Web');
    expect(readFieldPath(data, ['after', 'teamAllocations', '0'])).toEqual({ teamName: 'Core' });
    expect(readFieldPath(data, 'after.zero')).toBe(0);
    expect(readFieldPath(data, 'after.none')).toBeNull();
  });

  it('answers undefined for a path that does not exist or does not parse', () => {
    expect(readFieldPath(data, 'after.lastName')).toBeUndefined();
    expect(readFieldPath(data, 'after.teamAllocations.2.teamName')).toBeUndefined();
    expect(readFieldPath(data, 'after.firstName.x')).toBeUndefined();
    expect(readFieldPath(data, 'after.none.x')).toBeUndefined();
    expect(readFieldPath(data, 'after..firstName')).toBeUndefined();
    expect(readFieldPath(undefined, 'after')).toBeUndefined();
  });

  it('never reads inherited or non-data properties', () => {
    expect(readFieldPath({}, 'constructor')).toBeUndefined();
    expect(readFieldPath({}, '__proto__')).toBeUndefined();
    expect(readFieldPath({ a: {} }, 'a.toString')).toBeUndefined();
    expect(readFieldPath({ a: [1, 2] }, 'a.length')).toBeUndefined();
    expect(readFieldPath({ s: 'abc' }, 's.length')).toBeUndefined();
    let ran = false;
    const withGetter = Object.defineProperty({}, 'g', { enumerable: true, get: () => ((ran = true), 1) });
    expect(readFieldPath({ o: withGetter }, 'o.g')).toBeUndefined();
    expect(ran).toBe(false);
    // A key named __proto__ that JSON.parse made is the data's own: it is read.
    expect(readFieldPath(JSON.parse('{"__proto__": {"x": 1}}'), '__proto__.x')).toBe(1);
  });

  it('never answers a value that is not own data of the object it was read on (property)', () => {
    const inherited = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'length', 'prototype'];
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(fc.oneof(fc.constantFrom(...inherited), fc.string({ maxLength: 4 }), fc.nat(3).map(String)), { maxLength: 5 }), (root, segments) => {
        let node: unknown = root;
        for (const segment of segments) {
          const value = readFieldPath(node, [segment]);
          if (value === undefined) return;
          expect(node !== null && typeof node === 'object' && Object.keys(node).includes(segment)).toBe(true);
          node = value;
        }
        expect(readFieldPath(root, segments)).toBe(node);
      }),
    );
  });
});

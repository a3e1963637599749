import { describe, expect, test } from 'vitest';
import { applyMapping, lastOfEach, readPageReturn, readRecord, valueAtPath } from './pull-records.js';

describe('readPageReturn', () => {
  test('reads records, more and meta', () => {
    expect(readPageReturn({ records: [], more: true, meta: { page: 2 } })).toEqual({ records: [], more: true, meta: { page: 2 } });
    expect(readPageReturn({ records: [{ externalId: 1 }] })).toEqual({ records: [{ externalId: 1 }], more: false });
  });

  test('explains a return value without a records array', () => {
    expect(readPageReturn(undefined)).toMatch(/must return \{ records/);
    expect(readPageReturn({ records: 'x' })).toMatch(/must return \{ records/);
  });
});

describe('readRecord', () => {
  test('turns a numeric externalId into a string', () => {
    expect(readRecord({ externalId: 42, data: { a: 1 } })).toEqual({ externalId: '42', data: { a: 1 } });
  });

  test('rejects records without a usable externalId or data, naming the reason', () => {
    expect(readRecord('x')).toMatchObject({ rejected: true, externalId: '(none)' });
    expect(readRecord({ externalId: '', data: {} })).toMatchObject({ rejected: true, error: /1–256 characters/ });
    expect(readRecord({ externalId: 'a'.repeat(257), data: {} })).toMatchObject({ rejected: true, error: /1–256 characters/ });
    expect(readRecord({ externalId: 'E-1', data: [] })).toEqual({ externalId: 'E-1', error: 'data must be an object of entity fields', rejected: true });
  });
});

describe('mapping', () => {
  test('reads dotted paths through objects and arrays', () => {
    expect(valueAtPath({ a: { b: [{ c: 1 }] } }, 'a.b.0.c')).toBe(1);
    expect(valueAtPath({ a: 1 }, 'a.b')).toBeUndefined();
    expect(valueAtPath({}, '__proto__')).toBeUndefined();
  });

  test('sets each target from its source path and drops the consumed source keys', () => {
    const data = { first_name: 'Ada', name: { last: 'Lovelace' }, email: 'ada@x.test' };
    expect(applyMapping(data, { firstName: 'first_name', lastName: 'name.last' })).toEqual({
      email: 'ada@x.test',
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
  });
});

describe('lastOfEach', () => {
  test('keeps the last record of a duplicated externalId', () => {
    const { records, duplicates } = lastOfEach([
      { externalId: 'a', data: { v: 1 } },
      { externalId: 'b', data: {} },
      { externalId: 'a', data: { v: 2 } },
    ]);
    expect(records).toEqual([{ externalId: 'b', data: {} }, { externalId: 'a', data: { v: 2 } }]);
    expect(duplicates).toEqual(['a']);
  });
});

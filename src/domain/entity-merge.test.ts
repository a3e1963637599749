import { describe, expect, it } from 'vitest';
import { mergeEntityData, sameJson } from './entity-merge.js';

describe('mergeEntityData', () => {
  const current = { name: 'Bob', email: 'bob@acme.test', rate: 10, customAttributes: { level: 'senior', remote: true } };

  it('sets present fields, clears null ones and leaves absent ones alone', () => {
    expect(mergeEntityData('contractor', current, { email: null, rate: 12 })).toEqual({
      name: 'Bob',
      rate: 12,
      customAttributes: { level: 'senior', remote: true },
    });
  });

  it('merges custom attributes key by key', () => {
    expect(mergeEntityData('contractor', current, { customAttributes: { level: null, team: 'Ops' } }).customAttributes).toEqual({
      remote: true,
      team: 'Ops',
    });
    expect(mergeEntityData('contractor', current, { customAttributes: null }).customAttributes).toEqual({});
  });

  it('keeps fields in schema order whatever order the patch had', () => {
    expect(Object.keys(mergeEntityData('contractor', { name: 'Bob' }, { rate: 1, email: 'b@acme.test' }))).toEqual(['name', 'email', 'rate']);
  });
});

describe('sameJson', () => {
  it('ignores key order and compares arrays in order', () => {
    expect(sameJson({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(sameJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameJson({ a: 1 }, { a: 1, b: undefined })).toBe(false);
  });
});

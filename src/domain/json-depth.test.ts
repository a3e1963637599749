import { describe, expect, it } from 'vitest';
import { firstTooDeep, jsonTextDepth, scanJson } from './json-depth.js';

const nested = (n: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = [v];
  return v;
};

describe('json depth', () => {
  it('finds the path of the first container past the limit', () => {
    expect(firstTooDeep({ a: [[[1]]] }, 3)).toEqual(['a', 0, 0]);
    expect(firstTooDeep({ a: [[1]] }, 3)).toBeUndefined();
    expect(firstTooDeep('text', 0)).toBeUndefined();
  });

  it('checks values nested far deeper than the stack allows', () => {
    expect(firstTooDeep(nested(100_000))?.length).toBe(64);
  });

  it('measures the depth of JSON text, ignoring brackets inside strings', () => {
    expect(jsonTextDepth('{"a":[1,{"b":"[[[{"}]}')).toBe(3);
    expect(jsonTextDepth('"\\"[["')).toBe(0);
    // Built as text: JSON.stringify itself overflows the stack on values this deep.
    expect(jsonTextDepth('['.repeat(5000) + ']'.repeat(5000), 64)).toBe(65);
  });
});

describe('scanJson', () => {
  const odd = (v: unknown) => (v === 'bad' ? 'is bad' : undefined);

  it('reports what the leaf check finds, naming a value by its path and a key by its object', () => {
    expect(scanJson({ a: [1, 'bad'] }, 64, odd)).toEqual({ path: ['a', 1], problem: 'is bad' });
    expect(scanJson({ a: { bad: 1 } }, 64, odd)).toEqual({ path: ['a'], problem: 'is bad' });
    expect(scanJson('bad', 64, odd)).toEqual({ path: [], problem: 'is bad' });
    expect(scanJson({ a: ['good'] }, 64, odd)).toBeUndefined();
  });

  it('reports a container past the limit without a problem text', () => {
    expect(scanJson({ a: [[1]] }, 2, odd)).toEqual({ path: ['a', 0] });
  });
});

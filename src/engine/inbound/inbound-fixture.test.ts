import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HookyardError } from '../../domain/errors.js';
import { readInboundFixture } from './inbound-fixture.js';

const hook = { method: 'ANY', path: 'people' } as const;

describe('the request fixture of an inbound dry run', () => {
  it('reads a call as a sender would make it: lower-case header names, a rawBody parsed by its content type', () => {
    const { call, body } = readInboundFixture({ headers: { 'Content-Type': 'application/json', 'X-Id': '7' }, rawBody: '{"a":1}' }, hook, 'acme');
    expect(call).toMatchObject({ orgSlug: 'acme', method: 'POST', path: 'people', headers: { 'content-type': 'application/json', 'x-id': '7' }, query: {} });
    expect(call.rawBody.toString('utf8')).toBe('{"a":1}');
    expect(body).toEqual({ a: 1 });
    const given = readInboundFixture({ method: 'PUT', body: { b: [2] } }, hook, 'acme');
    expect(given.call.rawBody.toString('utf8')).toBe('{"b":[2]}');
    expect(given.body).toEqual({ b: [2] });
  });

  it('answers any other value a 400 naming a member of body/request, never another error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom('method', 'path', 'headers', 'query', 'body', 'rawBody', 'other'), fc.jsonValue())), (fixture) => {
        try {
          const { call } = readInboundFixture(fixture, hook, 'acme');
          expect(typeof call.method).toBe('string');
          expect(Buffer.isBuffer(call.rawBody)).toBe(true);
        } catch (thrown) {
          expect(thrown).toBeInstanceOf(HookyardError);
          const details = ((thrown as HookyardError).details ?? []) as Array<{ path: string }>;
          expect(details.length).toBeGreaterThan(0);
          for (const detail of details) expect(detail.path).toMatch(/^body\/request(\/|$)/);
        }
      }),
      { numRuns: 300 },
    );
  });
});

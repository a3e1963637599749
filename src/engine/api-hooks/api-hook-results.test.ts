import { describe, expect, it } from 'vitest';
import type { JsonValue, RunResult } from '../../sandbox/index.js';
import { readPostHookResult, readPreHookResult } from './api-hook-results.js';

const returned = (value: JsonValue): RunResult => ({ status: 'completed', value, logs: [], http: [], durationMs: 1 });

describe('pre-hook results', () => {
  it('goes on with status 200 and stops with another final status', () => {
    expect(readPreHookResult(returned({ status: 200 }))).toEqual({ kind: 'go' });
    expect(readPreHookResult(returned({ status: 403, message: 'no' }))).toEqual({ kind: 'stop', status: 403, message: 'no' });
    expect(readPreHookResult(returned({ status: 599 }))).toEqual({ kind: 'stop', status: 599 });
    expect(readPreHookResult(returned({ status: 204 }))).toEqual({ kind: 'stop', status: 204 });
  });

  it('fails a status that is not a final HTTP status from 200 to 599, saying so', () => {
    for (const status of [100, 101, 199, 0, 99, 600, 1000, -200, 200.5, 403.1, '403', true]) {
      const verdict = readPreHookResult(returned({ status }));
      expect(verdict, String(status)).toEqual({ kind: 'invalid', reason: expect.stringMatching(/status must be an integer HTTP status from 200 to 599; this one returned/) });
    }
  });
});

describe('post-hook results', () => {
  it('refuses an override whose status is not a final HTTP status', () => {
    for (const status of [100, 101, 0, 600, 201.5]) {
      expect(readPostHookResult(returned({ status, responseOverride: {} })).kind, String(status)).toBe('invalid');
    }
    expect(readPostHookResult(returned({ status: 202, responseOverride: { ok: true } }))).toEqual({ kind: 'override', status: 202, body: { ok: true } });
  });
});

import { describe, expect, test } from 'vitest';
import { loadConfig } from '../config.js';
import { egressWarnings, logFormatOf, loggerFor } from './log-output.js';

describe('log output', () => {
  const config = (env: Record<string, string> = {}) => loadConfig(env, { dataDir: '/nonexistent' });

  test('is readable on a terminal and JSON lines in production, in a pipe or when asked', () => {
    expect(logFormatOf(config(), {}, true)).toBe('pretty');
    expect(logFormatOf(config(), { NODE_ENV: 'production' }, true)).toBe('json');
    expect(logFormatOf(config(), {}, false)).toBe('json');
    expect(logFormatOf(config({ HOOKYARD_LOG_FORMAT: 'json' }), {}, true)).toBe('json');
    expect(logFormatOf(config({ HOOKYARD_LOG_FORMAT: 'pretty' }), { NODE_ENV: 'production' }, false)).toBe('pretty');
    expect(() => config({ HOOKYARD_LOG_FORMAT: 'xml' })).toThrow(/HOOKYARD_LOG_FORMAT must be one of auto, json, pretty/);
  });

  test('gives the app JSON, a readable stream, or nothing', () => {
    expect(loggerFor(config({ HOOKYARD_LOG_FORMAT: 'json' }))).toBe(true);
    expect(loggerFor(config({ HOOKYARD_LOG_LEVEL: 'silent', HOOKYARD_LOG_FORMAT: 'pretty' }))).toBe(false);
    const pretty = loggerFor(config({ HOOKYARD_LOG_FORMAT: 'pretty' }), {}, false);
    expect(typeof pretty === 'object' && typeof pretty.stream.write).toBe('function');
  });

  test('warns about each development egress setting that is on, and none by default', () => {
    expect(egressWarnings(config())).toEqual([]);
    const warnings = egressWarnings(
      config({ HOOKYARD_EGRESS_ALLOW_PRIVATE: 'true', HOOKYARD_EGRESS_CONNECT_TO: 'hr.example.test:443:127.0.0.1:8443', HOOKYARD_EGRESS_CA_FILE: '/tmp/ca.pem' }),
    );
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/HOOKYARD_EGRESS_ALLOW_PRIVATE is on/);
    expect(warnings[1]).toContain('hr.example.test:443→127.0.0.1:8443');
    expect(warnings[2]).toContain('/tmp/ca.pem');
  });
});

/**
 * One validation contract for every route: no type coercion in bodies, unknown fields
 * named, and every 400 in one style — `message` is its issues' messages, each starting
 * with the path it names (`body/…`, `query/…`, `params/…`, `headers/…`), and `details`
 * is always the list of those issues. The rules do not depend on the engine, so one
 * engine is enough.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ENGINES } from '../helpers/stores.js';

interface Issue {
  path: string;
  message: string;
}

describe('strict validation', () => {
  let t: TestApp;
  let key: string;
  let integrationId: string;

  beforeAll(async () => {
    t = await createTestApp(ENGINES[0]!);
    key = (await t.tenant('acme')).keys.admin;
    integrationId = (await t.call(key, { method: 'POST', url: '/v1/integrations', payload: { name: 'HR', sourceSystemKey: 'hr' } })).json().id;
  });
  afterAll(async () => t?.dispose());

  /** The error of a 400, after checking that it is in the one style. */
  async function refused(method: 'POST' | 'PATCH' | 'PUT' | 'GET', url: string, payload?: unknown, headers: Record<string, string> = {}) {
    const res = await t.call(key, { method, url, headers, ...(payload !== undefined && { payload: payload as object }) });
    expect(res.statusCode, res.body).toBe(400);
    const { error } = res.json() as { error: { code: string; message: string; details: Issue[] } };
    expect(Array.isArray(error.details), res.body).toBe(true);
    for (const d of error.details) {
      expect(Object.keys(d)).toEqual(expect.arrayContaining(['path', 'message']));
      expect(d.message.startsWith(`${d.path} `) || d.message.startsWith(`${d.path}:`), d.message).toBe(true);
      expect(d.path).toMatch(/^(body|query|params|headers)(\/|$)/);
    }
    if (error.details.length > 0) expect(error.message).toBe(error.details.map((d) => d.message).join('; '));
    return error;
  }

  it('does not turn a number into a string, a number into a boolean or an array into a string', async () => {
    expect((await refused('POST', '/v1/integrations', { name: 5, sourceSystemKey: 'five' })).details).toEqual([
      { path: 'body/name', message: 'body/name must be a string' },
    ]);
    const hook = { name: 'h', type: 'pull', entityType: 'employee', code: 'async function run() { return { records: [] }; }' };
    expect((await refused('POST', `/v1/integrations/${integrationId}/hooks`, { ...hook, enabled: 1 })).message).toBe('body/enabled must be a boolean');
    expect((await refused('POST', '/v1/api-keys', { role: ['admin'] })).details[0]!.path).toBe('body/role');
    expect((await refused('PUT', `/v1/integrations/${integrationId}/secrets/token`, { value: 42 })).message).toBe('body/value must be a string');
    const listed = (await t.call(key, { method: 'GET', url: '/v1/integrations' })).json();
    expect(listed.items.map((i: { name: unknown }) => i.name)).toEqual(['HR']);
  });

  it('names an unknown field, a missing one and a value of a nullable setting', async () => {
    expect((await refused('POST', '/v1/integrations', { name: 'x', sourceSystemKey: 'x', colour: 'red' })).message).toBe('body/colour is not a known field');
    expect((await refused('POST', '/v1/integrations', { sourceSystemKey: 'x' })).message).toBe('body/name is required');
    const hook = { name: 'h', type: 'pull', entityType: 'employee', code: 'async function run() { return { records: [] }; }' };
    expect((await refused('POST', `/v1/integrations/${integrationId}/hooks`, { ...hook, code: 5 })).message).toBe('body/code must be a string or null');
    expect((await refused('POST', `/v1/integrations/${integrationId}/hooks`, { ...hook, schedule: { interval: '2h' } })).message).toBe(
      'body/schedule/interval must be one of "15m", "30m", "1h", "6h", "12h", "24h"',
    );
    expect((await refused('POST', `/v1/integrations/${integrationId}/hooks`, { ...hook, changeTypes: ['create'] })).details).toEqual([
      { path: 'body/changeTypes', message: 'body/changeTypes does not apply to pull hooks' },
    ]);
  });

  it('reads query numbers as declared, and nothing else', async () => {
    expect((await t.call(key, { method: 'GET', url: '/v1/integrations?limit=1' })).statusCode).toBe(200);
    expect((await refused('GET', '/v1/integrations?limit=abc')).message).toBe('query/limit must be an integer');
    expect((await refused('GET', '/v1/integrations?limit=1&limit=2')).message).toBe('query/limit must be an integer');
    expect((await refused('GET', '/v1/integrations?limit=0')).message).toBe('query/limit must be at least 1');
    expect((await refused('GET', '/v1/entities/employee?limit=x')).message).toBe('query/limit must be an integer from 1 to 500');
    expect((await refused('GET', '/v1/entities/employee?nickname=x')).details[0]!.path).toBe('query/nickname');
  });

  it('answers entity, syntax, JSON and If-Match errors in the same style', async () => {
    const entity = await refused('POST', '/v1/entities/employee', { firstName: 'Ada', email: 'x', nickname: 'A' });
    expect(entity.details.map((d) => d.path)).toEqual(['body/lastName', 'body/email', 'body/nickname']);
    const code = { name: 'h', type: 'pull', entityType: 'employee', code: 'async function run(ctx) {\n  ctx.log.info(;\n}\n' };
    const syntax = await refused('POST', `/v1/integrations/${integrationId}/hooks`, code);
    expect(syntax.details).toEqual([{ path: 'body/code', message: syntax.message, line: 2, column: 16 }]);
    const json = await refused('POST', '/v1/integrations', '{"name":', { 'content-type': 'application/json' });
    expect(json).toMatchObject({ code: 'HY_BAD_REQUEST', details: [{ path: 'body' }] });
    const employee = (await t.call(key, { method: 'POST', url: '/v1/entities/employee', payload: { firstName: 'A', lastName: 'B', email: 'a@b.test' } })).json();
    const ifMatch = await refused('PATCH', `/v1/entities/employee/${employee.id}`, { firstName: 'C' }, { 'if-match': 'yesterday' });
    expect(ifMatch.details[0]!.path).toBe('headers/if-match');
    expect((await refused('GET', '/v1/integrations?cursor=nonsense')).details[0]!.path).toBe('query/cursor');
  });
});

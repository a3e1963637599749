import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTION_TYPES, type ActionType } from '../../../domain/automations.js';
import { createMetrics } from '../../../api/metrics.js';
import { createPlatformMetrics } from '../../../api/platform-metrics.js';
import { ACTIONS, recordActionOutcome, registerAction, validateActionParams } from './index.js';

/** Params each type accepts as saved, literal values only. */
const VALID: Readonly<Record<ActionType, Record<string, unknown>>> = {
  send_email: { to: ['a@acme.test', 'b@acme.test'], cc: 'c@acme.test', subject: 'Hi', text: 'Hello', html: '<p>Hello</p>' },
  http_request: { method: 'POST', url: 'https://api.acme.test/x', headers: { 'x-id': '1' }, body: { a: 1 } },
  create_record: { entityType: 'employee', data: { firstName: 'Ada' }, externalId: 'E1', sourceSystemKey: 'hr' },
  update_record: { entityType: 'employee', id: 'abc', data: { firstName: 'Ada' } },
  delete_record: { entityType: 'employee', externalId: 'E1', sourceSystemKey: 'hr' },
  run_hook: { hookId: 'h1', payload: { any: ['thing'] } },
  respond: { status: 201, headers: { 'x-request-id': 'r1' }, body: { ok: true } },
  log: { level: 'warn', message: 'careful', data: { n: 1 } },
};

const paths = (type: ActionType, params: Record<string, unknown>) => validateActionParams(type, params).map((i) => i.path);

describe('the actions table', () => {
  it('has one action of each type, under its own type', () => {
    expect(Object.keys(ACTIONS).sort()).toEqual([...ACTION_TYPES].sort());
    for (const type of ACTION_TYPES) expect(ACTIONS[type].type).toBe(type);
  });

  it('accepts the valid params of every type', () => {
    for (const type of ACTION_TYPES) expect(validateActionParams(type, VALID[type]), type).toEqual([]);
  });

  it('names an unknown param key, for every type', () => {
    for (const type of ACTION_TYPES) {
      const issues = validateActionParams(type, { ...VALID[type], colour: 'red' });
      expect(issues.map((i) => i.path), type).toEqual(['colour']);
      expect(issues[0]!.message).toMatch(/^colour is not a param of this action/);
    }
  });

  it('names each required param that is missing', () => {
    expect(paths('send_email', {})).toEqual(['to', 'subject', 'text']);
    expect(paths('http_request', {})).toEqual(['method', 'url']);
    expect(paths('create_record', {})).toEqual(['entityType', 'data']);
    expect(paths('update_record', { entityType: 'employee', data: {} })).toEqual(['id']);
    expect(paths('delete_record', { entityType: 'employee' })).toEqual(['id']);
    expect(paths('run_hook', {})).toEqual(['hookId']);
    expect(paths('respond', {})).toEqual(['status', 'body']);
    expect(paths('log', {})).toEqual(['level', 'message']);
  });

  it('checks literal values and names where they sit', () => {
    expect(paths('send_email', { ...VALID.send_email, to: ['a@acme.test', 'not an address', 7] })).toEqual(['to/1', 'to/2']);
    expect(paths('send_email', { ...VALID.send_email, to: [] })).toEqual(['to']);
    expect(paths('http_request', { ...VALID.http_request, method: 'FETCH', url: 'http://api.acme.test/' })).toEqual(['method', 'url']);
    expect(paths('http_request', { ...VALID.http_request, headers: { 'x-id': 3, 'bad name': 'v', Host: 'evil.test' } })).toEqual(['headers/x-id', 'headers/bad name', 'headers/Host']);
    expect(paths('respond', { ...VALID.respond, status: 600 })).toEqual(['status']);
    expect(paths('respond', { ...VALID.respond, status: 200.5 })).toEqual(['status']);
    expect(paths('respond', { ...VALID.respond, headers: { 'content-length': '3', 'x:y': 'v' } })).toEqual(['headers/content-length', 'headers/x:y']);
    expect(paths('log', { ...VALID.log, level: 'loud' })).toEqual(['level']);
    expect(paths('create_record', { ...VALID.create_record, entityType: 'planet', data: [] })).toEqual(['entityType', 'data']);
    expect(paths('create_record', { entityType: 'employee', data: {}, id: 'x' })).toEqual(['id']);
    expect(paths('update_record', { entityType: 'employee', data: {}, id: 'x', externalId: 'E1', sourceSystemKey: 'hr' })).toEqual(['id']);
    expect(paths('update_record', { entityType: 'employee', data: {}, externalId: 'E1' })).toEqual(['sourceSystemKey']);
    expect(paths('delete_record', { ...VALID.delete_record, data: {} })).toEqual(['data']);
  });

  it('takes a template string for any value, whatever the param must become', () => {
    const template = fc.tuple(fc.string(), fc.string(), fc.string()).map(([a, b, c]) => `${a}{{${b}}}${c}`);
    fc.assert(
      fc.property(template, (t) => {
        expect(validateActionParams('respond', { status: t, headers: { 'x-a': t }, body: t })).toEqual([]);
        expect(validateActionParams('send_email', { to: [t, 'x@acme.test'], cc: t, subject: t, text: t, html: t })).toEqual([]);
        expect(validateActionParams('http_request', { method: t, url: t, headers: t, body: t })).toEqual([]);
        expect(validateActionParams('update_record', { entityType: t, id: t, data: t })).toEqual([]);
        expect(validateActionParams('log', { level: t, message: t, data: t })).toEqual([]);
      }),
    );
  });

  it('refuses params that are not an object, and an unknown type', () => {
    expect(validateActionParams('log', [] as never)).toEqual([{ path: '', message: 'params must be an object' }]);
    expect(validateActionParams('teleport' as ActionType, {})).toEqual([{ path: '', message: 'unknown action type "teleport"' }]);
  });

  it('lets a registration stand in for an action and puts the old one back', () => {
    const original = ACTIONS.log;
    const stand = { type: 'log' as const, validate: () => [{ path: 'x', message: 'x stands in' }], run: async () => ({}) };
    const unregister = registerAction(stand);
    expect(ACTIONS.log).toBe(stand);
    expect(validateActionParams('log', VALID.log)).toEqual([{ path: 'x', message: 'x stands in' }]);
    unregister();
    expect(ACTIONS.log).toBe(original);
  });
});

describe('recordActionOutcome', () => {
  it('counts each outcome by type and status, and times all but skipped ones', async () => {
    const registry = createMetrics();
    const metrics = createPlatformMetrics(registry);
    recordActionOutcome(metrics, 'send_email', 'completed', 120);
    recordActionOutcome(metrics, 'send_email', 'completed', 80);
    recordActionOutcome(metrics, 'http_request', 'failed', 2_500);
    recordActionOutcome(metrics, 'log', 'skipped', 5);
    recordActionOutcome(undefined, 'log', 'completed', 1);
    const counts = await registry.getSingleMetricAsString('hookyard_automation_actions_total');
    expect(counts).toContain('hookyard_automation_actions_total{type="send_email",status="completed"} 2');
    expect(counts).toContain('hookyard_automation_actions_total{type="http_request",status="failed"} 1');
    expect(counts).toContain('hookyard_automation_actions_total{type="log",status="skipped"} 1');
    const durations = await registry.getSingleMetricAsString('hookyard_automation_action_duration_seconds');
    expect(durations).toContain('hookyard_automation_action_duration_seconds_count{type="send_email"} 2');
    expect(durations).toContain('hookyard_automation_action_duration_seconds_sum{type="send_email"} 0.2');
    expect(durations).toContain('hookyard_automation_action_duration_seconds_count{type="http_request"} 1');
    expect(durations).not.toContain('type="log"');
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Automation, AutomationAction } from '../../domain/automations.js';
import type { EngineDeps } from '../deps.js';
import { ACTIONS } from './actions/index.js';
import { runAutomation, type AutomationRunRequest } from './run-automation.js';
import { MAX_VALUE_CHARS } from './run-record.js';
import { DEFAULT_LIMITS_SANDBOX } from '../../../test/helpers/action-context.js';

const ORG = { id: 'org-1', slug: 'acme', name: 'Acme', timeZone: 'UTC' };
const SMTP_PASSWORD = 'smtp-pass-Xy7%q';

function automation(actions: AutomationAction[], extra: Partial<Automation> = {}): Automation {
  return { id: 'a-1', orgId: ORG.id, name: 'test', enabled: true, trigger: { type: 'manual' }, actions, version: 1, createdAt: '', updatedAt: '', ...extra };
}

const deps = { sandbox: DEFAULT_LIMITS_SANDBOX, mail: { smtpUrl: `smtp://mailer:${encodeURIComponent(SMTP_PASSWORD)}@smtp.example.test:587` } } as unknown as EngineDeps;
const run = (a: Automation, extra: Partial<AutomationRunRequest> = {}) =>
  runAutomation(deps, { automation: a, org: ORG, triggerType: 'manual', input: { trigger: { body: {} } }, executionId: 'e-1', depth: 1, ...extra });
const log = (message: string) => ({ type: 'log' as const, params: { level: 'info', message } });

describe('runAutomation', () => {
  afterEach(() => vi.restoreAllMocks());

  it('redacts the SMTP credentials and the verification secret from logs, steps and errors', async () => {
    const body = { password: SMTP_PASSWORD, secret: 'verify-secret-123' };
    vi.spyOn(ACTIONS.http_request, 'run').mockRejectedValue(new Error(`login failed for mailer:${SMTP_PASSWORD}`));
    const outcome = await run(
      automation([log('{{trigger.body.password}} and {{trigger.body.secret}}'), { type: 'http_request', params: { method: 'GET', url: 'https://x.example.test/?p={{trigger.body.password}}' } }]),
      { input: { trigger: { body } }, verifySecret: 'verify-secret-123' },
    );
    const record = JSON.stringify(outcome);
    expect(outcome.status).toBe('failed');
    expect(record).not.toContain(SMTP_PASSWORD);
    expect(record).not.toContain(encodeURIComponent(SMTP_PASSWORD));
    expect(record).not.toContain('verify-secret-123');
    expect(record).toContain('[secret:smtp_password]');
    expect(record).toContain('[secret:verify_secret]');
  });

  it('fails the run at an action that outlives the time limit, naming the limit', async () => {
    vi.spyOn(ACTIONS.log, 'run').mockImplementation(() => new Promise(() => {}));
    const outcome = await run(automation([log('never ends'), log('never starts')]), { timeMs: 50 });
    expect(outcome.status).toBe('timed_out');
    expect(outcome.error).toMatchObject({ limit: 'timeMs', message: expect.stringMatching(/Time limit exceeded: the automation ran longer than 50 ms/) });
    expect(outcome.steps).toEqual([expect.objectContaining({ path: 'actions/0', status: 'failed' })]);
  });

  it('stops waiting for an action when the run is stopped from outside (a job that lost its lease)', async () => {
    vi.spyOn(ACTIONS.log, 'run').mockImplementation(() => new Promise(() => {}));
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 20);
    const outcome = await run(automation([log('hangs')]), { signal: stop.signal });
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toMatch(/^interrupted: /);
  });

  it('keeps a large response as the start of its JSON, and skips an action no case matches', async () => {
    vi.spyOn(ACTIONS.http_request, 'run').mockResolvedValue({ responseStatus: 200, response: { body: 'x'.repeat(MAX_VALUE_CHARS * 2) } });
    const outcome = await run(
      automation([
        { type: 'http_request', name: 'big', params: { method: 'GET', url: 'https://x.example.test/' } },
        { type: 'log', cases: [{ when: { field: 'trigger.body.none', op: 'exists' }, params: { level: 'info', message: 'no' } }] },
      ]),
    );
    expect(outcome.status).toBe('completed');
    const [big, , none] = outcome.steps;
    expect(big).toMatchObject({ status: 'completed', responseStatus: 200 });
    expect(typeof (big as { response: unknown }).response).toBe('string');
    expect(((big as { response: string }).response).length).toBeLessThan(MAX_VALUE_CHARS + 100);
    expect(none).toMatchObject({ kind: 'action', case: null, status: 'skipped' });
  });

  it('counts each action that ran in the action metrics', async () => {
    const actionFinished = vi.fn();
    const metered = { ...deps, metrics: { actionFinished, executionFinished: vi.fn() } } as unknown as EngineDeps;
    vi.spyOn(ACTIONS.http_request, 'run').mockRejectedValue(new Error('down'));
    const a = automation([log('one'), { type: 'http_request', onError: 'continue', params: { method: 'GET', url: 'https://x.example.test/' } }]);
    await runAutomation(metered, { automation: a, org: ORG, triggerType: 'manual', input: {}, executionId: 'e-2', depth: 1 });
    expect(actionFinished.mock.calls.map(([type, status]) => [type, status])).toEqual([
      ['log', 'completed'],
      ['http_request', 'failed'],
    ]);
    await runAutomation(metered, { automation: a, org: ORG, triggerType: 'manual', input: {}, executionId: 'e-3', depth: 1, dryRun: true });
    expect(actionFinished).toHaveBeenCalledTimes(2);
  });

  it('counts each real run in the execution metrics as an automation, with its trigger and status', async () => {
    const executionFinished = vi.fn();
    const metered = { ...deps, metrics: { executionFinished } } as unknown as EngineDeps;
    await runAutomation(metered, { automation: automation([log('one')]), org: ORG, triggerType: 'entity', input: {}, executionId: 'e-4', depth: 1 });
    const unmet = { ...automation([log('two')]), conditions: { field: 'trigger.body.go', op: 'eq' as const, value: true } };
    await runAutomation(metered, { automation: unmet, org: ORG, triggerType: 'manual', input: { trigger: { body: { go: false } } }, executionId: 'e-5', depth: 1 });
    await runAutomation(metered, { automation: automation([log('three')]), org: ORG, triggerType: 'inbound', input: {}, executionId: 'e-6', depth: 1, dryRun: true });
    expect(executionFinished.mock.calls.map(([run]) => [run.hookType, run.trigger, run.status])).toEqual([
      ['automation', 'event', 'completed'],
      ['automation', 'manual', 'skipped'],
    ]);
    expect(executionFinished.mock.calls[0]![0].durationMs).toBeGreaterThanOrEqual(0);
    expect(executionFinished.mock.calls[1]![0].durationMs).toBeUndefined();
  });

  it('performs nothing in a dry run', async () => {
    const spy = vi.spyOn(ACTIONS.log, 'run');
    const outcome = await run(automation([log('hello {{org.name}}')]), { dryRun: true });
    expect(spy).not.toHaveBeenCalled();
    expect(outcome.steps).toEqual([expect.objectContaining({ case: 'params', status: 'skipped', params: { level: 'info', message: 'hello Acme' } })]);
  });
});

import { describe, expect, it } from 'vitest';
import { actionContext } from '../../../../test/helpers/action-context.js';
import respond from './respond.js';

describe('respond', () => {
  it('sets the reply of an inbound run and answers what it set', async () => {
    const { ctx, replies } = actionContext({}, { triggerType: 'inbound' });
    const result = await respond.run({ status: 202, headers: { 'x-ticket': 'T-1' }, body: { queued: true } }, ctx);
    await respond.run({ status: 409, body: 'again' }, ctx);
    expect(replies).toEqual([
      { status: 202, headers: { 'x-ticket': 'T-1' }, body: { queued: true } },
      { status: 409, body: 'again' },
    ]);
    expect(result).toEqual({ responseStatus: 202, response: { status: 202, headers: { 'x-ticket': 'T-1' }, body: { queued: true } } });
  });

  it.each(['entity', 'schedule', 'manual'] as const)('fails in a run triggered by %s, where no one waits for an answer', async (triggerType) => {
    const { ctx, replies } = actionContext({}, { triggerType });
    await expect(respond.run({ status: 200, body: null }, ctx)).rejects.toThrow(`this run was triggered by ${triggerType}`);
    expect(replies).toEqual([]);
  });

  it('fails on a status a template rendered out of range', async () => {
    const { ctx, replies } = actionContext({}, { triggerType: 'inbound' });
    await expect(respond.run({ status: 42, body: null }, ctx)).rejects.toThrow('params/status must be an HTTP status from 100 to 599');
    await expect(respond.run({ status: '200', body: null } as never, ctx)).rejects.toThrow('params/status must be an integer');
    expect(replies).toEqual([]);
  });
});

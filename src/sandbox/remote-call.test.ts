import { Webhook } from 'standardwebhooks';
import { describe, expect, test } from 'vitest';
import { remotePayload, signatureHeader } from './remote-call.js';

describe('remote hook calls', () => {
  test("sign as the Standard Webhooks specification's published test vector says", () => {
    const signature = signatureHeader(['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  test('send one signature per valid secret, each verifiable on its own', () => {
    const [a, b] = ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', `whsec_${Buffer.alloc(32, 7).toString('base64')}`];
    const timestamp = Math.floor(Date.now() / 1000);
    const header = signatureHeader([a, b], 'msg_1', timestamp, '{}');
    expect(header.split(' ')).toHaveLength(2);
    for (const secret of [a, b]) {
      expect(new Webhook(secret).verify('{}', { 'webhook-id': 'msg_1', 'webhook-timestamp': String(timestamp), 'webhook-signature': header })).toEqual({});
    }
  });

  test('send the ctx data of the run and never a secret', () => {
    const body = remotePayload(
      {
        orgId: 'o', hookId: 'h1', hookVersion: 1, type: 'pull', code: '', secrets: { token: 'never-sent' },
        kv: undefined as never, ctx: { meta: { page: 2 }, params: { a: 1 }, org: { id: 'o' }, integration: { id: 'i' }, execution: { id: 'e' } },
        input: { records: [] },
      },
      'preSavePage',
    );
    expect(JSON.parse(body)).toEqual({
      hook: { id: 'h1', type: 'pull', step: 'preSavePage' },
      org: { id: 'o' }, integration: { id: 'i' }, execution: { id: 'e' }, params: { a: 1 }, meta: { page: 2 }, input: { records: [] },
    });
    expect(body).not.toContain('never-sent');
  });
});

import { createHmac } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { sameSignature, verifyWebhook } from './webhook-verification.js';

const raw = (s: string) => Buffer.from(s);

describe('webhook verification', () => {
  test("passes the Standard Webhooks specification's published test vector, and names the message", () => {
    const verdict = verifyWebhook({ scheme: 'standard-webhooks' }, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', {
      headers: { 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek', 'webhook-timestamp': '1614265330', 'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' },
      rawBody: raw('{"test": 2432232314}'),
      now: 1614265330,
    });
    expect(verdict).toEqual({ ok: true, messageId: 'msg_p5jXN8AQM9LWM0D4loKWxJek' });
  });

  test('Standard Webhooks: any one of several signatures passes; a changed body, a stale timestamp or a missing header fails', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const headers = { 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek', 'webhook-timestamp': '1614265330', 'webhook-signature': 'v1,bm90IGl0 v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' };
    const check = (h: Record<string, string>, body = '{"test": 2432232314}', now = 1614265330) =>
      verifyWebhook({ scheme: 'standard-webhooks' }, secret, { headers: h, rawBody: raw(body), now });
    expect(check(headers).ok).toBe(true);
    expect(check(headers, '{"test": 2432232315}')).toEqual({ ok: false, reason: 'no signature in webhook-signature matches' });
    expect(check(headers, undefined, 1614265330 + 301)).toMatchObject({ ok: false, reason: expect.stringMatching(/5 minutes/) });
    expect(check(headers, undefined, 1614265330 - 301).ok).toBe(false);
    expect(check({ ...headers, 'webhook-id': '' }).ok).toBe(false);
  });

  test("hmac: GitHub's documented example (hex with a prefix) and a Shopify-style base64 header", () => {
    const github = verifyWebhook({ scheme: 'hmac', header: 'X-Hub-Signature-256', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=' }, "It's a Secret to Everybody", {
      headers: { 'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' },
      rawBody: raw('Hello, World!'),
      now: 0,
    });
    expect(github).toEqual({ ok: true });
    const body = '{"id":1}';
    const shopify = { scheme: 'hmac', header: 'X-Shopify-Hmac-Sha256', algorithm: 'sha256', encoding: 'base64' } as const;
    const good = createHmac('sha256', 'shpss_x').update(body).digest('base64');
    expect(verifyWebhook(shopify, 'shpss_x', { headers: { 'x-shopify-hmac-sha256': good }, rawBody: raw(body), now: 0 }).ok).toBe(true);
    expect(verifyWebhook(shopify, 'shpss_y', { headers: { 'x-shopify-hmac-sha256': good }, rawBody: raw(body), now: 0 }).ok).toBe(false);
    expect(verifyWebhook(shopify, 'shpss_x', { headers: {}, rawBody: raw(body), now: 0 })).toEqual({ ok: false, reason: 'the X-Shopify-Hmac-Sha256 header is missing' });
  });

  test('stripe: t and v1 of Stripe-Signature, within five minutes', () => {
    const body = '{"type":"invoice.paid"}';
    const t = 1_700_000_000;
    const v1 = createHmac('sha256', 'whsec_stripe').update(`${t}.${body}`).digest('hex');
    const check = (header: string, now = t) => verifyWebhook({ scheme: 'stripe' }, 'whsec_stripe', { headers: { 'stripe-signature': header }, rawBody: raw(body), now });
    expect(check(`t=${t},v1=${v1},v0=old`).ok).toBe(true);
    expect(check(`t=${t},v1=${'0'.repeat(64)}`).ok).toBe(false);
    expect(check(`t=${t},v1=${v1}`, t + 600).ok).toBe(false);
  });

  test('compares signatures of any lengths without throwing', () => {
    expect(sameSignature('abc', 'abc')).toBe(true);
    expect(sameSignature('abc', 'abcd')).toBe(false);
    expect(sameSignature('', 'x')).toBe(false);
  });
});

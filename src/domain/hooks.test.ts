import { describe, expect, it } from 'vitest';
import { checkHookDraft, inboundPathProblem, type HookDraft } from './hooks.js';

const inbound = (extra: Partial<HookDraft>): HookDraft => ({ type: 'inbound', entityType: null, runtime: 'code', code: 'x', path: 'orders', ...extra });

describe('checkHookDraft: inbound rules', () => {
  it('refuses a path that starts with "/" or holds other characters', () => {
    expect(checkHookDraft(inbound({ path: '/orders' })).issues).toEqual([{ path: 'path', message: 'path must be 1-200 letters, digits, "/", "_", "." or "-", not starting with "/"' }]);
    expect(inboundPathProblem('orders/new_1.json')).toBeUndefined();
    expect(inboundPathProblem('a b')).toBeDefined();
  });

  it('needs the hmac settings for the hmac scheme and refuses them for the others', () => {
    expect(checkHookDraft(inbound({ verify: { scheme: 'hmac' } as never })).issues.map((i) => i.message)).toEqual([
      'verify/header is required for the hmac scheme',
      'verify/algorithm is required for the hmac scheme',
      'verify/encoding is required for the hmac scheme',
    ]);
    expect(checkHookDraft(inbound({ verify: { scheme: 'stripe', prefix: 'x' } as never })).issues).toEqual([{ path: 'verify/prefix', message: 'verify/prefix does not apply to the stripe scheme' }]);
    expect(checkHookDraft(inbound({ verify: { scheme: 'hmac', header: 'x-sig', algorithm: 'sha256', encoding: 'hex' } })).issues).toEqual([]);
  });
});

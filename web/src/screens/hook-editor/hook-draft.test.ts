import { describe, expect, it } from 'vitest';
import type { Hook } from '../../api/client';
import { DraftError, draftOf, patchOf } from './hook-draft';

const base = { id: 'h1', integrationId: 'i1', name: 'n', runtime: 'code', code: 'async function run(ctx) {}', enabled: true, version: 1, createdAt: '', updatedAt: '' } as const;

describe('the hook draft', () => {
  it('sends each type only its own settings', () => {
    const pull = patchOf({ ...draftOf({ ...base, type: 'pull', entityType: 'employee' } as Hook), scheduled: true, interval: '6h', preferredHour: '2' }, 'pull');
    expect(pull.schedule).toEqual({ interval: '6h', preferredHour: 2 });
    expect(pull).not.toHaveProperty('changeTypes');

    const push = patchOf({ ...draftOf({ ...base, type: 'push', entityType: 'employee', changeTypes: ['create'] } as Hook), retryAttempts: '5' }, 'push');
    expect(push).toMatchObject({ changeTypes: ['create'], retry: { attempts: 5 } });
    expect(push).not.toHaveProperty('schedule');

    const pre = patchOf(draftOf({ ...base, type: 'pre', entityType: 'employee', operations: ['create'], order: 3, onError: 'continue' } as Hook), 'pre');
    expect(pre).toMatchObject({ operations: ['create'], order: 3, onError: 'continue' });
    expect(patchOf(draftOf({ ...base, type: 'post', entityType: 'employee', operations: ['get'] } as Hook), 'post')).not.toHaveProperty('onError');

    const inbound = patchOf({ ...draftOf({ ...base, type: 'inbound', entityType: null, path: 'hires', method: 'POST' } as Hook), verifyScheme: 'hmac', verifySecret: 's', verifyHeader: 'X-Sig' }, 'inbound');
    expect(inbound).toMatchObject({ path: 'hires', method: 'POST', verify: { scheme: 'hmac', secret: 's', header: 'X-Sig', algorithm: 'sha256', encoding: 'hex' } });
  });

  it('keeps a stored secret unless a new one is typed, and clears verification when none is chosen', () => {
    const remote = draftOf({ ...base, type: 'push', entityType: 'employee', runtime: 'remote', code: undefined, remote: { url: 'https://hooks.example.org/x' } } as Hook);
    expect(patchOf(remote, 'push').remote).toEqual({ url: 'https://hooks.example.org/x' });
    expect(patchOf({ ...remote, remoteSecret: 'whsec_new' }, 'push').remote).toEqual({ url: 'https://hooks.example.org/x', secret: 'whsec_new' });
    expect(patchOf(draftOf({ ...base, type: 'inbound', entityType: null, path: 'p', verify: { scheme: 'stripe' } } as Hook), 'inbound').verify).toEqual({ scheme: 'stripe' });
    expect(patchOf({ ...draftOf({ ...base, type: 'inbound', entityType: null, path: 'p' } as Hook), verifyScheme: '' }, 'inbound').verify).toBeNull();
  });

  it('names the input whose JSON does not parse', () => {
    const draft = { ...draftOf({ ...base, type: 'pull', entityType: 'employee' } as Hook), params: '{ "a": ' };
    expect(() => patchOf(draft, 'pull')).toThrow(DraftError);
    try {
      patchOf(draft, 'pull');
    } catch (error) {
      expect((error as DraftError).field).toBe('params');
    }
    expect(patchOf({ ...draft, params: '{"channel":"hr"}' }, 'pull').params).toEqual({ channel: 'hr' });
  });
});

import { describe, expect, test } from 'vitest';
import { loadConfig } from '../config.js';
import { Egress, EgressError } from '../sandbox/egress.js';
import { egressOptions } from './platform.js';

async function refusal(egress: Egress, url: string): Promise<unknown> {
  try {
    await egress.send({ method: 'GET', url, headers: {}, signal: AbortSignal.timeout(5000), maxResponseBytes: 1024 });
  } catch (error) {
    return error;
  } finally {
    await egress.close();
  }
  return undefined;
}

describe('egressOptions (the production composition of the egress policy)', () => {
  test('keeps private addresses blocked when nothing is set', async () => {
    const options = egressOptions(loadConfig({}, { dataDir: '/nonexistent' }));
    expect(options).toEqual({ allowPrivate: false, connectTo: [] });
    for (const url of ['https://127.0.0.1/', 'https://[::1]/', 'https://169.254.169.254/latest/meta-data', 'https://localhost/']) {
      const error = await refusal(new Egress(options), url);
      expect(error, url).toBeInstanceOf(EgressError);
      expect((error as EgressError).code).toBe('BLOCKED_ADDRESS');
    }
  });

  test('HOOKYARD_EGRESS_CONNECT_TO alone does not reach a private address; only HOOKYARD_EGRESS_ALLOW_PRIVATE lifts the block', async () => {
    const connectOnly = egressOptions(loadConfig({ HOOKYARD_EGRESS_CONNECT_TO: 'api.example.com:443:127.0.0.1:8443' }, { dataDir: '/nonexistent' }));
    expect(connectOnly.allowPrivate).toBe(false);
    const error = await refusal(new Egress(connectOnly), 'https://api.example.com/');
    expect((error as EgressError).code).toBe('BLOCKED_ADDRESS');

    for (const value of ['', 'false', '0', 'no', 'off']) {
      expect(egressOptions(loadConfig({ HOOKYARD_EGRESS_ALLOW_PRIVATE: value }, { dataDir: '/nonexistent' })).allowPrivate, value).toBe(false);
    }
    expect(() => loadConfig({ HOOKYARD_EGRESS_ALLOW_PRIVATE: 'maybe' })).toThrow(/HOOKYARD_EGRESS_ALLOW_PRIVATE/);
    expect(egressOptions(loadConfig({ HOOKYARD_EGRESS_ALLOW_PRIVATE: 'true' }, { dataDir: '/nonexistent' })).allowPrivate).toBe(true);
  });
});
